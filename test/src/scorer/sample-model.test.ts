import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { FeatureEncoder, parseFeatureSpec, type RawRecord } from '../../../src/features';
import { loadModel, RecordScorer } from '../../../src/scorer';

const DIR = join(__dirname, '../../../models/sample-churn');

interface HoldoutFixture {
  readonly columns: string[];
  readonly records: RawRecord[];
  readonly prediction: number[];
  readonly contributions: number[][];
}

describe('sample churn model', () => {
  const bytes = readFileSync(join(DIR, 'model.json'));
  const expectedSha = readFileSync(join(DIR, 'model.sha256'), 'utf8').split(/\s+/)[0];
  const model = loadModel(bytes, { expectedSha256: expectedSha, source: 'models/sample-churn/model.json' });
  const spec = parseFeatureSpec(JSON.parse(readFileSync(join(DIR, 'feature-spec.json'), 'utf8')));
  const encoder = new FeatureEncoder(spec, { modelFeatureNames: model.featureNames });
  const fixture = JSON.parse(
    readFileSync(join(__dirname, '../../fixtures/xgboost/sample-churn-holdout.json'), 'utf8'),
  ) as HoldoutFixture;

  it('loads with its recorded SHA-256 and matches the metrics file', () => {
    const metrics = JSON.parse(readFileSync(join(DIR, 'metrics.json'), 'utf8'));
    expect(model.sha256).toBe(metrics.sha256);
    expect(model.objective).toBe('binary:logistic');
    expect(model.numTrees).toBe(metrics.numBoostRounds);
    expect(metrics.holdout.rocAuc).toBeGreaterThan(0.8);
  });

  it('has exactly the columns the feature specification produces', () => {
    expect([...model.featureNames]).toEqual(fixture.columns);
  });

  it('scores raw holdout records through the spec as XGBoost scored the Python encoding', () => {
    fixture.records.forEach((record, i) => {
      const encoded = encoder.encode(record);
      if (!encoded.ok) throw new Error(`record ${i}: ${JSON.stringify(encoded.errors)}`);
      expect(Math.abs(model.predict(encoded.vector) - fixture.prediction[i])).toBeLessThanOrEqual(1e-6);
      const { values, bias } = model.contributions(encoded.vector);
      const expected = fixture.contributions[i];
      values.forEach((v, j) => expect(Math.abs(v - expected[j])).toBeLessThanOrEqual(1e-5));
      expect(Math.abs(bias - expected[expected.length - 1])).toBeLessThanOrEqual(1e-5);
    });
  });

  it('explains a prediction per source field, the fields plus bias summing to the margin', () => {
    const encoded = encoder.encode(fixture.records[0]);
    if (!encoded.ok) throw new Error('fixture record 0 should be valid');
    const { values, bias } = model.contributions(encoded.vector);
    const byField = encoder.sumBySourceField(values);
    expect(Object.keys(byField)).toHaveLength(19);
    const total = Object.values(byField).reduce((a, b) => a + b, bias);
    expect(total).toBeCloseTo(model.predictMargin(encoded.vector), 5);
  });

  it('serves raw records end to end through RecordScorer, with per-field explanations on request', () => {
    const scorer = new RecordScorer(model, spec);
    const record = fixture.records[1];
    const plain = scorer.score(record);
    const explained = scorer.score(record, { explain: true });
    if (!plain.ok || !explained.ok) throw new Error('fixture record 1 should be valid');
    expect(Math.abs(plain.result.prediction - fixture.prediction[1])).toBeLessThanOrEqual(1e-6);
    expect(plain.result.contributions).toBeUndefined();
    const { contributions, bias, margin } = explained.result;
    expect(Object.keys(contributions ?? {})).toEqual(spec.fields.map((f) => f.name));
    expect(Object.values(contributions ?? {}).reduce((a, b) => a + b, bias ?? 0)).toBeCloseTo(margin, 5);
    expect(scorer.score({ ...record, tenure: -3 })).toEqual({
      ok: false,
      errors: [{ field: 'tenure', message: 'must be at least 0; got -3' }],
    });
  });
});
