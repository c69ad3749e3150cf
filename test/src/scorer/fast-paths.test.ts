import { loadModel, type TreeEnsembleModel } from '../../../src/scorer';
import { randomModelJson, randomRows, type RandomModelOptions } from '../../helpers/random-model';

/**
 * Differential tests: the fast paths (flat scoring layout, TreeSHAP 'vectors' table, batch
 * explanations) against the reference paths they replace (linked walk, 'subset-sums' table, the
 * classic recursive TreeSHAP), on random models and rows with the cases that need care.
 */
const CASES: readonly (readonly [string, RandomModelOptions])[] = [
  ['numeric', { seed: 1, numTrees: 30, numFeatures: 12, maxDepth: 7 }],
  ['categorical masks', { seed: 2, numTrees: 30, numFeatures: 8, maxDepth: 6, categorical: 3 }],
  [
    'wide categories',
    { seed: 3, numTrees: 20, numFeatures: 8, maxDepth: 6, categorical: 3, maxCategory: 40 },
  ],
  ['dart weights', { seed: 4, numTrees: 20, numFeatures: 10, maxDepth: 5, dart: true, categorical: 2 }],
  ['empty-cover branches', { seed: 5, numTrees: 20, numFeatures: 6, maxDepth: 6, emptyCover: 0.15 }],
  [
    'a chain tree deeper than the flat layout takes',
    { seed: 6, numTrees: 10, numFeatures: 9, maxDepth: 5, chainDepth: 24 },
  ],
  ['few features, many repeated splits', { seed: 7, numTrees: 20, numFeatures: 3, maxDepth: 8 }],
];

const ROWS = 200;

/** A table budget just below what the 'vectors' layout needs, so the table takes 'subset-sums'. */
function compactBudget(json: string): number {
  const model = loadModel(json);
  model.prepareContributions();
  expect(model.treeShapTableLayout).toBe('vectors');
  return model.treeShapTableMemory - 8;
}

function explainAll(model: TreeEnsembleModel, rows: number[][]): Float64Array[] {
  return rows.map((r) => model.contributions(r).values);
}

describe.each(CASES)('fast paths on a random model: %s', (_name, options) => {
  const json = randomModelJson(options);
  const rows = randomRows(options.seed + 100, ROWS, options.numFeatures, options.categorical ?? 0);
  const flat = loadModel(json);
  const linked = loadModel(json, { flatForestBytes: 0, treeShapTableBytes: 0 });
  const batch = new Float32Array(rows.flat());
  const compact = loadModel(json, { treeShapTableBytes: compactBudget(json) });

  it('takes the flat layout unless a tree is too deep or categories too wide, and links when told', () => {
    const flatExpected = options.chainDepth === undefined && (options.maxCategory ?? 0) < 31;
    expect(flat.scoringLayout).toBe(flatExpected ? 'flat' : 'linked');
    expect(linked.scoringLayout).toBe('linked');
  });

  it('scores every row bit for bit like the linked walk, one by one and in batches of any size', () => {
    const margins = rows.map((r) => linked.predictMargin(r));
    expect(rows.map((r) => flat.predictMargin(r))).toEqual(margins);
    expect(Array.from(flat.predictBatch(batch, undefined, true))).toEqual(margins);
    expect(Array.from(linked.predictBatch(batch, undefined, true))).toEqual(margins);
    // Sizes around the lane group and the block, so partial groups and blocks are crossed.
    for (const size of [1, 7, 8, 9, 127, 129]) {
      const part = flat.predictBatch(batch.subarray(0, size * options.numFeatures));
      expect(Array.from(part)).toEqual(rows.slice(0, size).map((r) => linked.predict(r)));
    }
  });

  it('explains with the vectors table exactly as with the subset-sums table, and within 1e-9 of the recursive TreeSHAP', () => {
    expect(flat.prepareContributions()).toBe('table');
    expect(flat.treeShapTableLayout).toBe('vectors');
    compact.prepareContributions();
    expect(compact.treeShapTableLayout).toBe('subset-sums');
    expect(linked.prepareContributions()).toBe('recursive');
    const vectors = explainAll(flat, rows);
    const sums = explainAll(compact, rows);
    const recursive = explainAll(linked, rows);
    let worst = 0;
    vectors.forEach((v, i) => {
      expect(Array.from(v)).toEqual(Array.from(sums[i]));
      v.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - recursive[i][j]))));
      const sum = v.reduce((s, x) => s + x, flat.expectedMargin);
      expect(Math.abs(sum - flat.predictMargin(rows[i]))).toBeLessThan(1e-4);
    });
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('explains a batch bit for bit like row by row, bias last, with each TreeSHAP algorithm', () => {
    const n = options.numFeatures;
    for (const model of [flat, compact, linked]) {
      const expected = explainAll(model, rows).flatMap((v) => [...v, model.expectedMargin]);
      const all = model.contributionsBatch(batch);
      expect(Array.from(all)).toEqual(expected);
      // A reused output buffer holding stale numbers gives the same answer.
      const out = new Float64Array(ROWS * (n + 1)).fill(7);
      expect(Array.from(model.contributionsBatch(batch, out))).toEqual(Array.from(all));
    }
  });
});

