/**
 * The environment variables a construct sets for its function and the handler reads, as one typed
 * contract per function (`lambda/<function>/environment.ts`). The construct calls `render()` with typed
 * values; the handler calls `read()` once at cold start, which fails naming every missing or malformed
 * variable. Each variable name is written once, in its contract.
 *
 * No imports: infrastructure code loads contracts without loading a handler or an AWS SDK client.
 */

/** One variable: its name, whether it may be absent, and how its value is written and read. */
export interface Variable<T, Optional extends boolean = false> {
  readonly name: string;
  readonly optional: Optional;
  /** Returns the value, or a string saying what is wrong with `raw`. */
  readonly parse: (raw: string) => T | { readonly problem: string };
  readonly render: (value: T) => string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyVariable = Variable<any, boolean>;
type ValueOf<V> = V extends Variable<infer T, boolean> ? T : never;
type RequiredKeys<S> = { [K in keyof S]: S[K] extends { readonly optional: false } ? K : never }[keyof S];
type OptionalKeys<S> = Exclude<keyof S, RequiredKeys<S>>;

/** The typed values of a contract: what `read()` returns and `render()` takes. */
export type EnvironmentValues<S> = { readonly [K in RequiredKeys<S>]: ValueOf<S[K]> } & {
  readonly [K in OptionalKeys<S>]?: ValueOf<S[K]>;
};

declare const rendered: unique symbol;
/**
 * A function's environment as a contract rendered it; `SecureFunction` accepts nothing else, so a
 * construct cannot set a variable its handler does not declare.
 */
export type RenderedEnvironment = Readonly<Record<string, string>> & { readonly [rendered]: true };

export function text(name: string): Variable<string> {
  return { name, optional: false, parse: (raw) => raw, render: (value) => value };
}

export function number(name: string): Variable<number> {
  return {
    name,
    optional: false,
    parse: (raw) => {
      const value = Number(raw);
      return Number.isFinite(value) ? value : { problem: `must be a number, got '${raw}'` };
    },
    render: (value) => String(value),
  };
}

export function integer(name: string): Variable<number> {
  return {
    ...number(name),
    parse: (raw) => {
      const value = Number(raw);
      return Number.isInteger(value) ? value : { problem: `must be an integer, got '${raw}'` };
    },
  };
}

export function oneOf<const T extends string>(name: string, values: readonly T[]): Variable<T> {
  return {
    name,
    optional: false,
    parse: (raw) =>
      (values as readonly string[]).includes(raw)
        ? (raw as T)
        : { problem: `must be ${values.map((v) => `'${v}'`).join(' or ')}, got '${raw}'` },
    render: (value) => value,
  };
}

/** A comma-separated list of names without commas (alarm names, for example). */
export function list(name: string): Variable<readonly string[]> {
  return {
    name,
    optional: false,
    parse: (raw) => raw.split(',').filter((item) => item !== ''),
    render: (value) => value.join(','),
  };
}

export function optional<T>(variable: Variable<T>): Variable<T, true> {
  return { ...variable, optional: true };
}

export interface EnvironmentContract<S extends Record<string, AnyVariable>> {
  readonly variables: S;
  /** Reads every variable; throws one error naming each missing or malformed one. */
  read(env?: Readonly<Record<string, string | undefined>>): EnvironmentValues<S>;
  /** The variables to set on the function; optional values left undefined are not set. */
  render(values: EnvironmentValues<S>): RenderedEnvironment;
  /** An optional variable that `reason` makes necessary (e.g. "in sagemaker mode"); throws naming it. */
  need<K extends keyof S>(values: EnvironmentValues<S>, key: K, reason: string): ValueOf<S[K]>;
}

export function environmentContract<const S extends Record<string, AnyVariable>>(
  variables: S,
): EnvironmentContract<S> {
  return {
    variables,
    read(env = process.env) {
      const values: Record<string, unknown> = {};
      const problems: string[] = [];
      for (const [key, variable] of Object.entries(variables)) {
        const raw = env[variable.name];
        if (raw === undefined || raw.trim() === '') {
          if (!variable.optional) problems.push(`${variable.name} is required but not set`);
          continue;
        }
        const parsed = variable.parse(raw);
        if (typeof parsed === 'object' && parsed !== null && 'problem' in parsed)
          problems.push(`${variable.name} ${parsed.problem}`);
        else values[key] = parsed;
      }
      if (problems.length === 1) throw new Error(`environment variable ${problems[0]}`);
      if (problems.length > 1) throw new Error(`environment variables: ${problems.join('; ')}`);
      return values as EnvironmentValues<S>;
    },
    render(values) {
      const environment: Record<string, string> = {};
      for (const [key, variable] of Object.entries(variables)) {
        const value = (values as Record<string, unknown>)[key];
        if (value !== undefined) environment[variable.name] = variable.render(value);
      }
      return environment as RenderedEnvironment;
    },
    need(values, key, reason) {
      const value = (values as Record<PropertyKey, unknown>)[key];
      if (value === undefined)
        throw new Error(`environment variable ${variables[key].name} is required ${reason} but not set`);
      return value as ValueOf<S[typeof key]>;
    },
  };
}

/**
 * Variables Powertools reads itself; every function contract includes them. Optional: a missing service
 * name only changes the log's `service` field, which must not stop a function.
 */
export const POWERTOOLS_VARIABLES = {
  serviceName: optional(text('POWERTOOLS_SERVICE_NAME')),
  metricsNamespace: optional(text('POWERTOOLS_METRICS_NAMESPACE')),
} as const;

/** Variables several functions share, declared once. */
export const SHARED_VARIABLES = {
  metricNamespace: text('METRIC_NAMESPACE'),
  endpointName: text('ENDPOINT_NAME'),
  capturePrefix: text('CAPTURE_PREFIX'),
  /** Set by Lambda: the directory of the bundle, where `bundledFiles` land. */
  taskRoot: optional(text('LAMBDA_TASK_ROOT')),
} as const;
