import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UNKNOWN_FIELD } from './fields';
import { configSchema, ProjectConfig } from './schema';

/** The configuration synthesised when the user names none: placeholder accounts, safe to commit. */
export const EXAMPLE_CONFIG_PATH = path.join(__dirname, '..', '..', 'config', 'example.json');
/** The generated JSON Schema of configuration files (`npm run config:schema` writes it). */
export const CONFIG_JSON_SCHEMA_PATH = path.join(__dirname, '..', '..', 'config', 'schema.json');
/** Environment variable naming a configuration file; `-c config=<file>` takes precedence. */
export const CONFIG_ENV_VAR = 'CHURN_CONFIG';
export const CONFIG_CONTEXT_KEY = 'config';

/** All problems found in a configuration, each naming where it is and what is allowed. */
export class ConfigValidationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** `environments.dev.api.clients[1].name`; the file itself is `(root)`. */
function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/** One line per problem; an unknown-keys issue becomes one line per key, on the key's own path. */
export function problemsOf(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' && issue.message.startsWith(UNKNOWN_FIELD)
      ? issue.keys.map((key) => `${pathText([...issue.path, key])}: ${issue.message}`)
      : [`${pathText(issue.path)}: ${issue.message}`],
  );
}

/**
 * Validates a parsed configuration file and fills in defaults. Throws a `ConfigValidationError`
 * listing every problem; returns a configuration every construct can trust.
 */
export function validateConfig(raw: unknown, source = 'configuration'): ProjectConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigValidationError(source, problemsOf(result.error));
  return result.data;
}

export function resolveConfigPath(contextValue: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof contextValue === 'string' && contextValue.trim() !== '') return path.resolve(contextValue);
  const fromEnv = env[CONFIG_ENV_VAR];
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return EXAMPLE_CONFIG_PATH;
}

export function loadConfig(file: string): ProjectConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read configuration file ${file}: ${(error as Error).message}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`configuration file ${file} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return validateConfig(raw, file);
}
