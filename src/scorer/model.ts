import { compileForest, goesRight, prepareRow, type CompiledForest } from './compiled';
import { BLOCK_ROWS, FlatForest, LANES, prepareBlock } from './flat-forest';
import type { FeatureType, ParsedModel } from './parse';
import { TreeShapExplainer } from './treeshap';
import { EXPLAIN_BATCH, TreeShapTable, type TreeShapTableLayout } from './treeshap-table';

export interface ModelOptions {
  /**
   * Memory allowed for each precomputed TreeSHAP table (see treeshap-table.ts): the one `contributions`
   * uses, built on its first call or by `prepareContributions`, and, when that one is not already in
   * the 'vectors' layout, the one `contributionsBatch` builds on its first call (so at most twice this
   * in all). A model whose table would be larger in both layouts uses the recursive algorithm instead
   * (same results, slower); 0 always uses the recursive one.
   * @default 32 MiB
   */
  readonly treeShapTableBytes?: number;
  /**
   * Memory allowed for the flat scoring layout (see flat-forest.ts: 8 bytes per entry, 16 with
   * categorical splits, 2^(depth+1) - 1 entries per tree). A model whose layout would be larger is
   * scored by walking the linked trees instead (same results, slower), as are all models where
   * WebAssembly is unavailable (node --jitless); 0 always walks the links.
   * @default 16 MiB
   */
  readonly flatForestBytes?: number;
}

export const DEFAULT_TREESHAP_TABLE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_FLAT_FOREST_BYTES = 16 * 1024 * 1024;

/**
 * Largest 'vectors' TreeSHAP table used for one-row explanations. One row reads a few bytes of every
 * leaf's block, so a table that does not stay in the CPU caches is streamed from memory for every row,
 * and the 'subset-sums' table, about k/2 times smaller, is then faster (measured here: 14 MiB of vectors
 * explained rows 0.84x as fast as the earlier scorer, its 4.9 MiB of subset sums 1.6x; 3 MiB of vectors
 * 1.5x faster than 1.2 MiB of subset sums). Batches read each block once per batch, so
 * `contributionsBatch` takes the vectors whenever they fit `treeShapTableBytes`.
 */
const ROW_VECTOR_TABLE_BYTES = 4 * 1024 * 1024;

/** What a model's prediction means: a probability, a raw margin (log-odds), a regression value or a count. */
export type PredictionKind = 'probability' | 'margin' | 'value' | 'count';

/** Per-feature contributions of one row, in margin space, as XGBoost's `pred_contribs=True`. */
export interface Contributions {
  /** One entry per model feature, in model feature order. */
  readonly values: Float64Array;
  /** Expected margin over the training data (base margin plus each tree's cover-weighted mean). */
  readonly bias: number;
}

const f32 = Math.fround;

/** A comparison result as 0/1 without a branch (`true | 0` is 1); lets V8 emit setcc instead of a jump. */
function bit(condition: boolean): number {
  return (condition as unknown as number) | 0;
}

/**
 * A loaded, validated and compiled XGBoost tree ensemble. Immutable apart from internal scratch buffers
 * (every method is synchronous and returns fresh results), so one instance can serve a whole process.
 */
export class TreeEnsembleModel {
  readonly numFeatures: number;
  readonly featureNames: readonly string[];
  readonly hasStoredFeatureNames: boolean;
  readonly objective: string;
  readonly predictionKind: PredictionKind;
  readonly xgboostVersion: string;
  /** `gbtree`, or `dart` when trees carry weights (`weight_drop`), which scoring applies. */
  readonly booster: 'gbtree' | 'dart';
  /** Per feature: `c` for native categorical features (their values are category codes), else numeric. */
  readonly featureTypes: readonly FeatureType[];
  /**
   * Per feature: the category names XGBoost 3.1+ stored, in code order (code i is `names[i]`);
   * undefined for numeric features and for models that store no names.
   */
  readonly categoryNames: readonly (readonly string[] | undefined)[];
  /** `base_score` as stored in the file. */
  readonly baseScore: number;
  /** `base_score` mapped into margin space (float32), where trees are summed. */
  readonly baseMargin: number;
  readonly numTrees: number;
  readonly maxDepth: number;
  /** SHA-256 of the bytes the model was loaded from. */
  readonly sha256: string | undefined;
  /** Expected margin (TreeSHAP bias term): base margin plus each tree's cover-weighted mean leaf. */
  readonly expectedMargin: number;

