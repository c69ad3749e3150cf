import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadModel, ModelFormatError, UnsupportedModelError } from '../../../src/scorer';
import { fixtureCases, fixturesPresent, XGBOOST_FIXTURES } from '../../helpers/xgboost-fixtures';

/** One categorical split on feature 0: codes in `right` go right (leaf +1), anything else left (-1). */
function oneSplit(
  right: number[],
  options: { defaultLeft?: boolean; names?: string[]; types?: string[] } = {},
) {
  const names = options.names ?? ['a', 'b', 'c', 'd'];
  const bytes = names.flatMap((n) => Array.from(new TextEncoder().encode(n)));
  const offsets = names.reduce<number[]>(
    (acc, n) => [...acc, acc[acc.length - 1] + new TextEncoder().encode(n).length],
    [0],
  );
  return JSON.stringify({
    version: [3, 1, 3],
    learner: {
      feature_names: ['plan', 'x'],
      feature_types: options.types ?? ['c', 'float'],
      learner_model_param: { base_score: '[5E-1]', num_class: '0', num_feature: '2', num_target: '1' },
      objective: { name: 'binary:logitraw' },
      gradient_booster: {
        name: 'gbtree',
        model: {
          cats: {
            enc: [
              { offsets, values: bytes },
              { offsets: [], values: [] },
            ],
            feature_segments: [0, names.length, names.length],
            sorted_idx: [],
          },
          gbtree_model_param: { num_trees: '1' },
          tree_info: [0],
          trees: [
            {
              tree_param: { num_nodes: '3', size_leaf_vector: '1' },
              left_children: [1, -1, -1],
              right_children: [2, -1, -1],
              split_indices: [0, 0, 0],
              split_conditions: [1e-45, -1, 1],
              split_type: [1, 0, 0],
              default_left: [options.defaultLeft === false ? 0 : 1, 0, 0],
              sum_hessian: [10, 4, 6],
              categories: right,
              categories_nodes: [0],
              categories_segments: [0],
              categories_sizes: [right.length],
            },
          ],
        },
      },
    },
  });
}

/** The leaf a value reaches (margin minus base score 0.5 as a logitraw margin). */
const leaf = (model: ReturnType<typeof loadModel>, value: number): number =>
  model.predictMargin([value, 0]) - 0.5;

