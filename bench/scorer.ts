/**
 * Scorer benchmark on 10,000 rows, for three binary:logistic models:
 *  - synthetic complete trees in issue 14's shape (100 trees of depth 6, 30 features, 5% missing; the
 *    worst case for depth 6: 64 leaves per tree, every path 6 splits long, random features and
 *    thresholds so branches are unpredictable), generated deterministically in XGBoost's JSON layout;
 *  - the committed sample churn model (trained by XGBoost, 100 trees, max depth 6) on its holdout rows;
 *  - XGBoost 3.4.1's native-categorical fixture (one-hot and partition splits) on its rows.
 * All go through the public loader, so parsing, validation and compilation are what production uses.
 * Each is measured in the same run against a baseline scorer checked out from git (see bundleBaseline).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { buildSync } from 'esbuild';

import { ColumnEncoder } from '../src/cli/column-encoder';
import { FeatureEncoder, parseFeatureSpec } from '../src/features';
import { loadModel, type TreeEnsembleModel } from '../src/scorer';
import { seededRandom } from '../src/seeded-random';

/**
 * The scorer the current one is compared with, in the same run: by default the last commit before the
 * XGBoost 3.x work (native categoricals, UBJSON, dart), `BENCH_SCORER_BASELINE=<git ref>` for another,
 * `BENCH_SCORER_BASELINE=none` for no comparison.
 */
const DEFAULT_BASELINE = 'fa162cd~1';

/** The repository (the bundle in tmp/bench-build/ is told it by its parent). */
const ROOT = process.env.SCORER_BENCH_ROOT ?? join(__dirname, '..');

/**
 * That baseline refuses native categorical splits, so the categorical fixture is compared with the
 * scorer just before the speed work of issue 14 part 5 (`BENCH_SCORER_CATEGORICAL_BASELINE` overrides).
 */
const DEFAULT_CATEGORICAL_BASELINE = 'a1715d9';

/**
 * What `measure` needs of a scorer build: its loader (the public one, so compilation is included).
 * `contributionsBatch` is absent from older builds, which explain row by row only.
 */
type ModelLoader = (
  json: string,
  options: { source: string },
) => Pick<
  TreeEnsembleModel,
  'numFeatures' | 'predictBatch' | 'predict' | 'contributions' | 'prepareContributions'
> &
  Partial<Pick<TreeEnsembleModel, 'contributionsBatch'>>;

const NUM_TREES = 100;
const DEPTH = 6;
const NUM_FEATURES = 30;
const NUM_ROWS = 10_000;

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

export function syntheticModelJson(numTrees = NUM_TREES, depth = DEPTH, numFeatures = NUM_FEATURES): string {
  const rand = seededRandom(42);
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
  const rand = seededRandom(7);
  const rows = new Float32Array(numRows * numFeatures);
  for (let i = 0; i < rows.length; i++) rows[i] = rand() < 0.05 ? NaN : normal(rand);
  return rows;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Best of `repeats` runs, in seconds of wall-clock time and of this process's CPU time. */
function timeBest(repeats: number, fn: () => void): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < repeats; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    fn();
    wall = Math.min(wall, (performance.now() - start) / 1000);
    const used = process.cpuUsage(cpuStart);
    cpu = Math.min(cpu, (used.user + used.system) / 1e6);
  }
  return { wall, cpu };
}

export interface ScorerBenchResult {
  readonly label: string;
  readonly rows: number;
  readonly loadMillis: number;
  readonly treeShapAlgorithm: string;
  readonly treeShapPrepareMillis: number;
  readonly scoringRowsPerSecond: number;
  readonly scoringRowsPerCpuSecond: number;
  /** TreeSHAP throughput by the build's fastest way: `contributionsBatch` where it has one. */
  readonly treeShapRowsPerSecond: number;
  readonly treeShapRowsPerCpuSecond: number;
  readonly treeShapBatched: boolean;
  /** TreeSHAP one row per `contributions` call (what the API does for one record). */
  readonly treeShapPerRowRowsPerSecond: number;
  readonly treeShapPerRowRowsPerCpuSecond: number;
  readonly singleRowP50Micros: number;
  readonly singleRowP99Micros: number;
}

