import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerGoldenRecords } from '../../../lambda/inference/answer-check';
import { budgetOf } from '../../../lambda/inference/deadline';
import { parseBaseline } from '../../../src/drift/baseline';
import { parseFeatureSpec } from '../../../src/features';
import {
  buildProvenance,
  firstDifference,
  goldenRowsFor,
  RegistryError,
  type GoldenRecordSpec,
  type ModelProvenance,
} from '../../../src/registry';
import { recordFromRow, specEncoder } from '../../../src/registry/golden-records';
import { CONTRACT, EMBEDDED, MODEL, MODEL_DIR, recorders, SPEC } from '../../lambda/inference/fixtures';

const SPEC_TEXT = readFileSync(join(MODEL_DIR, 'feature-spec.json'), 'utf8');
const RECORD_SPEC: GoldenRecordSpec = { name: 'feature-spec.json', spec: SPEC, sha256: 'f'.repeat(64) };
const BASELINE = parseBaseline(JSON.parse(readFileSync(join(MODEL_DIR, 'baseline.json'), 'utf8')));
// The holdout's first 300 customers (header included): API records with customerID and Churn beside them.
const HOLDOUT = readFileSync(join(MODEL_DIR, 'holdout.csv'), 'utf8').split('\n').slice(0, 301).join('\n');

function provenanceOf(golden: Awaited<ReturnType<typeof goldenRowsFor>>): ModelProvenance {
  return buildProvenance({
    model: MODEL,
    modelFile: { name: 'model.json', bytes: Buffer.from('{}') },
    artifactSha256: 'a'.repeat(64),
    goldenRows: golden.rows,
    goldenSource: golden.source,
    ...(golden.records && golden.featureSpec
      ? { goldenRecords: golden.records, featureSpec: golden.featureSpec }
      : {}),
  });
}

/** The recorded records sent through the inference function's own check path (encoder, backend). */
async function servedAnswers(provenance: ModelProvenance): Promise<number[]> {
  const budget = budgetOf(10_000);
  const reply = await answerGoldenRecords(
    { servedAnswerCheck: { records: provenance.golden.records! } },
    {
      modelVersion: '3',
      contract: CONTRACT,
      backend: () => Promise.resolve(EMBEDDED),
      budget,
      log: recorders().log,
    },
  );
  budget.dispose();
  if (!reply.ok) throw new Error(`not answered: ${JSON.stringify(reply)}`);
  return [...reply.probabilities];
}

