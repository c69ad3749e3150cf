import { goesRight, type CompiledForest } from './compiled';

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee, "Consistent Individualized Feature Attribution
 * for Tree Ensembles", 2018, Algorithm 2) in the form XGBoost uses for `pred_contribs=True`: branches
 * are weighted by the cover stored in the model, a missing value follows the split's default
 * direction, and the unique path of each recursion level lives in its own slice of flat buffers.
 *
 * Differences from XGBoost are arithmetic only: float64 instead of float32, and divisions replaced by
 * multiplications with precomputed reciprocals (the leaf sums dominate the cost and are division-bound
 * otherwise). Both keep results well inside the 1e-5 parity tolerance.
 *
 * TreeShapTable (treeshap-table.ts) is faster and used by default; this is the fallback for models
 * whose table would not fit the memory budget, and the reference the table is tested against.
 */
export class TreeShapExplainer {
  private readonly forest: CompiledForest;
  private readonly feature: Int32Array;
  private readonly leftChild: Int32Array;
  private readonly leafValue: Float32Array;
  private readonly cover: Float64Array;
  private readonly treeRoot: Int32Array;
  private readonly numTrees: number;
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  /** reciprocal[k] = 1 / k. */
  private readonly reciprocal: Float64Array;
  // Per-leaf scratch for the path elements the row follows (see leaf()).
  private readonly hotIndex: Int32Array;
  private readonly hotNext: Float64Array;
  private readonly hotTotal: Float64Array;
  private readonly hotShrink: Float64Array;
  private readonly hotScale: Float64Array;
  private x: Float32Array = new Float32Array(0);
  private phi: Float64Array = new Float64Array(0);

  constructor(forest: CompiledForest) {
    this.forest = forest;
    this.feature = forest.feature;
    this.leftChild = forest.leftChild;
    this.leafValue = forest.leafValue;
    this.cover = forest.cover;
    this.treeRoot = forest.treeRoot;
    this.numTrees = forest.numTrees;
    // The slice of unique depth d starts after those of all shallower levels, so a leaf at depth D
    // needs (D+1)(D+2)/2 + D + 1 entries; (D+4)(D+5)/2 covers that with room to spare.
    const d = forest.maxDepth + 3;
    const size = ((d + 1) * (d + 2)) / 2;
    this.pathFeature = new Int32Array(size);
    this.pathZero = new Float64Array(size);
    this.pathOne = new Float64Array(size);
    this.pathWeight = new Float64Array(size);
    this.reciprocal = new Float64Array(d + 2);
    for (let k = 1; k < this.reciprocal.length; k++) this.reciprocal[k] = 1 / k;
    this.hotIndex = new Int32Array(d + 2);
    this.hotNext = new Float64Array(d + 2);
    this.hotTotal = new Float64Array(d + 2);
    this.hotShrink = new Float64Array(d + 2);
    this.hotScale = new Float64Array(d + 2);
  }

  /** Adds every tree's contributions for a prepared row `x` (see prepareRow) into `phi`. */
  explain(x: Float32Array, phi: Float64Array): void {
    this.x = x;
    this.phi = phi;
    for (let t = 0; t < this.numTrees; t++) this.recurse(this.treeRoot[t], 0, 0, 1, 1, -1);
  }

  private recurse(
    node: number,
    depth: number,
    parentOffset: number,
    parentZero: number,
    parentOne: number,
    parentFeature: number,
  ): void {
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
    this.extend(o, depth, parentZero, parentOne, parentFeature);

    const split = this.feature[node];
    if (split < 0) {
      this.leaf(o, depth, this.leafValue[node]);
      return;
    }

    const left = this.leftChild[node];
    // The row's own branch, decided exactly as scoring decides it.
    const hot = left + goesRight(this.forest, this.x, 0, node);
    const cold = hot === left ? left + 1 : left;
    const cover = this.cover;
    const w = cover[node];
    let incomingZero = 1;
    let incomingOne = 1;
    // A feature already on the path is unwound and re-split here, so it is counted once.
    let d = depth;
    let pathIndex = 0;
    for (; pathIndex <= d; pathIndex++) if (pf[o + pathIndex] === split) break;
    if (pathIndex !== d + 1) {
      incomingZero = pz[o + pathIndex];
      incomingOne = po[o + pathIndex];
      this.unwind(o, d, pathIndex);
      d -= 1;
    }
    this.recurse(hot, d + 1, o, (cover[hot] / w) * incomingZero, incomingOne, split);
    this.recurse(cold, d + 1, o, (cover[cold] / w) * incomingZero, 0, split);
  }