  private readonly transform: (margin: number) => number;
  private readonly featureIndex: ReadonlyMap<string, number>;
  /** Prepared slots of the row being scored or explained (two per feature). */
  private readonly prepared: Float32Array;
  /** Prepared slots of eight rows for predictBatch's linked walk. */
  private readonly batchScratch: Float32Array;
  private readonly forest: CompiledForest;
  /** The scoring layout, or undefined when the model walks the linked trees. */
  private readonly flat: FlatForest | undefined;
  private readonly treeShapTableBytes: number;
  /** Whichever TreeSHAP implementation `prepareContributions` chose; undefined until then. */
  private shap: TreeShapTable | TreeShapExplainer | undefined;
  /** The one contributionsBatch uses (the same object when that suits both); undefined until then. */
  private batchShap: TreeShapTable | TreeShapExplainer | undefined;
  /** Prepared rows and their contributions in one contributionsBatch step, allocated on first use. */
  private explainRows: Float32Array | undefined;
  private explainPhi: Float64Array | undefined;
  private readonly treeRoot: Int32Array;
  private readonly treeDepth: Int32Array;
  private readonly slot: Int32Array;
  private readonly threshold: Float32Array;
  private readonly leftChild: Int32Array;
  private readonly mask: Int32Array;
  private readonly leafValue: Float32Array;

  constructor(parsed: ParsedModel, sha256?: string, options: ModelOptions = {}) {
    const forest: CompiledForest = compileForest(parsed);
    this.forest = forest;
    const flatBytes = options.flatForestBytes ?? DEFAULT_FLAT_FOREST_BYTES;
    this.flat = FlatForest.build(forest, flatBytes);
    this.treeShapTableBytes = options.treeShapTableBytes ?? DEFAULT_TREESHAP_TABLE_BYTES;
    this.numFeatures = parsed.numFeatures;
    this.featureNames = Object.freeze([...parsed.featureNames]);
    this.hasStoredFeatureNames = parsed.hasStoredFeatureNames;
    this.objective = parsed.objective.name;
    this.predictionKind = parsed.objective.output;
    this.xgboostVersion = parsed.version.join('.');
    this.booster = parsed.booster;
    this.featureTypes = Object.freeze([...parsed.featureTypes]);
    this.categoryNames = Object.freeze(
      parsed.categoryNames.map((n) => (n ? Object.freeze([...n]) : undefined)),
    );
    this.baseScore = parsed.baseScore;
    this.baseMargin = parsed.objective.baseScoreToMargin(parsed.baseScore);
    this.transform = parsed.objective.transform;
    this.sha256 = sha256;
    this.numTrees = forest.numTrees;
    this.maxDepth = forest.maxDepth;
    this.featureIndex = new Map(parsed.featureNames.map((n, i) => [n, i]));
    this.prepared = new Float32Array(2 * this.numFeatures);
    this.batchScratch = new Float32Array(16 * this.numFeatures);
    this.treeRoot = forest.treeRoot;
    this.treeDepth = forest.treeDepth;
    this.slot = forest.slot;
    this.threshold = forest.threshold;
    this.leftChild = forest.leftChild;
    this.mask = forest.mask;
    this.leafValue = forest.leafValue;
    let expected = this.baseMargin;
    for (let t = 0; t < forest.numTrees; t++) expected += forest.treeMean[t];
    this.expectedMargin = expected;
  }

  /**
   * Per feature, the sorted distinct values its splits test: numeric thresholds, or the category codes
   * categorical splits name. Golden rows built from them reach both sides of every split.
   */
  splitPoints(): number[][] {
    const points = Array.from({ length: this.numFeatures }, () => new Set<number>());
    const { feature, threshold, mask, generic } = this.forest;
    for (let n = 0; n < feature.length; n++) {
      const f = feature[n];
      if (f < 0) continue;
      if (this.featureTypes[f] !== 'c') {
        points[f].add(threshold[n]);
      } else if (generic !== undefined && generic.start[n] >= 0) {
        for (let w = 0; w < generic.words[n]; w++) {
          for (let b = 0; b < 32; b++)
            if ((generic.bits[generic.start[n] + w] >>> b) & 1) points[f].add(32 * w + b);
        }
      } else {
        for (let b = 1; b < 32; b++) if ((mask[n] >>> b) & 1) points[f].add(b - 1);
      }
    }
    return points.map((set) => [...set].sort((a, b) => a - b));
  }

  /** Model column index of a feature name, or undefined. */
  indexOfFeature(name: string): number | undefined {
    return this.featureIndex.get(name);
  }

