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
/** Rows per explainBatch call. */
export const EXPLAIN_BATCH = 256;

export type TreeShapTableLayout = 'vectors' | 'subset-sums';

export class TreeShapTable {
  private constructor(
    private readonly forest: CompiledForest,
    /** Which of the two layouts below the table holds (see `build`). */
    readonly layout: TreeShapTableLayout,
    /** Per tree: start of its split nodes in `splitNode` (numTrees + 1 entries). */
    private readonly splitStart: Int32Array,
    /** Split (non-leaf) nodes of every tree, breadth-first, so a parent comes before its children. */
    private readonly splitNode: Int32Array,
    /** Per node: bit of the path element its feature is on the path from the root to it; 0 for leaves. */
    private readonly nodeBit: Int32Array,
    /** Per tree: first leaf index (numTrees + 1 entries). */
    private readonly treeLeafStart: Int32Array,
    /** Per leaf: its node in the forest. */
    private readonly leafNode: Int32Array,
    /** Per leaf: start of its path elements in elem* arrays (leafCount + 1 entries). */
    private readonly elemStart: Int32Array,
    private readonly elemFeature: Int32Array,
    /** Per leaf: start of its block in `values`. */
    private readonly valueStart: Int32Array,
    /**
     * 'vectors': per leaf, for each set h of hot elements, the k contributions (element order) the leaf
     * adds. 'subset-sums': per leaf, for each subset s, the pair (G(s), prod_{j not in s} z_j).
     */
    private readonly values: Float64Array,
    /** 'subset-sums' only: leaf value * (1 - z_j) per element. */
    private readonly elemHotScale: Float64Array,
    /** 'subset-sums' only. */
    private readonly leafValue: Float64Array,
    /** Scratch: per node, the set of path elements whose conditions the row meets down to that node. */
    private readonly hotMask: Int32Array,
    /** Nodes of the largest tree. */
    maxTreeNodes: number,
  ) {
    this.batchMask = new Int32Array(EXPLAIN_BATCH * maxTreeNodes);
  }

  /** Scratch of explainBatch: hotMask of every row of a batch, tree-local node i of row r at i * EXPLAIN_BATCH + r. */
  private readonly batchMask: Int32Array;
  private readonly batchOffset = new Int32Array(EXPLAIN_BATCH);