/** Interleaving rounds: each figure is a build's best round, and the builds alternate round by round. */
const SCORING_ROUNDS = 15;
const TREESHAP_ROUNDS = 6;
/** Rows per TreeSHAP round (one-row calls, then one batch call). */
const TREESHAP_ROWS = 400;
const TREESHAP_BATCH_ROWS = 1_024;

/**
 * Measures one or more scorer builds on the same model and rows, interleaved at a fine grain (one
 * batch, one TreeSHAP round, one chunk of single-row calls at a time, alternating between builds), so
 * that load from other processes, which comes and goes within seconds on this shared machine, falls on
 * every build alike; each figure is the best round.
 */
export function measureAll(
  label: string,
  json: string,
  rows: Float32Array,
  loads: readonly ModelLoader[],
): ScorerBenchResult[] {
  const subjects = loads.map((load) => {
    const loadStart = performance.now();
    const model = load(json, { source: label });
    return { model, loadMillis: performance.now() - loadStart };
  });
  const width = subjects[0].model.numFeatures;
  const numRows = rows.length / width;
  const out = new Float64Array(numRows);
  const best = (runs: { wall: number; cpu: number }[]) => ({
    wall: Math.min(...runs.map((r) => r.wall)),
    cpu: Math.min(...runs.map((r) => r.cpu)),
  });

  // Warm up so the JIT has optimised the hot loops before timing.
  for (const { model } of subjects) for (let i = 0; i < 5; i++) model.predictBatch(rows, out);
  const batch = subjects.map(() => [] as { wall: number; cpu: number }[]);
  for (let round = 0; round < SCORING_ROUNDS; round++) {
    subjects.forEach(({ model }, s) => batch[s].push(timeBest(1, () => model.predictBatch(rows, out))));
  }

  const row = new Float64Array(width);
  const explain = (model: ReturnType<ModelLoader>, count: number): void => {
    for (let r = 0; r < count; r++) {
      for (let j = 0; j < width; j++) row[j] = rows[r * width + j];
      model.contributions(row);
    }
  };
  const batchRows = rows.subarray(0, TREESHAP_BATCH_ROWS * width);
  const shapOut = new Float64Array(TREESHAP_BATCH_ROWS * (width + 1));
  const prepared = subjects.map(({ model }) => {
    const start = performance.now();
    const algorithm = model.prepareContributions();
    const millis = performance.now() - start;
    explain(model, 200);
    model.contributionsBatch?.(batchRows, shapOut);
    return { algorithm, millis };
  });
  const perRow = subjects.map(() => [] as { wall: number; cpu: number }[]);
  const batched = subjects.map(() => [] as { wall: number; cpu: number }[]);
  for (let round = 0; round < TREESHAP_ROUNDS; round++) {
    subjects.forEach(({ model }, s) => {
      perRow[s].push(timeBest(1, () => explain(model, TREESHAP_ROWS)));
      if (model.contributionsBatch) {
        batched[s].push(timeBest(1, () => model.contributionsBatch?.(batchRows, shapOut)));
      }
    });
  }

  // Single-row latency (the API scores one record per request), in chunks alternating between builds.
  const latencies = subjects.map(() => new Float64Array(numRows));
  for (let from = 0; from < numRows; from += 1_000) {
    subjects.forEach(({ model }, s) => {
      for (let r = from; r < Math.min(numRows, from + 1_000); r++) {
        for (let j = 0; j < width; j++) row[j] = rows[r * width + j];
        const start = performance.now();
        model.predict(row);
        latencies[s][r] = (performance.now() - start) * 1000;
      }
    });
  }

  return subjects.map(({ model, loadMillis }, s) => {
    const scoring = best(batch[s]);
    const oneRow = best(perRow[s]);
    const isBatched = model.contributionsBatch !== undefined;
    const shapRate = isBatched
      ? { wall: TREESHAP_BATCH_ROWS / best(batched[s]).wall, cpu: TREESHAP_BATCH_ROWS / best(batched[s]).cpu }
      : { wall: TREESHAP_ROWS / oneRow.wall, cpu: TREESHAP_ROWS / oneRow.cpu };
    latencies[s].sort();
    return {
      label,
      rows: numRows,
      loadMillis,
      treeShapAlgorithm: prepared[s].algorithm,
      treeShapPrepareMillis: prepared[s].millis,
      scoringRowsPerSecond: numRows / scoring.wall,
      scoringRowsPerCpuSecond: numRows / scoring.cpu,
      treeShapRowsPerSecond: shapRate.wall,
      treeShapRowsPerCpuSecond: shapRate.cpu,
      treeShapBatched: isBatched,
      treeShapPerRowRowsPerSecond: TREESHAP_ROWS / oneRow.wall,
      treeShapPerRowRowsPerCpuSecond: TREESHAP_ROWS / oneRow.cpu,
      singleRowP50Micros: percentile(latencies[s], 50),
      singleRowP99Micros: percentile(latencies[s], 99),
    };
  });
}

