import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ProjectConfig } from './types';
import { validateConfig } from './validate';

/** The configuration synthesised when the user names none: placeholder accounts, safe to commit. */
export const EXAMPLE_CONFIG_PATH = path.join(__dirname, '..', '..', 'config', 'example.json');
/** Environment variable naming a configuration file; `-c config=<file>` takes precedence. */
export const CONFIG_ENV_VAR = 'CHURN_CONFIG';
export const CONFIG_CONTEXT_KEY = 'config';

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
