import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import { loadModel } from '../../../src/scorer';

const FIXTURES = join(__dirname, '../../fixtures/xgboost');
const NAMES = ['binary_logistic_depth7_missing', 'reg_squarederror_depth5_missing', 'dataframe_named_onehot'];

describe.each(NAMES)('properties of %s on arbitrary rows', (name) => {
  const bytes = readFileSync(join(FIXTURES, `${name}.model.json`));
  const table = loadModel(bytes);
  const recursive = loadModel(bytes, { treeShapTableBytes: 0 });
  const value = fc.oneof(
    fc.constant(NaN),
    fc.integer({ min: -4, max: 4 }),
    fc.double({ min: -5, max: 5, noNaN: true }),
  );
  const row = fc.array(value, { minLength: table.numFeatures, maxLength: table.numFeatures });

  it('contributions plus bias add up to the margin, and both TreeSHAP algorithms agree', () => {
    fc.assert(
      fc.property(row, (r) => {
        const a = table.contributions(r);
        const b = recursive.contributions(r);
        const sum = a.values.reduce((s, v) => s + v, a.bias);
        expect(Math.abs(sum - table.predictMargin(r))).toBeLessThan(1e-4);
        a.values.forEach((v, i) => expect(Math.abs(v - b.values[i])).toBeLessThan(1e-9));
      }),
      { numRuns: 150, seed: 1 },
    );
  });

  it('batch scoring equals row-by-row scoring for any batch size', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 0, maxLength: 19 }), (rows) => {
        const batch = table.predictBatch(new Float32Array(rows.flat()));
        expect(Array.from(batch)).toEqual(rows.map((r) => table.predict(r)));
      }),
      { numRuns: 60, seed: 2 },
    );
  });
});