describe('native categorical splits decide like XGBoost (common::Decision)', () => {
  const small = loadModel(oneSplit([1, 3]));
  const wide = loadModel(oneSplit([1, 3, 40], { names: Array.from({ length: 41 }, (_, i) => `level-${i}`) }));

  it.each([
    ['a category in the set goes right', 1, 1],
    ['another category in the set goes right', 3, 1],
    ['a category outside the set goes left', 2, -1],
    ['code 0 outside the set goes left', 0, -1],
    ['a fractional value is truncated to its category', 1.9, 1],
    ['a negative value is no category and goes left', -0.5, -1],
    ['a code beyond every stored category goes left', 17, -1],
    ['a value of 2^24 or more goes left', 2 ** 24 + 3, -1],
    ['a missing value takes the default direction (left here)', NaN, -1],
  ])('%s', (_what, value, expected) => {
    expect(leaf(small, value)).toBeCloseTo(expected, 6);
    // Codes of 31 and more cannot live in one 32-bit mask: the generic path must decide the same.
    expect(leaf(wide, value)).toBeCloseTo(expected, 6);
  });

  it('decides codes above 30 on the generic path, and missing values to the right where that is the default', () => {
    expect(leaf(wide, 40)).toBeCloseTo(1, 6);
    expect(leaf(wide, 39)).toBeCloseTo(-1, 6);
    expect(leaf(loadModel(oneSplit([1], { defaultLeft: false })), NaN)).toBeCloseTo(1, 6);
  });

  it('explains the split exactly: the contribution goes to the categorical feature', () => {
    for (const model of [small, wide]) {
      const { values, bias } = model.contributions([3, 0]);
      // Mean leaf = (4 * -1 + 6 * 1) / 10 = 0.2; leaf reached +1: contribution 0.8 on 'plan'.
      expect(bias).toBeCloseTo(0.5 + 0.2, 6);
      expect(values[0]).toBeCloseTo(0.8, 6);
      expect(values[1]).toBe(0);
    }
  });

  it('exposes the stored names in code order and the feature types', () => {
    expect(small.featureTypes).toEqual(['c', 'float']);
    expect(small.categoryNames).toEqual([['a', 'b', 'c', 'd'], undefined]);
  });

  it('refuses inconsistent categorical data with the path of the problem', () => {
    expect(() => loadModel(oneSplit([1, 7]))).toThrow(
      /node 0 splits on category code 7 of plan, which has 4 stored categories/,
    );
    expect(() => loadModel(oneSplit([1], { types: ['float', 'float'] }))).toThrow(ModelFormatError);
    expect(() => loadModel(oneSplit([1], { types: ['float', 'float'] }))).toThrow(
      /feature_types says is 'float'/,
    );
    expect(() => loadModel(oneSplit([70_000], { names: ['only'] }))).toThrow(UnsupportedModelError);
    const doc = JSON.parse(oneSplit([1])) as {
      learner: { gradient_booster: { model: { trees: Record<string, unknown>[] } } };
    };
    doc.learner.gradient_booster.model.trees[0].categories_sizes = [5];
    expect(() => loadModel(JSON.stringify(doc))).toThrow(
      /categories 0\.\.5 run past the 1 stored categories/,
    );
  });

  it('reads a 1.7 model that stores no category names (codes only)', () => {
    const model = loadModel(
      readFileSync(join(__dirname, '../../fixtures/xgboost/unsupported/native_categorical.model.json')),
    );
    expect(model.featureTypes).toEqual(['float', 'c']);
    expect(model.categoryNames).toEqual([undefined, undefined]);
  });
});

const describeFixture = fixturesPresent() ? describe : describe.skip;

describeFixture('the generic categorical path on XGBoost 3.4.1 answers', () => {
  it('reproduces XGBoost when Region codes are shifted past one mask (40 unused levels first)', () => {
    const c = fixtureCases().find((k) => k.id === 'xgboost-3.4.1/native-categorical');
    if (!c) throw new Error('native-categorical fixture missing');
    const doc = JSON.parse(
      readFileSync(join(XGBOOST_FIXTURES, 'xgboost-3.4.1/native-categorical/model.json'), 'utf8'),
    );
    const model = doc.learner.gradient_booster.model;
    const region = doc.learner.feature_names.indexOf('Region');
    const pad = Array.from({ length: 40 }, (_, i) => `unused-${String(i).padStart(2, '0')}`);
    const enc = model.cats.enc[region];
    const padBytes = pad.flatMap((n) => Array.from(new TextEncoder().encode(n)));
    const shift = padBytes.length;
    enc.offsets = [...pad.map((_, i) => i * 9), ...enc.offsets.map((o: number) => o + shift)];
    enc.values = [...padBytes, ...enc.values];
    for (const tree of model.trees) {
      tree.categories_nodes.forEach((node: number, i: number) => {
        if (tree.split_indices[node] !== region) return;
        const start = tree.categories_segments[i];
        for (let k = start; k < start + tree.categories_sizes[i]; k++) tree.categories[k] += 40;
      });
    }
    const shifted = loadModel(JSON.stringify(doc));
    const names = shifted.categoryNames;
    let worst = 0;
    c.cells.forEach((cells, i) => {
      const row = cells.map((cell, f) =>
        cell === '' ? NaN : shifted.featureTypes[f] === 'c' ? (names[f] ?? []).indexOf(cell) : Number(cell),
      );
      worst = Math.max(worst, Math.abs(shifted.predict(row) - c.prediction[i]));
      const { values, bias } = shifted.contributions(row);
      [...values, bias].forEach(
        (v, j) => (worst = Math.max(worst, Math.abs(v - c.contributions[i][j]) / 10)),
      );
    });
    expect(worst).toBeLessThanOrEqual(1e-6);
  });
});