function modelColumnsCsv(rows: readonly (readonly number[])[]): string {
  const line = (values: readonly (string | number)[]) => values.join(',');
  return [
    line(MODEL.featureNames.map((n) => (/[",]/.test(n) ? `"${n}"` : n))),
    ...rows.map((r) => line(r.map((v) => (Number.isNaN(v) ? '' : v)))),
  ].join('\n');
}

describe('golden records (MODEL-6, embedded serving): what the function takes, recorded at publish', () => {
  test('MODEL-6 contract: records derived from baseline model columns score to the recorded predictions through the real inference core', async () => {
    const golden = await goldenRowsFor(
      { kind: 'baseline', name: 'baseline.json', baseline: BASELINE },
      MODEL,
      RECORD_SPEC,
    );
    expect(golden.records).toHaveLength(golden.rows.length);
    expect(golden.featureSpec).toEqual({ name: SPEC.name, sha256: 'f'.repeat(64) });
    const provenance = provenanceOf(golden);
    const answers = await servedAnswers(provenance);
    expect(firstDifference(provenance, answers)).toBeUndefined();
    // The same predictions, not merely within tolerance: the function and publish score alike.
    expect(Math.max(...answers.map((a, i) => Math.abs(a - provenance.golden.predictions[i])))).toBeLessThan(
      1e-12,
    );
  });

  test('MODEL-6 contract: a CSV of model columns gets records, and they answer as recorded', async () => {
    const drawn = await goldenRowsFor({ kind: 'baseline', name: 'b', baseline: BASELINE }, MODEL);
    const csv = modelColumnsCsv(drawn.rows.slice(0, 25));
    const golden = await goldenRowsFor({ kind: 'csv', name: 'rows.csv', text: csv }, MODEL, RECORD_SPEC);
    expect(golden.source).toBe('--golden-rows rows.csv');
    const provenance = provenanceOf(golden);
    expect(firstDifference(provenance, await servedAnswers(provenance))).toBeUndefined();
  });

  test('MODEL-6 a CSV of API records (holdout, with customerID and Churn columns) is read as records', async () => {
    const golden = await goldenRowsFor(
      { kind: 'csv', name: 'holdout.csv', text: HOLDOUT },
      MODEL,
      RECORD_SPEC,
    );
    expect(golden.source).toBe('--golden-rows holdout.csv (API records)');
    expect(golden.records![1]).toMatchObject({
      gender: 'Male',
      tenure: 49,
      Contract: 'One year',
      MonthlyCharges: 73.72,
    });
    expect(golden.records![1]).not.toHaveProperty('customerID');
    const provenance = provenanceOf(golden);
    expect(firstDifference(provenance, await servedAnswers(provenance))).toBeUndefined();
  });

  test("MODEL-6 without rows, records are drawn on the model's split points in the specification's fields", async () => {
    const golden = await goldenRowsFor({ kind: 'model' }, MODEL, RECORD_SPEC);
    expect(golden.source).toBe("the model's split points (as API records)");
    expect(golden.records).toHaveLength(200);
    const provenance = provenanceOf(golden);
    expect(firstDifference(provenance, await servedAnswers(provenance))).toBeUndefined();
    // Older behaviour without a specification: model columns only, no records.
    const plain = await goldenRowsFor({ kind: 'model' }, MODEL);
    expect(plain.records).toBeUndefined();
    expect(provenanceOf(plain).golden).not.toHaveProperty('records');
  });

  test('MODEL-6 a model-column row no record encodes to is refused, naming the row and the field', async () => {
    const encoder = specEncoder(SPEC, MODEL, 'spec');
    const golden = await goldenRowsFor({ kind: 'baseline', name: 'b', baseline: BASELINE }, MODEL);
    const row = [...golden.rows[0]];
    const contract = MODEL.featureNames.filter((n) => n.startsWith('Contract_'));
    row[MODEL.featureNames.indexOf(contract[0])] = 0.5;
    expect(() => recordFromRow(encoder, row, 'golden row 7')).toThrow(
      /golden row 7 cannot be written as an API record .*field 'Contract' is one-hot encoded but its columns are not 0\/1/,
    );
    for (const c of contract) row[MODEL.featureNames.indexOf(c)] = 1;
    expect(() => recordFromRow(encoder, row, 'golden row 7')).toThrow(
      /field 'Contract' has more than one hot column/,
    );
    const tenure = [...golden.rows[0]];
    tenure[MODEL.featureNames.indexOf('tenure')] = NaN;
    expect(() => recordFromRow(encoder, tenure, 'row 2')).toThrow(/required field 'tenure' is missing/);
    const outOfBounds = [...golden.rows[0]];
    outOfBounds[MODEL.featureNames.indexOf('tenure')] = -5;
    expect(() => recordFromRow(encoder, outOfBounds, 'row 3')).toThrow(/field 'tenure' must be at least 0/);
    // Through publish's path: the CSV's row number is named, and the error is a usage error.
    const csv = modelColumnsCsv([golden.rows[0], row]);
    const refused = await goldenRowsFor(
      { kind: 'csv', name: 'rows.csv', text: csv },
      MODEL,
      RECORD_SPEC,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RegistryError);
    expect((refused as RegistryError).kind).toBe('usage');
    expect((refused as Error).message).toMatch(
      /^--golden-rows rows\.csv row 2 cannot be written as an API record/,
    );
  });

  test('MODEL-6 a specification that does not describe the model is refused at publish, naming --feature-spec', async () => {
    const other = JSON.parse(SPEC_TEXT) as { fields: Array<{ name: string }> };
    other.fields = other.fields.filter((f) => f.name !== 'tenure');
    const spec = parseFeatureSpec(other);
    await expect(
      goldenRowsFor({ kind: 'model' }, MODEL, { name: 'other.json', spec, sha256: 'f'.repeat(64) }),
    ).rejects.toThrow(
      /^--feature-spec other\.json: feature specification .* model columns not produced by the specification: tenure/,
    );
  });
});
