import { z } from 'zod';

/**
 * Field builders for the configuration schema. Each pairs a zod type with the wording the project's
 * errors use ("must be an integer from 1 to 100, got 0"), so every field states its rule once and a
 * user reads the same sentence for the same kind of mistake anywhere in the file.
 */

/** How a rejected value reads in a problem, e.g. `'12345'`, `an object`, `nothing (the field is missing)`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}

type Issue = { readonly input?: unknown; readonly code?: string };

/** A non-empty string, optionally matching `pattern`; `expected` says what is allowed. */
export function text(pattern?: RegExp, expected?: string | ((value: string) => string)) {
  const typeError = (iss: Issue) => `must be a non-empty string, got ${describeValue(iss.input)}`;
  const base = z.string({ error: typeError }).min(1, { error: typeError, abort: true });
  if (!pattern) return base;
  const explain =
    typeof expected === 'function'
      ? expected
      : (value: string) => `'${value}' is not allowed; expected ${expected ?? pattern.source}`;
  return base.regex(pattern, { error: (iss) => explain(String(iss.input)) });
}

/** An integer from `min` to `max`; `belowMin` replaces the wording when a value under `min` needs a reason. */
export function integer(min: number, max: number, belowMin?: string) {
  const error = (iss: Issue) => `must be an integer from ${min} to ${max}, got ${describeValue(iss.input)}`;
  return z
    .int({ error })
    .min(min, { error: belowMin ? (iss) => (typeof iss.input === 'number' ? belowMin : error(iss)) : error })
    .max(max, { error });
}

/** Inclusive integer bounds, as the schema's `BOUNDS` lists them for constructs too. */
export interface IntegerBounds {
  readonly min: number;
  readonly max: number;
}

/** `integer(bounds.min, bounds.max)` for a bound constructs share (see `BOUNDS`). */
export function within(bounds: IntegerBounds) {
  return integer(bounds.min, bounds.max);
}

/** A finite number strictly between `min` and `max`. */
export function between(min: number, max: number) {
  const error = (iss: Issue) =>
    `must be a number strictly between ${min} and ${max}, got ${describeValue(iss.input)}`;
  return z.number({ error }).gt(min, { error }).lt(max, { error });
}

/** A finite number from `min` to `max`, both included. */
export function inclusive(min: number, max: number) {
  const error = (iss: Issue) => `must be a number from ${min} to ${max}, got ${describeValue(iss.input)}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

export function boolean() {
  return z.boolean({ error: (iss) => `must be true or false, got ${describeValue(iss.input)}` });
}

/** One of the listed strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (iss) =>
      `must be one of ${values.map((v) => `'${v}'`).join(', ')}, got ${describeValue(iss.input)}`,
  });
}

/** Exactly `value`; `why` is the whole problem text ("must be true in prod (ENV-2)"). */
export function exactly<const T extends string | boolean>(value: T, why: string) {
  return z.literal(value, { error: () => why });
}

/** An array of `item`s; `what` names the items in the type error ("strings", "clients"). */
export function list<T extends z.ZodType>(item: T, what = 'strings') {
  return z.array(item, { error: (iss) => `must be an array of ${what}, got ${describeValue(iss.input)}` });
}

/** Problem text of an unknown key; the issue formatter puts it on the key's own path. */
export const UNKNOWN_FIELD = 'unknown field; allowed: ';

/**
 * An object that refuses unknown keys (a misspelt setting must never silently fall back to a default).
 * `missing` replaces the wording when the whole object is absent.
 */
export function object<S extends z.ZodRawShape>(shape: S, missing?: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') return `${UNKNOWN_FIELD}${allowed}`;
      if (iss.input === undefined && missing) return missing;
      return `must be an object, got ${describeValue(iss.input)}`;
    },
  });
}

/** An optional section: leaving it out means every field takes its default. */
export function section<S extends z.ZodRawShape>(shape: S) {
  return object(shape).prefault({} as never);
}

type Path = readonly PropertyKey[];

/** What a cross-field rule sees: the (possibly partly invalid) value, and a way to report. */
export interface RuleContext {
  /** True when parsing found no problem at or under `path` (or above it), so the value there can be trusted. */
  valid(...path: Path): boolean;
  report(path: Path, message: string): void;
}

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.every((key, i) => path[i] === key);
}

/**
 * A cross-field rule for `.superRefine(...rule(fn))`. It runs even when other fields of the object are
 * wrong, so one run reports every problem; the rule reads only the fields `valid()` vouches for.
 */
export function rule<T>(
  fn: (value: T, ctx: RuleContext) => void,
): [(value: T, ctx: z.RefinementCtx<T>) => void, { when: (payload: { value: unknown }) => boolean }] {
  return [
    (value, ctx) =>
      fn(value, {
        valid: (...path) =>
          !ctx.issues.some(
            (issue) =>
              issue.code !== 'unrecognized_keys' &&
              (startsWith(issue.path ?? [], path) || startsWith(path, issue.path ?? [])),
          ),
        report: (path, message) => ctx.addIssue({ code: 'custom', path: [...path], message, input: value }),
      }),
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  ];
}