  /** Margin (base margin plus leaves, accumulated in float32 like XGBoost) of one row; NaN = missing. */
  predictMargin(row: ArrayLike<number>): number {
    return this.margin(row);
  }

  /** Prediction of one row in the objective's output space (probability for binary:logistic). */
  predict(row: ArrayLike<number>): number {
    return this.transform(this.margin(row));
  }

  /** Which walk scoring uses: the flat layout, or the linked trees (models too big for its budget). */
  get scoringLayout(): 'flat' | 'linked' {
    return this.flat === undefined ? 'linked' : 'flat';
  }

  /**
   * The layout of the TreeSHAP table `contributions` uses, once prepared: 'vectors' when it fits
   * `treeShapTableBytes` and ROW_VECTOR_TABLE_BYTES, else the smaller 'subset-sums'; undefined before
   * preparation and for the recursive algorithm.
   */
  get treeShapTableLayout(): TreeShapTableLayout | undefined {
    return this.shap instanceof TreeShapTable ? this.shap.layout : undefined;
  }

  /** Bytes held by the TreeSHAP tables built so far (their float64 values; 0 for the recursive algorithm). */
  get treeShapTableMemory(): number {
    const bytes = (shap: TreeShapTable | TreeShapExplainer | undefined) =>
      shap instanceof TreeShapTable ? 8 * shap.size : 0;
    return bytes(this.shap) + (this.batchShap === this.shap ? 0 : bytes(this.batchShap));
  }

  /** The same for `contributionsBatch`, once it has run: 'vectors' whenever they fit `treeShapTableBytes`. */
  get batchTreeShapTableLayout(): TreeShapTableLayout | undefined {
    return this.batchShap instanceof TreeShapTable ? this.batchShap.layout : undefined;
  }

  /** Maps a margin to the objective's output (contributions live in margin space). */
  transformMargin(margin: number): number {
    return this.transform(margin);
  }

  /**
   * Scores rows stored row-major in a Float32Array (numFeatures values per row, NaN = missing) and
   * returns one prediction (or margin) per row. Rows are scored in blocks, tree by tree, eight rows
   * walking a tree in lock-step so their independent memory loads overlap (the WebAssembly walk of
   * flat-forest.ts); models without the flat layout walk eight rows through all trees in JavaScript.
   */
  predictBatch(rows: Float32Array, out?: Float64Array, outputMargin = false): Float64Array {
    const n = this.numFeatures;
    if (n === 0 ? rows.length !== 0 : rows.length % n !== 0) {
      throw new RangeError(`batch has ${rows.length} values, not a multiple of ${n} features`);
    }
    const numRows = n === 0 ? 0 : rows.length / n;
    const result = out ?? new Float64Array(numRows);
    if (result.length < numRows)
      throw new RangeError(`output holds ${result.length} rows, ${numRows} needed`);
    const width = 2 * n;
    const flat = this.flat;
    if (flat !== undefined) {
      const margins = flat.blockMargins;
      for (let r = 0; r < numRows; r += BLOCK_ROWS) {
        const count = Math.min(BLOCK_ROWS, numRows - r);
        const groups = Math.ceil(count / LANES);
        prepareBlock(this.forest, rows, r, count, flat.block, flat.blockCodes, flat.groupStride);
        margins.fill(this.baseMargin, 0, groups * LANES);
        flat.addBlockMargins(groups);
        for (let i = 0; i < count; i++) result[r + i] = margins[i];
      }
      if (!outputMargin) for (let i = 0; i < numRows; i++) result[i] = this.transform(result[i]);
      return result;
    }
    const scratch = this.batchScratch;
    let r = 0;
    if (this.forest.generic === undefined) {
      for (; r + 8 <= numRows; r += 8) {
        for (let i = 0; i < 8; i++) prepareRow(this.forest, rows, (r + i) * n, scratch, i * width);
        this.margins8(scratch, 0, width, result, r);
      }
    }
    for (; r < numRows; r++) {
      prepareRow(this.forest, rows, r * n, scratch, 0);
      result[r] = this.marginAt(scratch, 0);
    }
    if (!outputMargin) for (let i = 0; i < numRows; i++) result[i] = this.transform(result[i]);
    return result;
  }

  /**
   * Exact path-dependent TreeSHAP, equal to XGBoost's `predict(..., pred_contribs=True)`: one value per
   * feature plus the bias, summing to the margin.
   */
  contributions(row: ArrayLike<number>): Contributions {
    const values = new Float64Array(this.numFeatures);
    const x = this.load(row);
    this.prepareContributions();
    (this.shap as TreeShapTable | TreeShapExplainer).explain(x, values);
    return { values, bias: this.expectedMargin };
  }

