/**
 * Scorer benchmark: a 100-tree, depth-6 binary:logistic model with complete trees (the worst case for
 * depth 6: every path is 6 splits long), 20 features, 10,000 rows with 5% missing values.
 * The model is generated deterministically in XGBoost's JSON layout and loaded through the public
 * loader, so parsing, validation and compilation are exactly what production uses.
 */
import { performance } from 'node:perf_hooks';

import { loadModel, type TreeEnsembleModel } from '../src/scorer';

const NUM_TREES = 100;
const DEPTH = 6;
const NUM_FEATURES = 20;
const NUM_ROWS = 10_000;

/** Small deterministic PRNG (mulberry32) so every run scores the same model and rows. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

export function syntheticModelJson(numTrees = NUM_TREES, depth = DEPTH, numFeatures = NUM_FEATURES): string {
  const rand = random(42);
  const trees = [];
  const numNodes = 2 ** (depth + 1) - 1;
  for (let t = 0; t < numTrees; t++) {
    const left: number[] = [];
    const right: number[] = [];
    const split: number[] = [];
    const cond: number[] = [];
    const defaultLeft: number[] = [];
    const hess: number[] = new Array(numNodes).fill(0);
    hess[0] = 1000;
    for (let n = 0; n < numNodes; n++) {
      const isLeaf = 2 * n + 1 >= numNodes;
      left.push(isLeaf ? -1 : 2 * n + 1);
      right.push(isLeaf ? -1 : 2 * n + 2);
      split.push(isLeaf ? 0 : Math.floor(rand() * numFeatures));
      cond.push(Math.fround(isLeaf ? 0.2 * normal(rand) : 0.8 * normal(rand)));
      defaultLeft.push(rand() < 0.5 ? 1 : 0);
      if (!isLeaf) {
        const share = 0.2 + 0.6 * rand();
        hess[2 * n + 1] = Math.fround(hess[n] * share);
        hess[2 * n + 2] = Math.fround(hess[n] - hess[2 * n + 1]);
      }
    }
    trees.push({
      base_weights: new Array(numNodes).fill(0),
      categories: [],
      categories_nodes: [],
      categories_segments: [],
      categories_sizes: [],
      default_left: defaultLeft,
      id: t,
      left_children: left,
      loss_changes: new Array(numNodes).fill(0),
      parents: left.map((_, n) => (n === 0 ? 2147483647 : (n - 1) >> 1)),
      right_children: right,
      split_conditions: cond,
      split_indices: split,
      split_type: new Array(numNodes).fill(0),
      sum_hessian: hess,
      tree_param: {
        num_deleted: '0',
        num_feature: String(numFeatures),
        num_nodes: String(numNodes),
        size_leaf_vector: '0',
      },
    });
  }
  return JSON.stringify({
    learner: {
      attributes: {},
      feature_names: [],
      feature_types: [],
      gradient_booster: {
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(numTrees), size_leaf_vector: '0' },
          tree_info: new Array(numTrees).fill(0),
          trees,
        },
        name: 'gbtree',
      },
      learner_model_param: {
        base_score: '5E-1',
        boost_from_average: '1',
        num_class: '0',
        num_feature: String(numFeatures),
        num_target: '1',
      },
      objective: { name: 'binary:logistic', reg_loss_param: { scale_pos_weight: '1' } },
    },
    version: [1, 7, 4],
  });
}

export function syntheticRows(numRows = NUM_ROWS, numFeatures = NUM_FEATURES): Float32Array {
  const rand = random(7);
  const rows = new Float32Array(numRows * numFeatures);
  for (let i = 0; i < rows.length; i++) rows[i] = rand() < 0.05 ? NaN : normal(rand);
  return rows;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function timeBest(repeats: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best / 1000;
}

export interface ScorerBenchResult {
  readonly scoringRowsPerSecond: number;
  readonly treeShapRowsPerSecond: number;
  readonly singleRowP50Micros: number;
  readonly singleRowP99Micros: number;
  readonly loadMillis: number;
}

export function measure(): ScorerBenchResult {
  const json = syntheticModelJson();
  const loadStart = performance.now();
  const model: TreeEnsembleModel = loadModel(json, { source: 'synthetic-100x6' });
  const loadMillis = performance.now() - loadStart;
  const rows = syntheticRows();
  const out = new Float64Array(NUM_ROWS);

  // Warm up so the JIT has optimised the hot loops before timing.
  for (let i = 0; i < 5; i++) model.predictBatch(rows, out);
  const batchSeconds = timeBest(10, () => model.predictBatch(rows, out));

  const shapRows = 2_000;
  const row = new Float64Array(NUM_FEATURES);
  const explain = (count: number): void => {
    for (let r = 0; r < count; r++) {
      for (let j = 0; j < NUM_FEATURES; j++) row[j] = rows[r * NUM_FEATURES + j];
      model.contributions(row);
    }
  };
  explain(200);
  const shapSeconds = timeBest(3, () => explain(shapRows));

  // Single-row latency: the API path scores one record at a time.
  const latencies = new Float64Array(NUM_ROWS);
  for (let r = 0; r < NUM_ROWS; r++) {
    for (let j = 0; j < NUM_FEATURES; j++) row[j] = rows[r * NUM_FEATURES + j];
    const start = performance.now();
    model.predict(row);
    latencies[r] = (performance.now() - start) * 1000;
  }
  latencies.sort();

  return {
    scoringRowsPerSecond: NUM_ROWS / batchSeconds,
    treeShapRowsPerSecond: shapRows / shapSeconds,
    singleRowP50Micros: percentile(latencies, 50),
    singleRowP99Micros: percentile(latencies, 99),
    loadMillis,
  };
}

export async function run(): Promise<void> {
  const r = measure();
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(
    `scorer: ${NUM_TREES} trees, depth ${DEPTH}, ${NUM_FEATURES} features, ${NUM_ROWS.toLocaleString('en-US')} rows`,
  );
  console.log(`  model load (parse + validate + compile): ${r.loadMillis.toFixed(1)} ms`);
  console.log(`  scoring:  ${fmt(r.scoringRowsPerSecond)} rows/s (target >= 400,000)`);
  console.log(`  TreeSHAP: ${fmt(r.treeShapRowsPerSecond)} rows/s (target >= 1,300)`);
  console.log(
    `  single-row latency: p50 ${r.singleRowP50Micros.toFixed(2)} us, p99 ${r.singleRowP99Micros.toFixed(2)} us`,
  );
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