  private extend(o: number, d: number, zero: number, one: number, featureIndex: number): void {
    const pw = this.pathWeight;
    this.pathFeature[o + d] = featureIndex;
    this.pathZero[o + d] = zero;
    this.pathOne[o + d] = one;
    pw[o + d] = d === 0 ? 1 : 0;
    const inv = this.reciprocal[d + 1];
    for (let i = d - 1; i >= 0; i--) {
      pw[o + i + 1] += one * pw[o + i] * (i + 1) * inv;
      pw[o + i] = zero * pw[o + i] * (d - i) * inv;
    }
  }

  private unwind(o: number, d: number, pathIndex: number): void {
    const pf = this.pathFeature;
    const pz = this.pathZero;
    const po = this.pathOne;
    const pw = this.pathWeight;
    const r = this.reciprocal;
    const one = po[o + pathIndex];
    const zero = pz[o + pathIndex];
    const inv = r[d + 1];
    let next = pw[o + d];
    if (one !== 0) {
      const scale = (d + 1) / one;
      for (let i = d - 1; i >= 0; i--) {
        const tmp = pw[o + i];
        pw[o + i] = next * scale * r[i + 1];
        next = tmp - pw[o + i] * zero * (d - i) * inv;
      }
    } else {
      const scale = (d + 1) / zero;
      for (let i = d - 1; i >= 0; i--) pw[o + i] = pw[o + i] * scale * r[d - i];
    }
    for (let i = pathIndex; i < d; i++) {
      pf[o + i] = pf[o + i + 1];
      pz[o + i] = pz[o + i + 1];
      po[o + i] = po[o + i + 1];
    }
  }

  /**
   * Adds one leaf's contributions for every feature on the path: XGBoost's loop of UnwoundPathSum calls,
   * reorganised. For a path element the row does not follow (one fraction 0) the unwound sum is
   * S0 * (d + 1) / zero with S0 = sum_j w_j / (d - j) shared by all such elements, and its contribution
   * w * (0 - zero) * leaf therefore collapses to -S0 * (d + 1) * leaf. Elements the row follows need the
   * sequential recurrence; running all of them in one loop gives the CPU independent chains to overlap.
   */
  private leaf(o: number, d: number, leafValue: number): void {
    const pf = this.pathFeature;
    const pz = this.pathZero;
    const po = this.pathOne;
    const pw = this.pathWeight;
    const r = this.reciprocal;
    const phi = this.phi;
    const dp1 = d + 1;
    let s0 = 0;
    for (let j = 0; j < d; j++) s0 += pw[o + j] * r[d - j];
    const coldContribution = -s0 * dp1 * leafValue;
    const index = this.hotIndex;
    const next = this.hotNext;
    const total = this.hotTotal;
    const shrink = this.hotShrink;
    const scale = this.hotScale;
    let m = 0;
    for (let i = 1; i <= d; i++) {
      const one = po[o + i];
      if (one === 0) {
        // XGBoost's unwound sum is 0 when both fractions are 0 (an empty-cover branch).
        if (pz[o + i] !== 0) phi[pf[o + i]] += coldContribution;
      } else {
        index[m] = i;
        next[m] = pw[o + d];
        total[m] = 0;
        shrink[m] = pz[o + i] * r[dp1];
        scale[m] = dp1 / one;
        m++;
      }
    }
    if (m === 0) return;
    for (let j = d - 1; j >= 0; j--) {
      const rj = r[j + 1];
      const steps = d - j;
      const wj = pw[o + j];
      for (let k = 0; k < m; k++) {
        const tmp = next[k] * scale[k] * rj;
        total[k] += tmp;
        next[k] = wj - tmp * shrink[k] * steps;
      }
    }
    for (let k = 0; k < m; k++) {
      const i = index[k];
      phi[pf[o + i]] += total[k] * (po[o + i] - pz[o + i]) * leafValue;
    }
  }
}