  /**
   * Builds the table, or returns undefined when even the compact layout would hold more than
   * `maxValues` float64 numbers. The 'vectors' layout (k * 2^k numbers per leaf, k = distinct features
   * on the leaf's path) is used when it holds at most `maxVectorValues` (and `maxValues`) numbers,
   * else 'subset-sums' (2 * 2^k per leaf).
   */
  static build(
    forest: CompiledForest,
    maxValues: number,
    maxVectorValues = maxValues,
  ): TreeShapTable | undefined {
    const { leaves, nodeBit } = leavesOf(forest);
    let vectorSize = 0;
    let pairSize = 0;
    for (const leaf of leaves) {
      const k = leaf.elements.length;
      if (k > 24) return undefined;
      vectorSize += k * 2 ** k;
      pairSize += 2 * 2 ** k;
      if (pairSize > maxValues) return undefined;
    }
    const layout: TreeShapTableLayout =
      vectorSize <= Math.min(maxValues, maxVectorValues) ? 'vectors' : 'subset-sums';
    const elemStart = new Int32Array(leaves.length + 1);
    const valueStart = new Int32Array(leaves.length + 1);
    let elems = 0;
    let size = 0;
    leaves.forEach((leaf, i) => {
      elemStart[i] = elems;
      valueStart[i] = size;
      const k = leaf.elements.length;
      elems += k;
      size += (layout === 'vectors' ? k : 2) * 2 ** k;
    });
    elemStart[leaves.length] = elems;
    valueStart[leaves.length] = size;
    const elemFeature = new Int32Array(elems);
    const elemHotScale = new Float64Array(elems);
    const leafValue = new Float64Array(leaves.length);
    const leafNode = new Int32Array(leaves.length);
    const values = new Float64Array(size);
    const treeLeafStart = new Int32Array(forest.numTrees + 1);

    const maxK = leaves.reduce((m, leaf) => Math.max(m, leaf.elements.length), 0);
    const sums = new Float64Array(2 * 2 ** maxK);
    leaves.forEach((leaf, i) => {
      leafValue[i] = leaf.value;
      leafNode[i] = leaf.node;
      const k = leaf.elements.length;
      leaf.elements.forEach((element, j) => {
        elemFeature[elemStart[i] + j] = element.feature;
        elemHotScale[elemStart[i] + j] = leaf.value * (1 - element.zero);
      });
      const zeros = leaf.elements.map((e) => e.zero);
      if (layout === 'subset-sums') {
        fillSubsetSums(zeros, values, valueStart[i]);
      } else {
        fillSubsetSums(zeros, sums, 0);
        fillVectors(k, sums, leafValue[i], elemHotScale.subarray(elemStart[i]), values, valueStart[i]);
      }
      treeLeafStart[leaf.tree + 1] = i + 1;
    });
    for (let t = 1; t <= forest.numTrees; t++)
      treeLeafStart[t] = Math.max(treeLeafStart[t], treeLeafStart[t - 1]);

    const splitStart = new Int32Array(forest.numTrees + 1);
    const splits: number[] = [];
    for (let t = 0; t < forest.numTrees; t++) {
      splitStart[t] = splits.length;
      const end = t + 1 < forest.numTrees ? forest.treeRoot[t + 1] : forest.numNodes;
      for (let n = forest.treeRoot[t]; n < end; n++) if (forest.feature[n] >= 0) splits.push(n);
    }
    splitStart[forest.numTrees] = splits.length;
    return new TreeShapTable(
      forest,
      layout,
      splitStart,
      Int32Array.from(splits),
      nodeBit,
      treeLeafStart,
      leafNode,
      elemStart,
      elemFeature,
      valueStart,
      values,
      elemHotScale,
      leafValue,
      new Int32Array(forest.numNodes),
      maxTreeNodes(forest),
    );
  }

  /** Number of float64 values the table holds (its memory is 8 bytes each, plus small index arrays). */
  get size(): number {
    return this.values.length;
  }

  /** Adds every tree's contributions for a prepared row `x` (see prepareRow) into `phi`. */
  explain(x: Float32Array, phi: Float64Array): void {
    const { treeRoot, slot, threshold, mask, leftChild, numTrees, generic } = this.forest;
    const hm = this.hotMask;
    const splitStart = this.splitStart;
    const splitNode = this.splitNode;
    const nodeBit = this.nodeBit;
    const treeLeafStart = this.treeLeafStart;
    const vectors = this.layout === 'vectors';
    for (let t = 0; t < numTrees; t++) {
      const last = splitStart[t + 1];
      // A single-leaf tree adds only to the bias.
      if (splitStart[t] === last) continue;
      // Top-down, each node gets the set of path elements the row satisfies so far: a child clears the
      // bit of its parent's feature when the row goes the other way (all bits start set, so an element
      // not reached yet reads as hot). Branch-free: the direction is as unpredictable as the data.
      hm[treeRoot[t]] = -1;
      for (let i = splitStart[t]; i < last; i++) {
        const n = splitNode[i];
        const v = x[slot[n]];
        let right = bit(v >= threshold[n]) | ((mask[n] >>> v) & 1);
        if (generic !== undefined && generic.start[n] >= 0) right = genericDecision(generic, n, v);
        const m = hm[n];
        const b = nodeBit[n];
        const l = leftChild[n];
        hm[l] = m & ~(b & -right);
        hm[l + 1] = m & ~(b & (right - 1));
      }
      if (vectors) {
        this.addVectors(treeLeafStart[t], treeLeafStart[t + 1], phi);
      } else {
        const leafNode = this.leafNode;
        const elemStart = this.elemStart;
        for (let leaf = treeLeafStart[t]; leaf < treeLeafStart[t + 1]; leaf++) {
          const full = (1 << (elemStart[leaf + 1] - elemStart[leaf])) - 1;
          this.addFromSubsetSums(leaf, hm[leafNode[leaf]] & full, phi, 0, 1);
        }
      }
    }
  }

