import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadModel } from '../../../src/scorer';

const FIXTURES = join(__dirname, '../../fixtures/xgboost');

interface Expected {
  readonly featureNames: string[] | null;
  readonly rows: (number | null)[][];
  readonly margin: number[];
  readonly prediction: number[];
  readonly contributions: number[][];
}

const names = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.model.json'))
  .map((f) => f.replace(/\.model\.json$/, ''))
  .sort();

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('parity with XGBoost 1.7.4 on generated fixtures', () => {
  it('finds the fixture set (depths 1 to 8, several objectives, named features, 2.x layout)', () => {
    expect(names.length).toBeGreaterThanOrEqual(16);
    expect(names).toEqual(expect.arrayContaining(['dataframe_named_onehot', 'v2_layout_binary_logistic']));
  });

  describe.each(names)('%s', (name) => {
    const model = loadModel(readFileSync(join(FIXTURES, `${name}.model.json`)), { source: name });
    const expected = JSON.parse(readFileSync(join(FIXTURES, `${name}.expected.json`), 'utf8')) as Expected;
    const rows = expected.rows.map((r) => r.map((v) => (v === null ? NaN : v)));

    it('predicts what XGBoost predicts to 1e-6 and the margin bit for bit as float32', () => {
      const predictions = rows.map((r) => model.predict(r));
      expect(maxAbsDiff(predictions, expected.prediction)).toBeLessThanOrEqual(1e-6);
      const margins = rows.map((r) => model.predictMargin(r));
      expect(maxAbsDiff(margins, expected.margin)).toBeLessThanOrEqual(1e-6);
    });

    it('scores a row-major batch identically to row-by-row scoring', () => {
      const batch = new Float32Array(rows.flat());
      expect(Array.from(model.predictBatch(batch))).toEqual(rows.map((r) => model.predict(r)));
    });

    it('explains each row like pred_contribs=True to 1e-5 with the precomputed table, bias last', () => {
      expect(model.prepareContributions()).toBe('table');
      let worst = 0;
      rows.forEach((r, i) => {
        const { values, bias } = model.contributions(r);
        worst = Math.max(worst, maxAbsDiff([...values, bias], expected.contributions[i]));
      });
      expect(worst).toBeLessThanOrEqual(1e-5);
    });

    it('explains each row identically with the recursive algorithm (no table memory allowed)', () => {
      const recursive = loadModel(readFileSync(join(FIXTURES, `${name}.model.json`)), {
        treeShapTableBytes: 0,
      });
      expect(recursive.prepareContributions()).toBe('recursive');
      let worst = 0;
      rows.forEach((r, i) => {
        const { values, bias } = recursive.contributions(r);
        worst = Math.max(worst, maxAbsDiff([...values, bias], expected.contributions[i]));
      });
      expect(worst).toBeLessThanOrEqual(1e-5);
    });

    it('uses the feature names stored in the model, or f0..fN', () => {
      if (expected.featureNames) expect(model.featureNames).toEqual(expected.featureNames);
      else expect(model.featureNames).toEqual(rows[0].map((_, i) => `f${i}`));
    });
  });
});
