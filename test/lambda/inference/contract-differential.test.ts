import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseInferenceRequest } from '../../../lambda/inference/request';
import { loadRequestValidator } from '../../../lambda/inference/request-contract';
import type { ApiStack } from '../../../lib/stacks/api-stack';
import { FeatureEncoder } from '../../../src/features';
import { buildTestApp, resourcesOfType, stacksOf } from '../../helpers/app';
import { Template } from 'aws-cdk-lib/assertions';
import { SPEC, validRecord } from './fixtures';

/**
 * One request contract (issue 13, defect 3): the body the edge's draft-04 model accepts is exactly the body
 * the function accepts. The edge side is the model as synthesized into the Api stack's template, judged by
 * an independent draft-04 implementation (python-jsonschema; API Gateway's own validator cannot run
 * offline); the function side is the compiled validator module the stack ships in the bundle, behind the
 * function's own request parsing.
 */

const SCRIPT = path.join(__dirname, '..', '..', '..', 'scripts', 'contract', 'draft04_decisions.py');

function edgeDecisions(schema: unknown, bodies: readonly string[]): boolean[] {
  const run = spawnSync('python3', [SCRIPT], {
    input: JSON.stringify({ schema, bodies }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  if (run.error || run.status !== 0) {
    throw new Error(
      `the draft-04 reference validator needs python3 with the jsonschema package (cfn-lint installs it): ` +
        `${run.error?.message ?? run.stderr}`,
    );
  }
  return JSON.parse(run.stdout) as boolean[];
}

const app = buildTestApp();
const apiStack = stacksOf(app.stage('Dev')).find((s) => s.node.id === 'Api') as ApiStack;
const [, model] = resourcesOfType(Template.fromStack(apiStack), 'AWS::ApiGateway::Model')[0];
const edgeSchema = (model.Properties as { Schema: { maxItems: number } }).Schema;
const contract = {
  validate: loadRequestValidator(apiStack.inference.requestValidatorFile),
  encoder: new FeatureEncoder(SPEC),
};
const maxBatch = edgeSchema.maxItems;

function functionAccepts(body: string): boolean {
  return parseInferenceRequest({ body, contentType: 'application/json' }, contract, { maxBodyBytes: 65_536 })
    .ok;
}

const record = (changes: Record<string, unknown> = {}) => ({ ...validRecord(), ...changes });
const json = (value: unknown) => JSON.stringify(value);

function handWrittenCorpus(): string[] {
  const bodies: string[] = [];
  // Valid: every allowed value of every categorical field, numeric bounds, optional fields absent or null.
  for (const field of SPEC.fields) {
    if (field.type === 'categorical')
      for (const v of field.values) bodies.push(json(record({ [field.name]: v })));
    else {
      for (const v of [field.minimum, field.maximum])
        if (v !== undefined) bodies.push(json(record({ [field.name]: v })));
    }
  }
  const { TotalCharges: _omit, ...withoutTotal } = record();
  bodies.push(json(withoutTotal), json(record({ TotalCharges: null })));
  bodies.push(json([record()]), json(Array.from({ length: maxBatch }, () => record())));
  // Edge: number spellings a text-keeping validator might read differently from JSON.parse.
  for (const spelling of [
    '49.0',
    '4.9e1',
    '490e-1',
    '49.000000000000001',
    '-0',
    '-0.0',
    '1e400',
    '-1e-400',
    '72.00000000000001',
    '0.5',
    '1E1',
  ]) {
    bodies.push(json(record()).replace('"tenure":49', `"tenure":${spelling}`));
  }
  for (const spelling of ['73.72', '5e2', '500.0000000000001', '1e-320', '100000']) {
    bodies.push(json(record()).replace('"MonthlyCharges":73.72', `"MonthlyCharges":${spelling}`));
  }
  // Edge: text where a number belongs (defect 3), null or missing required fields, wrong types.
  for (const value of [
    '49',
    ' 49 ',
    '+1',
    '.5',
    '4.9e1',
    '',
    '0x31',
    'Infinity',
    true,
    false,
    null,
    [],
    {},
    [49],
  ]) {
    bodies.push(json(record({ tenure: value })), json(record({ TotalCharges: value })));
  }
  for (const value of ['male', 'Male ', ' Male', 'MALE', '', null, 1, ['Male'], { v: 'Male' }]) {
    bodies.push(json(record({ gender: value })));
  }
  // Edge: customer ids, including line terminators that `$` treats differently across regex engines.
  for (const id of [
    '9393-PPCEA\n',
    '9393-PPCEA\r\n',
    '9393-PPCEA\u2028',
    '\n9393-PPCEA',
    ' 9393-PPCEA',
    '9393-ppcea',
    '١٢٣٤-PPCEA',
    '9393-PPCEAX',
    '',
    'x'.repeat(65),
    9393,
    null,
  ]) {
    bodies.push(json(record({ customerId: id })));
  }
  const { customerId: _id, ...withoutId } = record();
  bodies.push(json(withoutId));
  // Hostile keys: prototype names, an empty key, keys shaped like batch paths or ids.
  for (const key of [
    '__proto__',
    'constructor',
    'toString',
    '',
    '[5551234567]',
    '[0].tenure',
    'tenure ',
    'Tenure',
    'customerID',
  ]) {
    bodies.push(json(record()).replace(/}$/, `,${JSON.stringify(key)}:1}`));
  }
  // Duplicate keys: the last one wins in every reader used here.
  bodies.push(json(record()).replace('"tenure":49', '"tenure":"x","tenure":49'));
  bodies.push(json(record()).replace('"tenure":49', '"tenure":49,"tenure":"x"'));
  // Bodies: wrong top-level shapes, empty and oversized batches, nested arrays.
  for (const doc of [
    null,
    5,
    'text',
    true,
    [],
    [5],
    [null],
    [[record()]],
    {},
    Array.from({ length: maxBatch + 1 }, () => record()),
  ]) {
    bodies.push(json(doc));
  }
  bodies.push(json([record(), record({ tenure: -1 }), 'nope']));
  // Not JSON at all, or JSON only to lenient readers.
  for (const text of [
    '',
    '{',
    'NaN',
    '{"tenure": NaN}',
    "{'a': 1}",
    '[1,]',
    '\uFEFF' + json(record()),
    '/* c */' + json(record()),
    json(record()) + 'x',
  ]) {
    bodies.push(text);
  }
  return bodies;
}

function generatedCorpus(): string[] {
  const names = ['customerId', ...SPEC.fields.map((f) => f.name)];
  const oneFieldReplaced = fc
    .tuple(fc.constantFrom(...names), fc.jsonValue({ maxDepth: 2 }))
    .map(([field, value]) => json(record({ [field]: value })));
  const extraKey = fc
    .tuple(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }))
    .map(([key, value]) =>
      json(record()).replace(/}$/, `,${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}}`),
    );
  const anyDocument = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null');
  const numbers = fc
    .tuple(
      fc.constantFrom('tenure', 'SeniorCitizen', 'MonthlyCharges', 'TotalCharges'),
      fc.double({ noNaN: true }),
    )
    .map(([field, n]) =>
      json(record()).replace(
        new RegExp(`"${field}":[^,}]*`),
        `"${field}":${Number.isFinite(n) ? String(n) : '1e999'}`,
      ),
    );
  const batch = fc
    .array(
      fc.oneof(
        fc.constant(record()),
        oneFieldReplaced.map((b) => JSON.parse(b) as unknown),
      ),
      {
        minLength: 0,
        maxLength: maxBatch + 2,
      },
    )
    .map(json);
  return fc.sample(fc.oneof(oneFieldReplaced, extraKey, anyDocument, numbers, batch), {
    numRuns: 1500,
    seed: 13,
  });
}

