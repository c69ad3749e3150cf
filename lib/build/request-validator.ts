import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import standaloneCode from 'ajv/dist/standalone';
import { buildSync } from 'esbuild';
import type { RequestValidator } from '../../lambda/inference/request-contract';

/**
 * The one request contract, compiled. The API Gateway model and the function's validator are the same
 * draft-04 document (`inferenceRequestSchema`); this module turns it into the function's validator with
 * ajv at build time (standalone code), so the Lambda bundle carries neither ajv nor a schema compiler and
 * its cold start compiles nothing.
 */

/** ajv settings that make it judge like a draft-04 validator of the edge. */
function newAjv(): Ajv {
  return new Ajv({
    allErrors: true,
    // The schema is generated; strict mode's lint of union types and mixed object/array keywords is noise.
    strict: false,
    // Patterns as ECMA-262 without the `u` flag, as JSON Schema draft-04 specifies them.
    unicodeRegExp: false,
    code: { source: true, esm: false, lines: false },
  });
}

/** Compiles the schema in process (tests, the bench). Same options as the shipped standalone code. */
export function compileRequestValidator(schema: object): RequestValidator {
  return newAjv().compile(schema) as unknown as RequestValidator;
}

const sources = new Map<string, string>();

/**
 * Self-contained CommonJS source of the validator (`module.exports = validate`): ajv's standalone code
 * for the schema, with the few ajv runtime helpers it needs (string length in code points) bundled in.
 */
export function requestValidatorSource(schema: object): string {
  const key = JSON.stringify(schema);
  const cached = sources.get(key);
  if (cached !== undefined) return cached;
  const ajv = newAjv();
  const code = standaloneCode(ajv, ajv.compile(schema));
  const resolveDir = path.dirname(createRequire(__filename).resolve('ajv/package.json'));
  const built = buildSync({
    stdin: { contents: code, loader: 'js', resolveDir, sourcefile: 'request-validator.js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const source = built.outputFiles[0].text;
  sources.set(key, source);
  return source;
}

/**
 * Writes the validator source to a file named by its content (so repeated synths reuse it and the Lambda
 * asset hash only changes with the contract) and returns the absolute path.
 */
export function writeRequestValidatorModule(schema: object, directory = tmpdir()): string {
  const source = requestValidatorSource(schema);
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = path.join(directory, 'churn-request-validators');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `request-validator-${digest}.cjs`);
  if (!existsSync(file)) writeFileSync(file, source);
  return file;
}
