import Ajv, { type ErrorObject } from 'ajv';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CONFIG_JSON_SCHEMA_PATH,
  ConfigValidationError,
  configJsonSchemaText,
  EXAMPLE_CONFIG_PATH,
  validateConfig,
} from '../../../lib/config';

interface InvalidExample {
  readonly set: Record<string, unknown>;
  readonly problem: string;
  readonly editorCatches: boolean;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const examples: InvalidExample[] = readJson(
  path.join(path.dirname(EXAMPLE_CONFIG_PATH), 'invalid-examples.json'),
).examples;

/** config/example.json with `set` applied: dotted paths, null removes the field. */
function exampleWith(set: Record<string, unknown>): Record<string, unknown> {
  const raw = readJson(EXAMPLE_CONFIG_PATH);
  for (const [dotted, value] of Object.entries(set)) {
    const keys = dotted.split('.');
    const parent = keys.slice(0, -1).reduce((o, key) => o[key], raw);
    if (value === null) delete parent[keys[keys.length - 1]];
    else parent[keys[keys.length - 1]] = value;
  }
  return raw;
}

function zodProblems(raw: unknown): readonly string[] {
  try {
    validateConfig(raw);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    return error.problems;
  }
}

/** The dotted path an ajv error is about, including the key a required/additional error names. */
function pathOf(error: ErrorObject): string {
  const key = (error.params as { missingProperty?: string; additionalProperty?: string }) ?? {};
  const segments = error.instancePath.split('/').filter((s) => s !== '');
  const named = key.missingProperty ?? key.additionalProperty;
  return [...segments, ...(named ? [named] : [])].join('.');
}

describe('config/schema.json, the JSON Schema editors use', () => {
  const schema = readJson(CONFIG_JSON_SCHEMA_PATH);
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

  test('is generated from the zod schema and up to date (run `npm run config:schema` after changing a field)', () => {
    expect(readFileSync(CONFIG_JSON_SCHEMA_PATH, 'utf8')).toBe(configJsonSchemaText());
  });

  test('`npm run config:schema` writes exactly that file', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'schema-')), 'schema.json');
    execFileSync('npm', ['run', '--silent', 'config:schema', '--', out], { cwd: REPO_ROOT, stdio: 'pipe' });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(CONFIG_JSON_SCHEMA_PATH, 'utf8'));
  });

  test('config/example.json points editors at it and passes a standard JSON Schema validator', () => {
    const example = readJson(EXAMPLE_CONFIG_PATH);
    expect(example.$schema).toBe('./schema.json');
    expect(validate(example)).toBe(true);
  });

  test('the JSON Schema carries defaults and descriptions for editors', () => {
    const prod = schema.properties.environments.properties.prod.properties;
    expect(prod.serving.properties.instanceCount).toMatchObject({ default: 2, minimum: 2 });
    expect(prod.removalPolicy).toMatchObject({ const: 'retain', default: 'retain' });
    expect(schema.properties.environments.properties.dev.properties.removalPolicy.default).toBe('destroy');
    expect(prod.account.description).toContain('ENV-1');
  });

  test.each(examples.filter((e) => e.editorCatches).map((e) => [e.problem, e] as const))(
    'the editor and synth both refuse: %s',
    (_problem, example) => {
      const raw = exampleWith(example.set);
      expect(zodProblems(raw)).toContain(example.problem);
      expect(validate(raw)).toBe(false);
      const field = example.problem.slice(0, example.problem.indexOf(': '));
      expect((validate.errors ?? []).map(pathOf)).toContain(field.replace(/\[(\d+)\]/g, '.$1'));
    },
  );

  test.each(examples.filter((e) => !e.editorCatches).map((e) => [e.problem, e] as const))(
    'a rule JSON Schema cannot state, which only synth refuses: %s',
    (_problem, example) => {
      const raw = exampleWith(example.set);
      expect(zodProblems(raw)).toEqual([example.problem]);
      // Documented as synth-only: JSON Schema cannot relate two fields this way, so editors accept it.
      expect(validate(raw)).toBe(true);
    },
  );
});