  /**
   * TreeSHAP for rows stored row-major in a Float32Array (as `predictBatch` takes them): numFeatures + 1
   * values per row, the contributions then the bias, laid out like XGBoost's `pred_contribs=True`
   * matrix. The same numbers as `contributions` row by row, bit for bit; faster because the TreeSHAP
   * table is read once per batch of rows rather than once per row.
   */
  contributionsBatch(rows: Float32Array, out?: Float64Array): Float64Array {
    const n = this.numFeatures;
    if (n === 0 ? rows.length !== 0 : rows.length % n !== 0) {
      throw new RangeError(`batch has ${rows.length} values, not a multiple of ${n} features`);
    }
    const numRows = n === 0 ? 0 : rows.length / n;
    const width = n + 1;
    const result = out ?? new Float64Array(numRows * width);
    if (result.length < numRows * width)
      throw new RangeError(`output holds ${result.length} values, ${numRows * width} needed`);
    result.fill(0, 0, numRows * width);
    const shap = this.prepareBatchContributions();
    const stride = 2 * n;
    if (shap instanceof TreeShapTable) {
      const prepared = (this.explainRows ??= new Float32Array(EXPLAIN_BATCH * stride));
      const phi = (this.explainPhi ??= new Float64Array(EXPLAIN_BATCH * n));
      for (let r = 0; r < numRows; r += EXPLAIN_BATCH) {
        const count = Math.min(EXPLAIN_BATCH, numRows - r);
        // Row-minor: slot s of row i at s * EXPLAIN_BATCH + i (see explainBatch).
        for (let i = 0; i < count; i++)
          prepareRow(this.forest, rows, (r + i) * n, prepared, i, EXPLAIN_BATCH);
        phi.fill(0);
        shap.explainBatch(prepared, count, phi);
        for (let i = 0; i < count; i++) {
          const at = (r + i) * width;
          for (let f = 0; f < n; f++) result[at + f] = phi[f * EXPLAIN_BATCH + i];
        }
      }
    } else {
      const values = new Float64Array(n);
      for (let r = 0; r < numRows; r++) {
        prepareRow(this.forest, rows, r * n, this.prepared, 0);
        values.fill(0);
        shap.explain(this.prepared, values);
        result.set(values, r * width);
      }
    }
    for (let r = 0; r < numRows; r++) result[r * width + n] = this.expectedMargin;
    return result;
  }

  /**
   * Builds the TreeSHAP table now rather than on the first `contributions` call (e.g. during a Lambda
   * cold start) and says which algorithm explanations will use.
   */
  prepareContributions(): 'table' | 'recursive' {
    if (this.shap === undefined) {
      this.shap =
        TreeShapTable.build(
          this.forest,
          Math.floor(this.treeShapTableBytes / 8),
          Math.floor(ROW_VECTOR_TABLE_BYTES / 8),
        ) ?? new TreeShapExplainer(this.forest);
    }
    return this.shap instanceof TreeShapTable ? 'table' : 'recursive';
  }

  /** The batch explainer: the row one when it already is 'vectors' or nothing better fits. */
  private prepareBatchContributions(): TreeShapTable | TreeShapExplainer {
    if (this.batchShap === undefined) {
      this.prepareContributions();
      const row = this.shap as TreeShapTable | TreeShapExplainer;
      if (row instanceof TreeShapTable && row.layout === 'vectors') {
        this.batchShap = row;
      } else {
        const vectors = TreeShapTable.build(this.forest, Math.floor(this.treeShapTableBytes / 8));
        this.batchShap = vectors?.layout === 'vectors' ? vectors : row;
      }
    }
    return this.batchShap;
  }

  /** Margin of one row, by the flat walk where the model has one. */
  private margin(row: ArrayLike<number>): number {
    if (this.flat === undefined) return this.marginAt(this.load(row), 0);
    this.checkRow(row);
    prepareRow(this.forest, row, 0, this.flat.block, 0, LANES, this.flat.blockCodes);
    return this.flat.margin(this.baseMargin);
  }

  private checkRow(row: ArrayLike<number>): void {
    if (row.length !== this.numFeatures) {
      throw new RangeError(`row has ${row.length} values but the model has ${this.numFeatures} features`);
    }
  }