  /**
   * Adds the contributions of `rows` rows (at most EXPLAIN_BATCH) into `phi`, every buffer row-minor
   * so that the innermost loops run over the rows of the batch with everything else hoisted: `x` holds
   * prepared slot s of row r at x[s * EXPLAIN_BATCH + r], `phi` feature f of row r at
   * phi[f * EXPLAIN_BATCH + r]. Trees outer, and for each leaf all rows at once, so a leaf's block is
   * read from memory once per batch rather than once per row (which is what bounds `explain`: the
   * whole table is streamed for every row). Each phi entry receives the same additions in the same
   * order as `explain` gives it, so the results are equal bit for bit.
   */
  explainBatch(x: Float32Array, rows: number, phi: Float64Array): void {
    if (rows > EXPLAIN_BATCH) throw new RangeError(`at most ${EXPLAIN_BATCH} rows per call`);
    const B = EXPLAIN_BATCH;
    const { treeRoot, slot, threshold, mask, leftChild, numTrees, generic } = this.forest;
    const hm = this.batchMask;
    const splitStart = this.splitStart;
    const splitNode = this.splitNode;
    const nodeBit = this.nodeBit;
    const treeLeafStart = this.treeLeafStart;
    const leafNode = this.leafNode;
    const elemStart = this.elemStart;
    const elemFeature = this.elemFeature;
    const valueStart = this.valueStart;
    const values = this.values;
    const offsets = this.batchOffset;
    const vectors = this.layout === 'vectors';
    for (let t = 0; t < numTrees; t++) {
      const first = splitStart[t];
      const last = splitStart[t + 1];
      if (first === last) continue;
      const root = treeRoot[t];
      // hm holds tree-local node i of row r at hm[i * B + r].
      hm.fill(-1, 0, rows);
      for (let i = first; i < last; i++) {
        const n = splitNode[i];
        const xs = slot[n] * B;
        const th = threshold[n];
        const mk = mask[n];
        const b = nodeBit[n];
        const own = (n - root) * B;
        const l = (leftChild[n] - root) * B;
        const r1 = l + B;
        if (generic !== undefined && generic.start[n] >= 0) {
          for (let r = 0; r < rows; r++) {
            const right = genericDecision(generic, n, x[xs + r]);
            const m = hm[own + r];
            hm[l + r] = m & ~(b & -right);
            hm[r1 + r] = m & ~(b & (right - 1));
          }
        } else {
          for (let r = 0; r < rows; r++) {
            const v = x[xs + r];
            const right = bit(v >= th) | ((mk >>> v) & 1);
            const m = hm[own + r];
            hm[l + r] = m & ~(b & -right);
            hm[r1 + r] = m & ~(b & (right - 1));
          }
        }
      }
      const lastLeaf = treeLeafStart[t + 1];
      for (let leaf = treeLeafStart[t]; leaf < lastLeaf; leaf++) {
        const e0 = elemStart[leaf];
        const k = elemStart[leaf + 1] - e0;
        const full = (1 << k) - 1;
        const local = (leafNode[leaf] - root) * B;
        if (vectors) {
          const block = valueStart[leaf];
          for (let r = 0; r < rows; r++) offsets[r] = block + (hm[local + r] & full) * k;
          for (let j = 0; j < k; j++) {
            const f = elemFeature[e0 + j] * B;
            for (let r = 0; r < rows; r++) phi[f + r] += values[offsets[r] + j];
          }
        } else {
          for (let r = 0; r < rows; r++) this.addFromSubsetSums(leaf, hm[local + r] & full, phi, r, B);
        }
      }
    }
  }

