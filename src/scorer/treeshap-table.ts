import { genericDecision, type CompiledForest } from './compiled';

/**
 * Path-dependent TreeSHAP with per-leaf precomputation, giving XGBoost's `pred_contribs` numbers in
 * O(depth) work per leaf instead of the recursive algorithm's O(depth^2) (the idea of "Fast TreeSHAP",
 * Yang 2021, arXiv:2109.09847, in a more compact form).
 *
 * For one leaf, merge repeated splits on a feature into one path element (cover ratios multiplied,
 * conditions AND-ed; XGBoost's unwind-and-re-extend does exactly this). With k elements, cover ratios
 * z_j, and H the elements whose conditions the row satisfies (one-fraction 1; C = the others), the
 * Shapley sum of path-dependent TreeSHAP factorises:
 *
 *   phi_i = leaf * (o_i - z_i) * sum over S subset of P\{i} of w(|S|) * prod_{S} o_j * prod_{P\S\{i}} z_j
 *         = -leaf * prod_C(z) * G(H)                for i in C (the same value for every such i)
 *         =  leaf * (1 - z_i) * prod_C(z) * G(H\{i}) for i in H
 *
 * with w(m) = m! (k-1-m)! / k! and G(T) = sum over S subset of T of w(|S|) * prod_{T\S} z_j. G depends
 * only on the subset, so each leaf stores, for each of its 2^k subsets s, G(s) next to prod_{j not in s}
 * z_j; a row then costs evaluating the leaf's conditions and k + 1 lookups in that leaf's block.
 */
export class TreeShapTable {
  private constructor(
    private readonly forest: CompiledForest,
    /** Per leaf: start of its conditions in cond* arrays (leafCount + 1 entries). */
    private readonly condStart: Int32Array,
    private readonly condNode: Int32Array,
    /** 1 when the leaf's path goes right at condNode. */
    private readonly condRight: Int32Array,
    /** Bit of the path element the condition belongs to. */
    private readonly condBit: Int32Array,
    /** Per leaf: start of its path elements in elem* arrays (leafCount + 1 entries). */
    private readonly elemStart: Int32Array,
    private readonly elemFeature: Int32Array,
    /** leaf value * (1 - z_j). */
    private readonly elemHotScale: Float64Array,
    private readonly leafValue: Float64Array,
    /** Per leaf: start of its block of 2^k (G(s), cold product(s)) pairs. */
    private readonly gStart: Int32Array,
    private readonly g: Float64Array,
    /** Per tree: first leaf index (numTrees + 1 entries). */
    private readonly treeLeafStart: Int32Array,
    /** Scratch: 1 when the row goes right at the node. */
    private readonly goesRight: Int32Array,
  ) {}

  /**
   * Builds the table, or returns undefined when it would hold more than `maxValues` float64 numbers
   * (it holds 2 * 2^k per leaf, k = distinct features on the leaf's path).
   */
  static build(forest: CompiledForest, maxValues: number): TreeShapTable | undefined {
    const leaves = leavesOf(forest);
    let size = 0;
    for (const leaf of leaves) {
      if (leaf.elements.length > 24) return undefined;
      size += 2 * 2 ** leaf.elements.length;
      if (size > maxValues) return undefined;
    }
    const condStart = new Int32Array(leaves.length + 1);
    const elemStart = new Int32Array(leaves.length + 1);
    const gStart = new Int32Array(leaves.length + 1);
    let conds = 0;
    let elems = 0;
    leaves.forEach((leaf, i) => {
      condStart[i] = conds;
      elemStart[i] = elems;
      conds += leaf.elements.reduce((n, e) => n + e.conditions.length, 0);
      elems += leaf.elements.length;
    });
    condStart[leaves.length] = conds;
    elemStart[leaves.length] = elems;
    const condNode = new Int32Array(conds);
    const condRight = new Int32Array(conds);
    const condBit = new Int32Array(conds);
    const elemFeature = new Int32Array(elems);
    const elemHotScale = new Float64Array(elems);
    const leafValue = new Float64Array(leaves.length);
    const g = new Float64Array(size);
    const treeLeafStart = new Int32Array(forest.numTrees + 1);

    let at = 0;
    leaves.forEach((leaf, i) => {
      let c = condStart[i];
      leafValue[i] = leaf.value;
      leaf.elements.forEach((element, j) => {
        elemFeature[elemStart[i] + j] = element.feature;
        elemHotScale[elemStart[i] + j] = leaf.value * (1 - element.zero);
        for (const cond of element.conditions) {
          condNode[c] = cond.node;
          condRight[c] = cond.right ? 1 : 0;
          condBit[c] = 1 << j;
          c++;
        }
      });
      gStart[i] = at;
      fillSubsetSums(
        leaf.elements.map((e) => e.zero),
        g,
        at,
      );
      at += 2 * 2 ** leaf.elements.length;
      treeLeafStart[leaf.tree + 1] = i + 1;
    });
    gStart[leaves.length] = at;
    for (let t = 1; t <= forest.numTrees; t++)
      treeLeafStart[t] = Math.max(treeLeafStart[t], treeLeafStart[t - 1]);
    return new TreeShapTable(
      forest,
      condStart,
      condNode,
      condRight,
      condBit,
      elemStart,
      elemFeature,
      elemHotScale,
      leafValue,
      gStart,
      g,
      treeLeafStart,
      new Int32Array(forest.numNodes),
    );
  }

