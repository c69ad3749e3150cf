import { compileForest, type CompiledForest } from './compiled';
import type { ParsedModel } from './parse';

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

/**
 * A loaded, validated and compiled XGBoost tree ensemble. Immutable once built; the only mutable state
 * is scratch buffers, so one instance must not be used re-entrantly from two async contexts at once
 * (JavaScript never runs two calls truly in parallel, so sharing it in one process is safe).
 */
export class TreeEnsembleModel {
  readonly numFeatures: number;
  readonly featureNames: readonly string[];
  readonly hasStoredFeatureNames: boolean;
  readonly objective: string;
  readonly predictionKind: PredictionKind;
  readonly xgboostVersion: string;
  /** `base_score` as stored in the file. */
  readonly baseScore: number;
  /** `base_score` mapped into margin space (float32), where trees are summed. */
  readonly baseMargin: number;
  readonly numTrees: number;
  readonly maxDepth: number;
  /** SHA-256 of the bytes the model was loaded from, when known. */
  readonly sha256: string | undefined;

  private readonly forest: CompiledForest;
  private readonly transform: (margin: number) => number;
  private readonly featureIndex: ReadonlyMap<string, number>;
  private readonly row: Float32Array;
  // TreeSHAP path buffers, sized once from the deepest tree and reused for every row.
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  private readonly expectedMargin: number;

  constructor(parsed: ParsedModel, sha256?: string) {
    this.numFeatures = parsed.numFeatures;
    this.featureNames = Object.freeze([...parsed.featureNames]);
    this.hasStoredFeatureNames = parsed.hasStoredFeatureNames;
    this.objective = parsed.objective.name;
    this.predictionKind = parsed.objective.output;
    this.xgboostVersion = parsed.version.join('.');
    this.baseScore = parsed.baseScore;
    this.baseMargin = parsed.objective.baseScoreToMargin(parsed.baseScore);
    this.transform = parsed.objective.transform;
    this.sha256 = sha256;
    this.forest = compileForest(parsed);
    this.numTrees = this.forest.numTrees;
    this.maxDepth = this.forest.maxDepth;
    this.featureIndex = new Map(parsed.featureNames.map((n, i) => [n, i]));
    this.row = new Float32Array(this.numFeatures);
    const d = this.maxDepth + 3;
    const pathSize = ((d + 1) * (d + 2)) / 2;
    this.pathFeature = new Int32Array(pathSize);
    this.pathZero = new Float64Array(pathSize);
    this.pathOne = new Float64Array(pathSize);
    this.pathWeight = new Float64Array(pathSize);
    let expected = this.baseMargin;
    for (let t = 0; t < this.forest.numTrees; t++) expected += this.forest.treeMean[t];
    this.expectedMargin = expected;
  }

  /** Model column index of a feature name, or undefined. */
  indexOfFeature(name: string): number | undefined {
    return this.featureIndex.get(name);
  }

  /** Margin (sum of leaves plus base margin, float32 like XGBoost) of one row; NaN means missing. */
  predictMargin(row: ArrayLike<number>): number {
    return this.marginAt(this.load(row), 0);
  }

  /** Prediction of one row in the objective's output space (probability for binary:logistic). */
  predict(row: ArrayLike<number>): number {
    return this.transform(this.marginAt(this.load(row), 0));
  }

  /**
   * Scores `rows` stored row-major (numFeatures values per row) and returns one prediction per row.
   * Values are read as float32, as XGBoost does; pass a Float32Array to skip nothing but a copy.
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
    for (let r = 0, offset = 0; r < numRows; r++, offset += n) {
      const margin = this.marginAt(rows, offset);
      result[r] = outputMargin ? margin : this.transform(margin);
    }
    return result;
  }

  /** Maps a margin to the objective's output (useful with contributions, which live in margin space). */
  transformMargin(margin: number): number {
    return this.transform(margin);
  }

  /**
   * Exact path-dependent TreeSHAP, equal to XGBoost's `predict(..., pred_contribs=True)`: one value per
   * feature plus the bias, summing to the margin.
   */
  contributions(row: ArrayLike<number>): Contributions {
    const x = this.load(row);
    const phi = new Float64Array(this.numFeatures);
    const { treeRoot, numTrees } = this.forest;
    for (let t = 0; t < numTrees; t++) this.shap(x, phi, treeRoot[t], 0, 0, 1, 1, -1);
    return { values: phi, bias: this.expectedMargin };
  }

  private load(row: ArrayLike<number>): Float32Array {
    if (row.length !== this.numFeatures) {
      throw new RangeError(`row has ${row.length} values but the model has ${this.numFeatures} features`);
    }
    const x = this.row;
    for (let i = 0; i < x.length; i++) x[i] = row[i];
    return x;
  }