  /** Rounds a row to float32 and prepares its slots (see CompiledForest) in the scratch buffer. */
  private load(row: ArrayLike<number>): Float32Array {
    this.checkRow(row);
    prepareRow(this.forest, row, 0, this.prepared, 0);
    return this.prepared;
  }

  // Exactly treeDepth steps end on the leaf (leaves loop to themselves). XGBoost sums the margin in
  // float32 tree by tree; rounding after every add reproduces it bit for bit.
  private marginAt(x: Float32Array, offset: number): number {
    if (this.forest.generic !== undefined) return this.genericMarginAt(x, offset);
    const sl = this.slot;
    const th = this.threshold;
    const mk = this.mask;
    const lc = this.leftChild;
    const depth = this.treeDepth;
    const root = this.treeRoot;
    const leaf = this.leafValue;
    let margin = this.baseMargin;
    for (let t = 0; t < root.length; t++) {
      let a = root[t];
      for (let k = depth[t]; k > 0; k--) {
        const v = x[offset + sl[a]];
        a = lc[a] + (bit(v >= th[a]) | ((mk[a] >>> v) & 1));
      }
      margin = f32(margin + leaf[a]);
    }
    return margin;
  }

  /** The walk for models with categories too many for a mask: one call per node, same decisions. */
  private genericMarginAt(x: Float32Array, offset: number): number {
    const forest = this.forest;
    let margin = this.baseMargin;
    for (let t = 0; t < forest.numTrees; t++) {
      let a = forest.treeRoot[t];
      for (let k = forest.treeDepth[t]; k > 0; k--) a = forest.leftChild[a] + goesRight(forest, x, offset, a);
      margin = f32(margin + forest.leafValue[a]);
    }
    return margin;
  }

  private margins8(x: Float32Array, offset: number, stride: number, out: Float64Array, at: number): void {
    const sl = this.slot;
    const th = this.threshold;
    const mk = this.mask;
    const lc = this.leftChild;
    const depth = this.treeDepth;
    const root = this.treeRoot;
    const leaf = this.leafValue;
    const o0 = offset;
    const o1 = o0 + stride;
    const o2 = o1 + stride;
    const o3 = o2 + stride;
    const o4 = o3 + stride;
    const o5 = o4 + stride;
    const o6 = o5 + stride;
    const o7 = o6 + stride;
    const base = this.baseMargin;
    let m0 = base;
    let m1 = base;
    let m2 = base;
    let m3 = base;
    let m4 = base;
    let m5 = base;
    let m6 = base;
    let m7 = base;
    for (let t = 0; t < root.length; t++) {
      let a = root[t];
      let b = a;
      let c = a;
      let d = a;
      let e = a;
      let f = a;
      let g = a;
      let h = a;
      for (let k = depth[t]; k > 0; k--) {
        const va = x[o0 + sl[a]];
        const vb = x[o1 + sl[b]];
        const vc = x[o2 + sl[c]];
        const vd = x[o3 + sl[d]];
        const ve = x[o4 + sl[e]];
        const vf = x[o5 + sl[f]];
        const vg = x[o6 + sl[g]];
        const vh = x[o7 + sl[h]];
        a = lc[a] + (bit(va >= th[a]) | ((mk[a] >>> va) & 1));
        b = lc[b] + (bit(vb >= th[b]) | ((mk[b] >>> vb) & 1));
        c = lc[c] + (bit(vc >= th[c]) | ((mk[c] >>> vc) & 1));
        d = lc[d] + (bit(vd >= th[d]) | ((mk[d] >>> vd) & 1));
        e = lc[e] + (bit(ve >= th[e]) | ((mk[e] >>> ve) & 1));
        f = lc[f] + (bit(vf >= th[f]) | ((mk[f] >>> vf) & 1));
        g = lc[g] + (bit(vg >= th[g]) | ((mk[g] >>> vg) & 1));
        h = lc[h] + (bit(vh >= th[h]) | ((mk[h] >>> vh) & 1));
      }
      m0 = f32(m0 + leaf[a]);
      m1 = f32(m1 + leaf[b]);
      m2 = f32(m2 + leaf[c]);
      m3 = f32(m3 + leaf[d]);
      m4 = f32(m4 + leaf[e]);
      m5 = f32(m5 + leaf[f]);
      m6 = f32(m6 + leaf[g]);
      m7 = f32(m7 + leaf[h]);
    }
    out[at] = m0;
    out[at + 1] = m1;
    out[at + 2] = m2;
    out[at + 3] = m3;
    out[at + 4] = m4;
    out[at + 5] = m5;
    out[at + 6] = m6;
    out[at + 7] = m7;
  }
}