  /** Adds every tree's contributions for a prepared row `x` (see prepareRow) into `phi`. */
  explain(x: Float32Array, phi: Float64Array): void {
    const { treeRoot, slot, threshold, mask, numTrees, numNodes, generic } = this.forest;
    const go = this.goesRight;
    const treeLeafStart = this.treeLeafStart;
    const elemStart = this.elemStart;
    const elemFeature = this.elemFeature;
    const elemHotScale = this.elemHotScale;
    const leafValue = this.leafValue;
    const condStart = this.condStart;
    const condNode = this.condNode;
    const condRight = this.condRight;
    const condBit = this.condBit;
    const gStart = this.gStart;
    const g = this.g;
    for (let t = 0; t < numTrees; t++) {
      const end = t + 1 < numTrees ? treeRoot[t + 1] : numNodes;
      // Direction the row takes at every split of this tree, by the scoring rule; branch-free because
      // the outcome is as unpredictable as the data.
      for (let n = treeRoot[t]; n < end; n++) {
        const v = x[slot[n]];
        go[n] = bit(v >= threshold[n]) | ((mask[n] >>> v) & 1);
      }
      if (generic !== undefined) {
        for (let n = treeRoot[t]; n < end; n++) {
          if (generic.start[n] >= 0) go[n] = genericDecision(generic, n, x[slot[n]]);
        }
      }
      const lastLeaf = treeLeafStart[t + 1];
      for (let leaf = treeLeafStart[t]; leaf < lastLeaf; leaf++) {
        const e0 = elemStart[leaf];
        const k = elemStart[leaf + 1] - e0;
        if (k === 0) continue;
        let hot = (1 << k) - 1;
        const cEnd = condStart[leaf + 1];
        for (let c = condStart[leaf]; c < cEnd; c++) {
          // Clear the element's bit when the row goes the other way at this split.
          hot &= ~(condBit[c] * (go[condNode[c]] ^ condRight[c]));
        }
        const block = gStart[leaf];
        const coldProduct = g[block + 2 * hot + 1];
        const coldValue = -leafValue[leaf] * coldProduct * g[block + 2 * hot];
        for (let j = 0; j < k; j++) {
          const isHot = (hot >> j) & 1;
          const hotValue = elemHotScale[e0 + j] * coldProduct * g[block + 2 * (hot & ~(1 << j))];
          phi[elemFeature[e0 + j]] += isHot === 1 ? hotValue : coldValue;
        }
      }
    }
  }
}

/** A comparison result as 0/1 without a branch (`true | 0` is 1). */
function bit(condition: boolean): number {
  return (condition as unknown as number) | 0;
}

/**
 * out[at + 2s] = G(s) and out[at + 2s + 1] = prod_{j not in s} z_j for every subset s (bitmask) of
 * the k path elements, where
 * G(T) = sum over m of w(m) * e_{|T|-m}(z_T), w(m) = m! (k-1-m)! / k! and e the elementary symmetric
 * polynomials of T's cover ratios. G of the full set is never used (it needs w(k)) and is left 0.
 */
function fillSubsetSums(zero: readonly number[], out: Float64Array, at: number): void {
  const k = zero.length;
  const w = new Float64Array(k);
  for (let m = 0; m < k; m++) w[m] = 1 / (k * binomial(k - 1, m));
  const poly = new Float64Array(k + 1);
  for (let s = 0; s < 2 ** k - 1; s++) {
    // Coefficients of prod_{j in s} (z_j + t): poly[m] = e_{h-m}(z_s), h = |s|.
    poly.fill(0);
    poly[0] = 1;
    let h = 0;
    for (let j = 0; j < k; j++) {
      if (((s >> j) & 1) === 0) continue;
      for (let m = h + 1; m >= 1; m--) poly[m] = poly[m] * zero[j] + poly[m - 1];
      poly[0] *= zero[j];
      h++;
    }
    let total = 0;
    for (let m = 0; m <= h; m++) total += w[m] * poly[m];
    out[at + 2 * s] = total;
  }
  // Interleaved with G: the product of the cover ratios of the elements NOT in s (the cold ones).
  for (let s = 0; s < 2 ** k; s++) {
    let product = 1;
    for (let j = 0; j < k; j++) if (((s >> j) & 1) === 0) product *= zero[j];
    out[at + 2 * s + 1] = product;
  }
}

function binomial(n: number, r: number): number {
  let result = 1;
  for (let i = 1; i <= r; i++) result = (result * (n - r + i)) / i;
  return result;
}

interface PathElement {
  readonly feature: number;
  /** Product of the cover ratios of this feature's splits on the path. */
  readonly zero: number;
  readonly conditions: readonly { readonly node: number; readonly right: boolean }[];
}

interface Leaf {
  readonly tree: number;
  readonly value: number;
  readonly elements: readonly PathElement[];
}

function leavesOf(forest: CompiledForest): Leaf[] {
  const { treeRoot, feature, leftChild, cover, leafValue } = forest;
  const leaves: Leaf[] = [];
  const walk = (tree: number, node: number, elements: readonly PathElement[]): void => {
    const f = feature[node];
    if (f < 0) {
      leaves.push({ tree, value: leafValue[node], elements });
      return;
    }
    for (const right of [false, true]) {
      const child = leftChild[node] + (right ? 1 : 0);
      const ratio = cover[child] / cover[node];
      const existing = elements.findIndex((e) => e.feature === f);
      const next =
        existing < 0
          ? [...elements, { feature: f, zero: ratio, conditions: [{ node, right }] }]
          : elements.map((e, i) =>
              i === existing
                ? { feature: f, zero: e.zero * ratio, conditions: [...e.conditions, { node, right }] }
                : e,
            );
      walk(tree, child, next);
    }
  };
  for (let t = 0; t < forest.numTrees; t++) walk(t, treeRoot[t], []);
  return leaves;
}