  private marginAt(x: Float32Array, offset: number): number {
    const { treeRoot, feature, value, leftChild, missingLeft, numTrees } = this.forest;
    // XGBoost accumulates the margin in float32 tree by tree; rounding after every add reproduces it bit for bit.
    let margin = this.baseMargin;
    for (let t = 0; t < numTrees; t++) {
      let node = treeRoot[t];
      let f = feature[node];
      while (f >= 0) {
        const v = x[offset + f];
        const left = leftChild[node];
        if (v < value[node]) node = left;
        else if (v !== v) node = missingLeft[node] === 1 ? left : left + 1;
        else node = left + 1;
        f = feature[node];
      }
      margin = f32(margin + value[node]);
    }
    return margin;
  }

  /**
   * One step of path-dependent TreeSHAP (Lundberg et al., "Consistent Individualized Feature Attribution
   * for Tree Ensembles", Algorithm 2), in the form XGBoost implements: the unique path of each recursion
   * level lives in its own slice of the path buffers starting at `parentOffset + depth + 1`.
   */
  private shap(
    x: Float32Array,
    phi: Float64Array,
    node: number,
    depth: number,
    parentOffset: number,
    parentZero: number,
    parentOne: number,
    parentFeature: number,
  ): void {
    const { feature, value, leftChild, missingLeft, cover } = this.forest;
    const pf = this.pathFeature;
    const pz = this.pathZero;
    const po = this.pathOne;
    const pw = this.pathWeight;
    const o = parentOffset + depth + 1;
    for (let i = 0; i <= depth; i++) {
      pf[o + i] = pf[parentOffset + i];
      pz[o + i] = pz[parentOffset + i];
      po[o + i] = po[parentOffset + i];
      pw[o + i] = pw[parentOffset + i];
    }
    extendPath(pf, pz, po, pw, o, depth, parentZero, parentOne, parentFeature);

    const split = feature[node];
    if (split < 0) {
      const leaf = value[node];
      for (let i = 1; i <= depth; i++) {
        const w = unwoundPathSum(pz, po, pw, o, depth, i);
        phi[pf[o + i]] += w * (po[o + i] - pz[o + i]) * leaf;
      }
      return;
    }

    const left = leftChild[node];
    const v = x[split];
    const hot = v < value[node] ? left : v !== v ? (missingLeft[node] === 1 ? left : left + 1) : left + 1;
    const cold = hot === left ? left + 1 : left;
    const w = cover[node];
    const hotZero = cover[hot] / w;
    const coldZero = cover[cold] / w;
    let incomingZero = 1;
    let incomingOne = 1;
    // A feature already on the path is unwound and re-split here, so it is counted once.
    let d = depth;
    let pathIndex = 0;
    for (; pathIndex <= d; pathIndex++) if (pf[o + pathIndex] === split) break;
    if (pathIndex !== d + 1) {
      incomingZero = pz[o + pathIndex];
      incomingOne = po[o + pathIndex];
      unwindPath(pf, pz, po, pw, o, d, pathIndex);
      d -= 1;
    }
    this.shap(x, phi, hot, d + 1, o, hotZero * incomingZero, incomingOne, split);
    this.shap(x, phi, cold, d + 1, o, coldZero * incomingZero, 0, split);
  }
}

function extendPath(
  pf: Int32Array,
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  o: number,
  d: number,
  zero: number,
  one: number,
  featureIndex: number,
): void {
  pf[o + d] = featureIndex;
  pz[o + d] = zero;
  po[o + d] = one;
  pw[o + d] = d === 0 ? 1 : 0;
  for (let i = d - 1; i >= 0; i--) {
    pw[o + i + 1] += (one * pw[o + i] * (i + 1)) / (d + 1);
    pw[o + i] = (zero * pw[o + i] * (d - i)) / (d + 1);
  }
}

function unwindPath(
  pf: Int32Array,
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  o: number,
  d: number,
  pathIndex: number,
): void {
  const one = po[o + pathIndex];
  const zero = pz[o + pathIndex];
  let next = pw[o + d];
  for (let i = d - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = pw[o + i];
      pw[o + i] = (next * (d + 1)) / ((i + 1) * one);
      next = tmp - (pw[o + i] * zero * (d - i)) / (d + 1);
    } else {
      pw[o + i] = (pw[o + i] * (d + 1)) / (zero * (d - i));
    }
  }
  for (let i = pathIndex; i < d; i++) {
    pf[o + i] = pf[o + i + 1];
    pz[o + i] = pz[o + i + 1];
    po[o + i] = po[o + i + 1];
  }
}

function unwoundPathSum(
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  o: number,
  d: number,
  pathIndex: number,
): number {
  const one = po[o + pathIndex];
  const zero = pz[o + pathIndex];
  let next = pw[o + d];
  let total = 0;
  for (let i = d - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (d + 1)) / ((i + 1) * one);
      total += tmp;
      next = pw[o + i] - tmp * zero * ((d - i) / (d + 1));
    } else if (zero !== 0) {
      total += pw[o + i] / zero / ((d - i) / (d + 1));
    }
  }
  return total;
}
