import * as path from 'node:path';

/**
 * Reads configuration from the function's environment once, at cold start, and fails fast with the
 * variable's name so a misconfigured deployment is obvious from the first log line.
 */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`environment variable ${name} is required but not set`);
  }
  return value;
}

export function optionalEnv(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value;
}

export function numberEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`environment variable ${name} must be a number, got '${raw}'`);
  return value;
}

/** A number the deployment must set (the stack writes it from the configuration, where its default lives). */
export function requiredNumberEnv(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const value = numberEnv(name, Number.NaN, env);
  if (Number.isNaN(value)) throw new Error(`environment variable ${name} is required but not set`);
  return value;
}

/** A file bundled beside the handler (`SecureFunction` `bundledFiles`): ESM bundles have no __dirname. */
export function bundledFile(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(optionalEnv('LAMBDA_TASK_ROOT', process.cwd(), env), name);
}