describe('one request contract: the edge model and the function decide alike (issue 13, defect 3)', () => {
  test('the shipped validator is compiled from the very model the API synthesizes', () => {
    expect(edgeSchema).toMatchObject({ $schema: 'http://json-schema.org/draft-04/schema#' });
    expect(JSON.stringify(edgeSchema)).toContain('multipleOf');
  });

  test('hand-written valid, edge and hostile bodies get identical accept/refuse decisions', () => {
    const bodies = handWrittenCorpus();
    const edge = edgeDecisions(edgeSchema, bodies);
    const mismatches = bodies
      .map((body, i) => ({ body: body.slice(0, 200), edge: edge[i], fn: functionAccepts(body) }))
      .filter((d) => d.edge !== d.fn);
    expect(mismatches).toEqual([]);
    // The corpus exercises both sides of the contract.
    expect(edge.filter(Boolean).length).toBeGreaterThan(30);
    expect(edge.filter((d) => !d).length).toBeGreaterThan(80);
  });

  test('1,500 generated bodies (fields replaced by any JSON, extra keys, any document, any double, batches) agree', () => {
    const bodies = generatedCorpus();
    const edge = edgeDecisions(edgeSchema, bodies);
    const mismatches = bodies
      .map((body, i) => ({ body: body.slice(0, 200), edge: edge[i], fn: functionAccepts(body) }))
      .filter((d) => d.edge !== d.fn);
    expect(mismatches).toEqual([]);
    expect(edge.filter(Boolean).length).toBeGreaterThan(50);
  });
});