/** One build alone (see measureAll). */
export function measure(
  label: string,
  json: string,
  rows: Float32Array,
  load: ModelLoader = loadModel,
): ScorerBenchResult {
  return measureAll(label, json, rows, [load])[0];
}

/** The committed sample churn model (100 trees, max depth 6) on its holdout rows, repeated to NUM_ROWS. */
export function sampleModelCase(): { json: string; rows: Float32Array } {
  const dir = join(ROOT, 'models', 'sample-churn');
  const json = readFileSync(join(dir, 'model.json'), 'utf8');
  const model = loadModel(json);
  const encoder = new FeatureEncoder(
    parseFeatureSpec(JSON.parse(readFileSync(join(dir, 'feature-spec.json'), 'utf8'))),
    {
      modelFeatureNames: model.featureNames,
      unknownFields: 'ignore',
    },
  );
  const [headerLine, ...lines] = readFileSync(join(dir, 'holdout.csv'), 'utf8').trim().split('\n');
  const header = headerLine.split(',');
  const vectors = lines.map((line) => {
    const cells = line.split(',');
    const encoded = encoder.encode(Object.fromEntries(header.map((h, i) => [h, cells[i]])));
    if (!encoded.ok) throw new Error(`holdout row is invalid: ${JSON.stringify(encoded.errors)}`);
    return encoded.vector;
  });
  const rows = new Float32Array(NUM_ROWS * model.numFeatures);
  for (let r = 0; r < NUM_ROWS; r++) rows.set(vectors[r % vectors.length], r * model.numFeatures);
  return { json, rows };
}

function report(r: ScorerBenchResult): void {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(`${r.label} (${r.rows.toLocaleString('en-US')} rows)`);
  console.log(`  model load (parse + validate + compile): ${r.loadMillis.toFixed(1)} ms`);
  console.log(
    `  scoring:  ${fmt(r.scoringRowsPerSecond)} rows/s wall, ${fmt(r.scoringRowsPerCpuSecond)} rows/s per CPU second (target >= 400,000)`,
  );
  console.log(`  TreeSHAP preparation (${r.treeShapAlgorithm}): ${r.treeShapPrepareMillis.toFixed(1)} ms`);
  console.log(
    `  TreeSHAP${r.treeShapBatched ? ' (contributionsBatch)' : ''}: ${fmt(r.treeShapRowsPerSecond)} rows/s wall, ${fmt(r.treeShapRowsPerCpuSecond)} rows/s per CPU second (target >= 1,300)`,
  );
  if (r.treeShapBatched) {
    console.log(
      `  TreeSHAP one row per call: ${fmt(r.treeShapPerRowRowsPerSecond)} rows/s wall, ${fmt(r.treeShapPerRowRowsPerCpuSecond)} rows/s per CPU second`,
    );
  }
  console.log(
    `  single-row latency: p50 ${r.singleRowP50Micros.toFixed(2)} us, p99 ${r.singleRowP99Micros.toFixed(2)} us`,
  );
}

