import { createRequire } from 'node:module';
import { describeValue, type FeatureSpec, type FieldSpec } from '../../src/features';

/**
 * The function's side of the one request contract. The decision (accept or refuse) is made by the
 * compiled draft-04 validator of the same document API Gateway validates with (`inferenceRequestSchema`,
 * compiled by lib/build/request-validator.ts); this module only turns that validator's findings into the
 * answer's `{field, message}` list and into log labels that carry nothing a client chose.
 */

/** One finding of the compiled validator (ajv's ErrorObject, the part used here). */
export interface ValidationIssue {
  readonly keyword: string;
  /** JSON pointer of the failing value, e.g. `/3/tenure`. */
  readonly instancePath: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** A compiled validator: ajv's ValidateFunction shape (standalone code exports exactly this). */
export interface RequestValidator {
  (data: unknown): boolean;
  errors?: readonly ValidationIssue[] | null;
}

/**
 * The compiled request model (ajv standalone code of the API Gateway model) ships next to the bundle
 * under this name; lib/build/request-validator.ts generates it at synth.
 */
export const BUNDLED_REQUEST_VALIDATOR_FILE = 'request-validator.cjs';

/** Loads the standalone validator module the stack ships next to the bundle. */
export function loadRequestValidator(file: string): RequestValidator {
  const loaded = createRequire(file)(file) as RequestValidator | { default?: RequestValidator };
  const validate = typeof loaded === 'function' ? loaded : loaded.default;
  if (typeof validate !== 'function') throw new Error(`${file} does not export a request validator`);
  return validate;
}

export const CUSTOMER_ID_FIELD = 'customerId';

/** A rejected part of the request, for the answer (`field`, `message`) and for the log (`logField`). */
export interface RequestProblem {
  /** What the answer names: `tenure`, `[3].tenure`, `(body)`, or a client's unknown key. */
  readonly field: string;
  readonly message: string;
  /** What the log names: built from positions and the specification's names only, never a client's key. */
  readonly logField: string;
}

interface Located {
  readonly record?: number;
  /** The property name, or undefined for the record (or body) as a whole. */
  readonly name?: string;
  readonly keywords: Set<string>;
  readonly params: Array<Readonly<Record<string, unknown>>>;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function recordAt(document: unknown, batch: boolean, record: number | undefined): unknown {
  return batch ? (document as unknown[])[record as number] : document;
}

function valueOf(record: unknown, name: string): unknown {
  return typeof record === 'object' && record !== null && !Array.isArray(record)
    ? (record as Record<string, unknown>)[name]
    : undefined;
}

function customerIdMessage(value: unknown, keywords: Set<string>, params: Located['params']): string {
  if (value === undefined || value === null) return 'is required';
  if (typeof value !== 'string') return 'must be a string';
  if (keywords.has('minLength')) return 'must not be empty';
  const maxLength = params.find((p) => typeof p.limit === 'number' && keywords.has('maxLength'))?.limit;
  if (maxLength !== undefined) return `must be at most ${String(maxLength)} characters`;
  const pattern = params.find((p) => typeof p.pattern === 'string')?.pattern;
  // The id itself is never echoed: the answer and the logs must not repeat it.
  return pattern !== undefined ? `does not match the customer id format ${String(pattern)}` : 'is not valid';
}

function fieldMessage(field: FieldSpec, value: unknown, keywords: Set<string>): string {
  if (value === undefined || (value === null && field.required)) return 'is required';
  if (field.type === 'categorical') {
    return `must be one of ${field.values.map((v) => JSON.stringify(v)).join(', ')}; got ${describeValue(value)}`;
  }
  if (typeof value !== 'number') return `must be a number; got ${describeValue(value)}`;
  if (keywords.has('multipleOf')) return `must be a whole number; got ${value}`;
  if (keywords.has('minimum')) return `must be at least ${field.minimum}; got ${value}`;
  if (keywords.has('maximum')) return `must be at most ${field.maximum}; got ${value}`;
  return `is not valid; got ${describeValue(value)}`;
}

/**
 * Turns the validator's findings on `document` into one problem per rejected field (the first reason
 * only, as a person fixing the request needs it), ordered by record, then customerId, then specification
 * order, then unknown keys.
 */
export function requestProblems(
  document: unknown,
  issues: readonly ValidationIssue[],
  spec: FeatureSpec,
): RequestProblem[] {
  const batch = Array.isArray(document);
  const byKey = new Map<string, Located>();
  const body: RequestProblem[] = [];
  for (const issue of issues) {
    const segments = pointerSegments(issue.instancePath);
    if (batch && segments.length === 0) {
      const count = (document as unknown[]).length;
      const message =
        issue.keyword === 'minItems'
          ? 'must contain at least one customer'
          : `has ${count} customers; at most ${String(issue.params.limit)} per request`;
      body.push({ field: '(body)', message, logField: '(body)' });
      continue;
    }
    const record = batch ? Number(segments[0]) : undefined;
    const inside = batch ? segments.slice(1) : segments;
    let name: string | undefined = inside[0];
    if (inside.length === 0) {
      if (issue.keyword === 'required') name = String(issue.params.missingProperty);
      else if (issue.keyword === 'additionalProperties') name = String(issue.params.additionalProperty);
    }
    const key = `${record ?? ''}\u0000${name ?? ''}`;
    let located = byKey.get(key);
    if (!located) byKey.set(key, (located = { record, name, keywords: new Set(), params: [] }));
    located.keywords.add(issue.keyword);
    located.params.push(issue.params);
  }
  const order = new Map<string, number>([
    [CUSTOMER_ID_FIELD, 0],
    ...spec.fields.map((f, i) => [f.name, i + 1] as [string, number]),
  ]);
  const fields = new Map(spec.fields.map((f) => [f.name, f]));
  const located = [...byKey.values()].sort(
    (a, b) =>
      (a.record ?? -1) - (b.record ?? -1) ||
      (a.name === undefined ? -1 : (order.get(a.name) ?? order.size)) -
        (b.name === undefined ? -1 : (order.get(b.name) ?? order.size)),
  );
  const problems = located.map(({ record, name, keywords, params }): RequestProblem => {
    const prefix = record !== undefined ? `[${record}]` : '';
    const at = (n: string) => (prefix ? `${prefix}.${n}` : n);
    if (name === undefined) {
      const whole = prefix || '(body)';
      const message = batch
        ? 'must be an object of customer fields'
        : 'must be one customer object or an array of them';
      return { field: whole, message, logField: whole };
    }
    const value = valueOf(recordAt(document, batch, record), name);
    if (name === CUSTOMER_ID_FIELD) {
      return { field: at(name), message: customerIdMessage(value, keywords, params), logField: at(name) };
    }
    const field = fields.get(name);
    if (!field) {
      // A client-chosen key: named in the answer (the client wrote it), never in the log.
      const shown = name === '' ? '""' : name;
      return {
        field: at(shown),
        message: 'is not a field of the feature specification',
        logField: at('(unknown field)'),
      };
    }
    return { field: at(name), message: fieldMessage(field, value, keywords), logField: at(name) };
  });
  return [...body, ...problems];
}
