import { seededRandom } from '../../src/seeded-random';

export interface RandomModelOptions {
  readonly seed: number;
  readonly numTrees: number;
  readonly numFeatures: number;
  /** Deepest a tree may grow (a tree stops early at random, so shapes are ragged). */
  readonly maxDepth: number;
  /** Features 0 .. categorical-1 are native categorical. */
  readonly categorical?: number;
  /** Largest category code a split may name (31 or more needs the generic categorical decision). */
  readonly maxCategory?: number;
  /** Dart: a weight per tree. */
  readonly dart?: boolean;
  /** Chance that a child's cover is 0 (an empty branch, which TreeSHAP treats apart). */
  readonly emptyCover?: number;
  /** Tree 2 becomes a chain this deep (one leaf child per level): deep, but few nodes. */
  readonly chainDepth?: number;
}

/**
 * A random XGBoost 1.7-layout model (JSON text): trees of ragged shape (single leaves and depth-1 trees
 * included), numeric thresholds drawn near the row values, categorical splits with random code sets,
 * random default directions and covers. For differential tests of the scorer's fast paths against its
 * reference paths; its numbers mean nothing.
 */
export function randomModelJson(options: RandomModelOptions): string {
  const rand = seededRandom(options.seed);
  const categorical = options.categorical ?? 0;
  const maxCategory = options.maxCategory ?? 6;
  const trees = [];
  for (let t = 0; t < options.numTrees; t++) {
    const left: number[] = [];
    const right: number[] = [];
    const split: number[] = [];
    const cond: number[] = [];
    const defaultLeft: number[] = [];
    const hess: number[] = [];
    const splitType: number[] = [];
    const catNodes: number[] = [];
    const catSegments: number[] = [];
    const catSizes: number[] = [];
    const cats: number[] = [];
    // Tree 0 is a single leaf and tree 1 a stump, whatever the seed.
    const chain = t === 2 && options.chainDepth !== undefined;
    const limit = t === 0 ? 0 : t === 1 ? 1 : chain ? (options.chainDepth as number) : options.maxDepth;
    const grow = (cover: number, depth: number, leaf = false): number => {
      const n = left.length;
      left.push(-1);
      right.push(-1);
      split.push(0);
      cond.push(0);
      defaultLeft.push(rand() < 0.5 ? 1 : 0);
      hess.push(cover);
      splitType.push(0);
      // A branch nothing reached (cover 0) is a leaf: XGBoost never splits one.
      const stop = leaf || cover === 0 || depth >= limit || (!chain && depth > 0 && rand() < 0.2);
      if (stop) {
        cond[n] = Math.fround((rand() - 0.5) * 0.6);
        return n;
      }
      const f = Math.floor(rand() * options.numFeatures);
      split[n] = f;
      if (f < categorical) {
        splitType[n] = 1;
        cond[n] = NaN;
        const codes: number[] = [];
        for (let c = 0; c <= maxCategory; c++) if (rand() < 0.4) codes.push(c);
        if (codes.length === 0) codes.push(Math.floor(rand() * (maxCategory + 1)));
        catNodes.push(n);
        catSegments.push(cats.length);
        catSizes.push(codes.length);
        cats.push(...codes);
      } else {
        cond[n] = Math.fround((rand() - 0.5) * 4);
      }
      const empty = options.emptyCover ?? 0;
      const share = rand() < empty ? 0 : rand() < empty ? 1 : 0.1 + 0.8 * rand();
      const leftCover = Math.fround(cover * share);
      const leafSide = chain ? (rand() < 0.5 ? 0 : 1) : -1;
      const l = grow(leftCover, depth + 1, leafSide === 0);
      const r = grow(Math.fround(cover - leftCover), depth + 1, leafSide === 1);
      left[n] = l;
      right[n] = r;
      return n;
    };
    grow(Math.fround(50 + 500 * rand()), 0);
    const numNodes = left.length;
    trees.push({
      base_weights: new Array(numNodes).fill(0),
      categories: cats,
      categories_nodes: catNodes,
      categories_segments: catSegments,
      categories_sizes: catSizes,
      default_left: defaultLeft,
      id: t,
      left_children: left,
      loss_changes: new Array(numNodes).fill(0),
      parents: new Array(numNodes).fill(2147483647),
      right_children: right,
      split_conditions: cond.map((c) => (Number.isNaN(c) ? 0 : c)),
      split_indices: split,
      split_type: splitType,
      sum_hessian: hess,
      tree_param: {
        num_deleted: '0',
        num_feature: String(options.numFeatures),
        num_nodes: String(numNodes),
        size_leaf_vector: '0',
      },
    });
  }
  const gbtree = {
    model: {
      gbtree_model_param: {
        num_parallel_tree: '1',
        num_trees: String(options.numTrees),
        size_leaf_vector: '0',
      },
      tree_info: new Array(options.numTrees).fill(0),
      trees,
    },
    name: 'gbtree',
  };
  const weights = Array.from({ length: options.numTrees }, () => Math.fround(0.3 + rand()));
  return JSON.stringify({
    learner: {
      attributes: {},
      feature_names: [],
      feature_types: Array.from({ length: options.numFeatures }, (_, f) => (f < categorical ? 'c' : 'float')),
      gradient_booster: options.dart ? { name: 'dart', gbtree, weight_drop: weights } : gbtree,
      learner_model_param: {
        base_score: '4.2E-1',
        boost_from_average: '1',
        num_class: '0',
        num_feature: String(options.numFeatures),
        num_target: '1',
      },
      objective: { name: 'binary:logistic', reg_loss_param: { scale_pos_weight: '1' } },
    },
    version: [1, 7, 4],
  });
}

/**
 * Random rows for a model from randomModelJson: numeric values around the thresholds, and the values
 * that need care: NaN (missing), +/-Infinity, -0, and for categorical features codes in and out of the
 * split sets, fractional, negative, unseen and huge codes.
 */
export function randomRows(seed: number, numRows: number, numFeatures: number, categorical = 0): number[][] {
  const rand = seededRandom(seed);
  const special = [NaN, Infinity, -Infinity, -0, 0];
  const oddCodes = [-1, -0.5, 2.7, 31, 32, 40, 1e9, 16_777_216];
  return Array.from({ length: numRows }, () =>
    Array.from({ length: numFeatures }, (_, f) => {
      const u = rand();
      if (u < 0.08) return special[Math.floor(rand() * special.length)];
      if (f < categorical) {
        return u < 0.15 ? oddCodes[Math.floor(rand() * oddCodes.length)] : Math.floor(rand() * 10);
      }
      return (rand() - 0.5) * 5;
    }),
  );
}