/** A scorer build bundled into one file (see `run`). */
interface BaselineBundle {
  readonly label: string;
  readonly file: string;
}

/**
 * Bundles the scorer of a git ref: `git archive` of its `src/` into `tmp/bench-baseline/<commit>/`
 * (inside the repository, so its imports resolve against this node_modules), then esbuild into
 * `tmp/bench-build/`; undefined when git or the commit is not available (a shallow clone), with the
 * reason printed.
 */
function bundleBaseline(ref: string): BaselineBundle | undefined {
  if (ref === 'none') return undefined;
  let commit: string;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { cwd: ROOT, stdio: 'pipe' })
      .toString()
      .trim();
  } catch {
    console.log(`no comparison: git cannot resolve ${ref} here (BENCH_SCORER_BASELINE=<ref> picks another)`);
    return undefined;
  }
  const dir = join(ROOT, 'tmp', 'bench-baseline', commit);
  if (!existsSync(join(dir, 'src', 'scorer', 'index.ts'))) {
    mkdirSync(dir, { recursive: true });
    const archive = execFileSync('git', ['archive', commit, 'src'], { cwd: ROOT, maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
  }
  const file = join(ROOT, 'tmp', 'bench-build', `scorer-${commit}.js`);
  buildSync({
    entryPoints: [join(dir, 'src', 'scorer', 'index.ts')],
    bundle: true,
    platform: 'node',
    outfile: file,
    logLevel: 'warning',
  });
  return { label: `${ref} (${commit})`, file };
}

function loaderOf(bundle: BaselineBundle | null): { label: string; load: ModelLoader } | undefined {
  if (bundle === null) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(bundle.file) as { loadModel: ModelLoader };
  return { label: bundle.label, load: module.loadModel };
}

function compare(
  label: string,
  json: string,
  rows: Float32Array,
  baseline: { label: string; load: ModelLoader } | undefined,
): void {
  if (!baseline) {
    report(measure(label, json, rows));
    return;
  }
  const [before, after] = measureAll(label, json, rows, [baseline.load, loadModel]);
  report(after);
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const count = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`  baseline ${baseline.label}, same run, interleaved, best round each (rows per CPU second):`);
  console.log(
    `    batch scoring   ${count(before.scoringRowsPerCpuSecond)} -> ${count(after.scoringRowsPerCpuSecond)}: ` +
      `${ratio(after.scoringRowsPerCpuSecond, before.scoringRowsPerCpuSecond)} (wall ${ratio(after.scoringRowsPerSecond, before.scoringRowsPerSecond)}) (target >= 1.8x)`,
  );
  const how = (r: ScorerBenchResult) => (r.treeShapBatched ? 'batch' : 'row by row');
  console.log(
    `    TreeSHAP        ${count(before.treeShapRowsPerCpuSecond)} (${how(before)}) -> ${count(after.treeShapRowsPerCpuSecond)} (${how(after)}): ` +
      `${ratio(after.treeShapRowsPerCpuSecond, before.treeShapRowsPerCpuSecond)} (wall ${ratio(after.treeShapRowsPerSecond, before.treeShapRowsPerSecond)}) (target >= 2x)`,
  );
  console.log(
    `    TreeSHAP 1 row  ${count(before.treeShapPerRowRowsPerCpuSecond)} -> ${count(after.treeShapPerRowRowsPerCpuSecond)}: ` +
      `${ratio(after.treeShapPerRowRowsPerCpuSecond, before.treeShapPerRowRowsPerCpuSecond)} (wall ${ratio(after.treeShapPerRowRowsPerSecond, before.treeShapPerRowRowsPerSecond)})`,
  );
  console.log(
    `    single-row latency p50 ${before.singleRowP50Micros.toFixed(2)} -> ${after.singleRowP50Micros.toFixed(2)} us, ` +
      `p99 ${before.singleRowP99Micros.toFixed(2)} -> ${after.singleRowP99Micros.toFixed(2)} us`,
  );
}