describe('TreeSHAP tables chosen per use', () => {
  // Deep enough that its 'vectors' table (about 11 MiB) exceeds what one-row explanations take.
  const json = randomModelJson({ seed: 11, numTrees: 20, numFeatures: 30, maxDepth: 8 });
  const rows = randomRows(12, 120, 30);

  it('explains one row from subset sums and batches from vectors, with equal numbers bit for bit', () => {
    const model = loadModel(json);
    expect(model.prepareContributions()).toBe('table');
    expect(model.treeShapTableLayout).toBe('subset-sums');
    const all = model.contributionsBatch(new Float32Array(rows.flat()));
    expect(model.batchTreeShapTableLayout).toBe('vectors');
    const expected = explainAll(model, rows).flatMap((v) => [...v, model.expectedMargin]);
    expect(Array.from(all)).toEqual(expected);
  });

  it('explains batches from the one-row table when vectors exceed the budget', () => {
    const model = loadModel(json, { treeShapTableBytes: 8 << 20 });
    model.contributionsBatch(new Float32Array(30));
    expect(model.batchTreeShapTableLayout).toBe('subset-sums');
  });
});

describe('fast-path inputs', () => {
  const json = randomModelJson({ seed: 9, numTrees: 5, numFeatures: 4, maxDepth: 3 });
  const model = loadModel(json);

  it('refuses rows shorter or longer than the feature count instead of reading past them', () => {
    expect(() => model.predict([1, 2, 3])).toThrow(RangeError);
    expect(() => model.predict([1, 2, 3, 4, 5])).toThrow(RangeError);
    expect(() => model.contributions([1, 2, 3])).toThrow(RangeError);
    expect(() => model.predictBatch(new Float32Array(7))).toThrow(RangeError);
    expect(() => model.contributionsBatch(new Float32Array(7))).toThrow(RangeError);
    expect(() => model.contributionsBatch(new Float32Array(8), new Float64Array(9))).toThrow(RangeError);
  });

  it('explains an empty batch as nothing', () => {
    expect(model.contributionsBatch(new Float32Array(0)).length).toBe(0);
    expect(model.predictBatch(new Float32Array(0)).length).toBe(0);
  });

  it('keeps the linked walk when the flat layout would exceed its memory budget, with the same numbers', () => {
    const small = loadModel(json, { flatForestBytes: 64 });
    expect(small.scoringLayout).toBe('linked');
    const rows = randomRows(10, 50, 4);
    expect(rows.map((r) => small.predict(r))).toEqual(rows.map((r) => model.predict(r)));
  });
});