  private addVectors(firstLeaf: number, lastLeaf: number, phi: Float64Array): void {
    const hm = this.hotMask;
    const leafNode = this.leafNode;
    const elemStart = this.elemStart;
    const elemFeature = this.elemFeature;
    const valueStart = this.valueStart;
    const values = this.values;
    for (let leaf = firstLeaf; leaf < lastLeaf; leaf++) {
      const e0 = elemStart[leaf];
      const k = elemStart[leaf + 1] - e0;
      const hot = hm[leafNode[leaf]] & ((1 << k) - 1);
      const o = valueStart[leaf] + hot * k;
      for (let j = 0; j < k; j++) phi[elemFeature[e0 + j]] += values[o + j];
    }
  }

  /** One leaf's contributions for hot set `hot`, feature f into phi[at + f * stride]. */
  private addFromSubsetSums(leaf: number, hot: number, phi: Float64Array, at: number, stride: number): void {
    const g = this.values;
    const elemHotScale = this.elemHotScale;
    const elemFeature = this.elemFeature;
    const e0 = this.elemStart[leaf];
    const k = this.elemStart[leaf + 1] - e0;
    const block = this.valueStart[leaf];
    const coldProduct = g[block + 2 * hot + 1];
    const coldValue = -this.leafValue[leaf] * coldProduct * g[block + 2 * hot];
    for (let j = 0; j < k; j++) {
      const isHot = (hot >> j) & 1;
      const hotValue = elemHotScale[e0 + j] * coldProduct * g[block + 2 * (hot & ~(1 << j))];
      phi[at + elemFeature[e0 + j] * stride] += isHot === 1 ? hotValue : coldValue;
    }
  }
}

/**
 * The 'vectors' block of one leaf from its subset sums: at out[at + h * k + j] the contribution the
 * leaf adds to element j when the row meets the conditions of exactly the elements in h. The
 * products are evaluated as 'subset-sums' evaluates them per row, so both layouts give equal numbers.
 */
function fillVectors(
  k: number,
  sums: Float64Array,
  leafValue: number,
  hotScale: Float64Array,
  out: Float64Array,
  at: number,
): void {
  for (let hot = 0; hot < 2 ** k; hot++) {
    const coldProduct = sums[2 * hot + 1];
    const coldValue = -leafValue * coldProduct * sums[2 * hot];
    for (let j = 0; j < k; j++) {
      out[at + hot * k + j] =
        ((hot >> j) & 1) === 1 ? hotScale[j] * coldProduct * sums[2 * (hot & ~(1 << j))] : coldValue;
    }
  }
}

function maxTreeNodes(forest: CompiledForest): number {
  let most = 0;
  for (let t = 0; t < forest.numTrees; t++) {
    const end = t + 1 < forest.numTrees ? forest.treeRoot[t + 1] : forest.numNodes;
    most = Math.max(most, end - forest.treeRoot[t]);
  }
  return most;
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
}

interface Leaf {
  readonly tree: number;
  readonly node: number;
  readonly value: number;
  readonly elements: readonly PathElement[];
}

/**
 * Every leaf with its path elements (features in order of first appearance on the path, repeated
 * splits merged), and per split node the bit of its feature's element on the path to that node.
 */
function leavesOf(forest: CompiledForest): { leaves: Leaf[]; nodeBit: Int32Array } {
  const { treeRoot, feature, leftChild, cover, leafValue } = forest;
  const leaves: Leaf[] = [];
  const nodeBit = new Int32Array(forest.numNodes);
  const walk = (tree: number, node: number, elements: readonly PathElement[]): void => {
    const f = feature[node];
    if (f < 0) {
      leaves.push({ tree, node, value: leafValue[node], elements });
      return;
    }
    const existing = elements.findIndex((e) => e.feature === f);
    nodeBit[node] = 1 << (existing < 0 ? elements.length : existing);
    for (const right of [false, true]) {
      const child = leftChild[node] + (right ? 1 : 0);
      const ratio = cover[child] / cover[node];
      const next =
        existing < 0
          ? [...elements, { feature: f, zero: ratio }]
          : elements.map((e, i) => (i === existing ? { feature: f, zero: e.zero * ratio } : e));
      walk(tree, child, next);
    }
  };
  for (let t = 0; t < forest.numTrees; t++) walk(t, treeRoot[t], []);
  return { leaves, nodeBit };
}