/** XGBoost 3.4.1's native-categorical fixture (60 trees, 4 categorical features), its rows repeated. */
export function nativeCategoricalCase(): { json: string; rows: Float32Array } | undefined {
  const dir = join(ROOT, '..', 'shared', 'fixtures', 'xgboost', 'xgboost-3.4.1', 'native-categorical');
  if (!existsSync(join(dir, 'model.json'))) return undefined;
  const json = readFileSync(join(dir, 'model.json'), 'utf8');
  const model = loadModel(json);
  const encoder = new ColumnEncoder(model, false);
  const [headerLine, ...lines] = readFileSync(join(dir, 'rows.csv'), 'utf8').trim().split('\n');
  const header = headerLine.split(',');
  const vector = new Float64Array(model.numFeatures);
  const vectors = lines.map((line) => {
    const cells = line.split(',');
    const errors = encoder.encodeInto(Object.fromEntries(header.map((h, i) => [h, cells[i]])), vector);
    if (errors.length > 0) throw new Error(`fixture row is invalid: ${JSON.stringify(errors)}`);
    return Float32Array.from(vector);
  });
  const rows = new Float32Array(NUM_ROWS * model.numFeatures);
  for (let r = 0; r < NUM_ROWS; r++) rows.set(vectors[r % vectors.length], r * model.numFeatures);
  return { json, rows };
}

/**
 * `npm run bench` runs under tsx, which made the same code measurably slower here (batch scoring 10 to
 * 25 %, the new build more than the old). Production runs esbuild bundles on plain Node.js (the
 * Lambda functions), so the benchmark does too: it bundles itself and each baseline scorer with
 * esbuild into `tmp/bench-build/` and runs the bundle in a child `node` process.
 */
export async function run(): Promise<void> {
  const child = process.env.SCORER_BENCH_CHILD;
  if (child === undefined) {
    const baselines = {
      numeric: bundleBaseline(process.env.BENCH_SCORER_BASELINE ?? DEFAULT_BASELINE) ?? null,
      categorical:
        bundleBaseline(process.env.BENCH_SCORER_CATEGORICAL_BASELINE ?? DEFAULT_CATEGORICAL_BASELINE) ?? null,
    };
    const file = join(ROOT, 'tmp', 'bench-build', 'scorer-bench.js');
    buildSync({
      entryPoints: [join(ROOT, 'bench', 'scorer.ts')],
      bundle: true,
      platform: 'node',
      outfile: file,
      external: ['esbuild'],
      logLevel: 'warning',
    });
    execFileSync(process.execPath, [file], {
      stdio: 'inherit',
      env: { ...process.env, SCORER_BENCH_CHILD: JSON.stringify(baselines), SCORER_BENCH_ROOT: ROOT },
    });
    return;
  }
  const bundles = JSON.parse(child) as Record<'numeric' | 'categorical', BaselineBundle | null>;
  console.log(
    `node ${process.version} without tsx (scorer builds bundled by esbuild), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${cpus().length} CPUs (other work skews wall-clock figures)`,
  );
  const baseline = loaderOf(bundles.numeric);
  compare(
    `synthetic: ${NUM_TREES} complete trees of depth ${DEPTH}, ${NUM_FEATURES} features, 5% missing`,
    syntheticModelJson(),
    syntheticRows(),
    baseline,
  );
  const sample = sampleModelCase();
  compare(
    'sample churn model: 100 trained trees, max depth 6, 31 columns',
    sample.json,
    sample.rows,
    baseline,
  );
  const categorical = nativeCategoricalCase();
  if (categorical) {
    compare(
      'XGBoost 3.4.1 native-categorical fixture: 60 trees, 4 of 8 features categorical',
      categorical.json,
      categorical.rows,
      loaderOf(bundles.categorical),
    );
  } else {
    console.log('native-categorical case skipped: ../shared/fixtures/xgboost is not present');
  }
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
