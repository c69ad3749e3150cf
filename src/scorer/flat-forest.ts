import { MASK_CATEGORIES, OUT_OF_RANGE_CATEGORY, type CompiledForest } from './compiled';

/** Rows walked in lock-step through one tree (`LANES` independent chains of loads for the CPU). */
export const LANES = 16;

/**
 * Rows scored per block: each tree is walked by all rows of a block before the next tree, so the tree
 * (a few KiB) stays in the L1 cache while the block's prepared rows (LANES * 2 * numFeatures float32
 * per lane group) stay there too.
 */
export const BLOCK_ROWS = 128;

/** Deepest tree the flat layout takes (2^21 entries for that tree alone); deeper models walk links. */
const MAX_FLAT_DEPTH = 20;

/**
 * The forest of a CompiledForest as complete binary trees in implicit layout (node i has children
 * 2i + 1 and 2i + 2, within the tree), for scoring only. Compared with the linked layout a step loads no
 * child index, and the walk of LANES rows through one tree needs no per-row offset (see `slot`).
 *
 * Every tree is padded to its own depth d: 2^(d+1) - 1 entries, the last 2^d of them leaves. A leaf of
 * the original tree above the bottom level becomes a node that always goes left (threshold NaN, mask
 * 0), and its value sits at the bottom entry its leftmost descendant reaches, so a walk of exactly d
 * steps ends on the right value with no leaf test. Decisions are CompiledForest's, unchanged:
 *
 *     right = (x[slot] >= threshold) | ((mask >>> x[slot]) & 1)
 *
 * Memory is 8 bytes per entry (12 with categorical masks), 2^(d+1) - 1 entries per tree whatever its
 * real size, so a model of deep sparse trees could need much more than its linked form: `flattenForest`
 * returns undefined when the entries would exceed the budget, and such models keep the linked walk.
 */
export interface FlatForest {
  readonly numTrees: number;
  /** Per tree: index of its root entry. */
  readonly treeRoot: Int32Array;
  /** Per tree: its depth, the number of steps of a walk. */
  readonly treeDepth: Int32Array;
  /**
   * Per entry: LANES times the prepared-row slot the node reads (0 for leaves and padding), for rows
   * prepared lane-interleaved: slot s of lane i at LANES * s + i.
   */
  readonly slot: Int32Array;
  /** Per entry: the float32 threshold of a split (+Infinity for categorical, NaN for padding), or the leaf value (dart weight applied). */
  readonly value: Float32Array;
  /** Per entry: the categorical split mask; undefined when the model has no categorical split. */
  readonly mask: Int32Array | undefined;
}

/** Entries a model of these tree depths needs in the flat layout. */
export function flatEntries(forest: CompiledForest): number {
  let entries = 0;
  for (let t = 0; t < forest.numTrees; t++) entries += 2 ** (forest.treeDepth[t] + 1) - 1;
  return entries;
}

/**
 * The flat layout of a forest, or undefined when it would hold more than `maxEntries` entries, when a
 * tree is deeper than MAX_FLAT_DEPTH, or when categorical sets too wide for a mask need the generic
 * decision.
 */
export function flattenForest(forest: CompiledForest, maxEntries: number): FlatForest | undefined {
  if (forest.generic !== undefined || forest.maxDepth > MAX_FLAT_DEPTH) return undefined;
  const entries = flatEntries(forest);
  if (entries > maxEntries) return undefined;
  const numTrees = forest.numTrees;
  const treeRoot = new Int32Array(numTrees);
  const treeDepth = Int32Array.from(forest.treeDepth);
  const slot = new Int32Array(entries);
  const value = new Float32Array(entries).fill(NaN);
  const hasMask = forest.mask.some((m) => m !== 0);
  const mask = hasMask ? new Int32Array(entries) : undefined;
  let base = 0;
  for (let t = 0; t < numTrees; t++) {
    treeRoot[t] = base;
    const depth = treeDepth[t];
    const place = (node: number, at: number, level: number): void => {
      if (forest.feature[node] < 0) {
        // Padding below a shallow leaf goes left: the leftmost bottom entry holds the value.
        let bottom = at;
        for (let l = level; l < depth; l++) bottom = 2 * bottom + 1;
        value[base + bottom] = forest.leafValue[node];
        return;
      }
      slot[base + at] = LANES * forest.slot[node];
      value[base + at] = forest.threshold[node];
      if (mask !== undefined) mask[base + at] = forest.mask[node];
      place(forest.leftChild[node], 2 * at + 1, level + 1);
      place(forest.leftChild[node] + 1, 2 * at + 2, level + 1);
    };
    place(forest.treeRoot[t], 0, 0);
    // Bottom entries below padding other than the leftmost stay NaN: no walk reaches them.
    base += 2 ** (depth + 1) - 1;
  }
  return { numTrees, treeRoot, treeDepth, slot, value, mask };
}

/**
 * Prepares rows first .. first + count - 1 of a row-major Float32Array batch for `addMargins`, as
 * `prepareRow` with step LANES and `codesAsInt` would one by one (same values: the batch is float32
 * already, so no rounding is needed), but feature by feature: the feature's kind is tested once, and
 * the writes of consecutive rows are adjacent.
 */
export function prepareBlock(
  forest: CompiledForest,
  rows: Float32Array,
  first: number,
  count: number,
  out: Float32Array,
  codes: Int32Array,
  groupStride: number,
): void {
  const n = forest.numFeatures;
  const categorical = forest.categorical;
  for (let f = 0; f < n; f++) {
    const slot = 2 * f * LANES;
    if (categorical[f] === 0) {
      let group = slot;
      let lane = 0;
      for (let i = 0; i < count; i++) {
        const v = rows[(first + i) * n + f];
        const o = group + lane;
        if (v !== v) {
          out[o] = -Infinity;
          out[o + LANES] = Infinity;
        } else {
          out[o] = v;
          out[o + LANES] = v;
        }
        if (++lane === LANES) {
          lane = 0;
          group += groupStride;
        }
      }
    } else {
      let group = slot;
      let lane = 0;
      for (let i = 0; i < count; i++) {
        const v = rows[(first + i) * n + f];
        const o = group + lane;
        if (v !== v) {
          out[o] = -Infinity;
          out[o + LANES] = Infinity;
        } else {
          const code = v >= 0 && v < OUT_OF_RANGE_CATEGORY && v < MASK_CATEGORIES ? Math.trunc(v) + 1 : 0;
          codes[o] = code;
          codes[o + LANES] = code;
        }
        if (++lane === LANES) {
          lane = 0;
          group += groupStride;
        }
      }
    }
  }
}

const f32 = Math.fround;

/**
 * Adds every tree's leaf to the float32 margins acc[0 .. groups * LANES) of rows prepared
 * lane-interleaved: group g at x[g * groupStride], its slot s of lane i at LANES * s + i. Trees outer,
 * lane groups inner; the LANES rows of a group walk a tree in lock-step, so their loads overlap.
 * `xi` is an Int32Array over x's memory: categorical codes are prepared as integers there, so the
 * mask test shifts by an integer read rather than converting a float (and a numeric value's bits
 * shift a zero mask, which gives 0 whatever they are). The index arithmetic is `| 0`-truncated so
 * that V8 emits no overflow checks (indices stay far below 2^31).
 */
export function addMargins(
  flat: FlatForest,
  x: Float32Array,
  xi: Int32Array,
  groupStride: number,
  groups: number,
  acc: Float64Array,
): void {
  if (flat.mask !== undefined) {
    addMarginsWithMasks(flat, flat.mask, x, xi, groupStride, groups, acc);
    return;
  }
  const { treeRoot, treeDepth, slot: sl, value: th, numTrees } = flat;
  for (let t = 0; t < numTrees; t++) {
    const root = treeRoot[t];
    // Entry 2i + 1 + right of the tree, from the global index a = root + i.
    const c = 1 - root;
    const depth = treeDepth[t];
    for (let g = 0; g < groups; g++) {
      const o = g * groupStride;
      let a = root;
      let b = root;
      let d = root;
      let e = root;
      let f = root;
      let h = root;
      let i = root;
      let j = root;
      let p = root;
      let q = root;
      let r = root;
      let s = root;
      let u = root;
      let w = root;
      let y = root;
      let z = root;
      for (let k = depth; k > 0; k--) {
        a = ((((a << 1) + c) | 0) + ((x[(o + sl[a]) | 0] >= th[a]) as unknown as number)) | 0;
        b = ((((b << 1) + c) | 0) + ((x[(o + 1 + sl[b]) | 0] >= th[b]) as unknown as number)) | 0;
        d = ((((d << 1) + c) | 0) + ((x[(o + 2 + sl[d]) | 0] >= th[d]) as unknown as number)) | 0;
        e = ((((e << 1) + c) | 0) + ((x[(o + 3 + sl[e]) | 0] >= th[e]) as unknown as number)) | 0;
        f = ((((f << 1) + c) | 0) + ((x[(o + 4 + sl[f]) | 0] >= th[f]) as unknown as number)) | 0;
        h = ((((h << 1) + c) | 0) + ((x[(o + 5 + sl[h]) | 0] >= th[h]) as unknown as number)) | 0;
        i = ((((i << 1) + c) | 0) + ((x[(o + 6 + sl[i]) | 0] >= th[i]) as unknown as number)) | 0;
        j = ((((j << 1) + c) | 0) + ((x[(o + 7 + sl[j]) | 0] >= th[j]) as unknown as number)) | 0;
        p = ((((p << 1) + c) | 0) + ((x[(o + 8 + sl[p]) | 0] >= th[p]) as unknown as number)) | 0;
        q = ((((q << 1) + c) | 0) + ((x[(o + 9 + sl[q]) | 0] >= th[q]) as unknown as number)) | 0;
        r = ((((r << 1) + c) | 0) + ((x[(o + 10 + sl[r]) | 0] >= th[r]) as unknown as number)) | 0;
        s = ((((s << 1) + c) | 0) + ((x[(o + 11 + sl[s]) | 0] >= th[s]) as unknown as number)) | 0;
        u = ((((u << 1) + c) | 0) + ((x[(o + 12 + sl[u]) | 0] >= th[u]) as unknown as number)) | 0;
        w = ((((w << 1) + c) | 0) + ((x[(o + 13 + sl[w]) | 0] >= th[w]) as unknown as number)) | 0;
        y = ((((y << 1) + c) | 0) + ((x[(o + 14 + sl[y]) | 0] >= th[y]) as unknown as number)) | 0;
        z = ((((z << 1) + c) | 0) + ((x[(o + 15 + sl[z]) | 0] >= th[z]) as unknown as number)) | 0;
      }
      const m = g * LANES;
      acc[m] = f32(acc[m] + th[a]);
      acc[m + 1] = f32(acc[m + 1] + th[b]);
      acc[m + 2] = f32(acc[m + 2] + th[d]);
      acc[m + 3] = f32(acc[m + 3] + th[e]);
      acc[m + 4] = f32(acc[m + 4] + th[f]);
      acc[m + 5] = f32(acc[m + 5] + th[h]);
      acc[m + 6] = f32(acc[m + 6] + th[i]);
      acc[m + 7] = f32(acc[m + 7] + th[j]);
      acc[m + 8] = f32(acc[m + 8] + th[p]);
      acc[m + 9] = f32(acc[m + 9] + th[q]);
      acc[m + 10] = f32(acc[m + 10] + th[r]);
      acc[m + 11] = f32(acc[m + 11] + th[s]);
      acc[m + 12] = f32(acc[m + 12] + th[u]);
      acc[m + 13] = f32(acc[m + 13] + th[w]);
      acc[m + 14] = f32(acc[m + 14] + th[y]);
      acc[m + 15] = f32(acc[m + 15] + th[z]);
    }
  }
}

function addMarginsWithMasks(
  flat: FlatForest,
  mk: Int32Array,
  x: Float32Array,
  xi: Int32Array,
  groupStride: number,
  groups: number,
  acc: Float64Array,
): void {
  const { treeRoot, treeDepth, slot: sl, value: th, numTrees } = flat;
  for (let t = 0; t < numTrees; t++) {
    const root = treeRoot[t];
    const c = 1 - root;
    const depth = treeDepth[t];
    // Eight lanes at a time: the mask test needs registers that sixteen lanes would spill.
    for (let half = 0; half < 2 * groups; half++) {
      const o = (half >> 1) * groupStride + (half & 1) * 8;
      let a = root;
      let b = root;
      let d = root;
      let e = root;
      let f = root;
      let h = root;
      let i = root;
      let j = root;
      for (let k = depth; k > 0; k--) {
        const pa = (o + sl[a]) | 0;
        a = ((((a << 1) + c) | 0) + (((x[pa] >= th[a]) as unknown as number) | ((mk[a] >>> xi[pa]) & 1))) | 0;
        const pb = (o + 1 + sl[b]) | 0;
        b = ((((b << 1) + c) | 0) + (((x[pb] >= th[b]) as unknown as number) | ((mk[b] >>> xi[pb]) & 1))) | 0;
        const pd = (o + 2 + sl[d]) | 0;
        d = ((((d << 1) + c) | 0) + (((x[pd] >= th[d]) as unknown as number) | ((mk[d] >>> xi[pd]) & 1))) | 0;
        const pe = (o + 3 + sl[e]) | 0;
        e = ((((e << 1) + c) | 0) + (((x[pe] >= th[e]) as unknown as number) | ((mk[e] >>> xi[pe]) & 1))) | 0;
        const pf = (o + 4 + sl[f]) | 0;
        f = ((((f << 1) + c) | 0) + (((x[pf] >= th[f]) as unknown as number) | ((mk[f] >>> xi[pf]) & 1))) | 0;
        const ph = (o + 5 + sl[h]) | 0;
        h = ((((h << 1) + c) | 0) + (((x[ph] >= th[h]) as unknown as number) | ((mk[h] >>> xi[ph]) & 1))) | 0;
        const pi = (o + 6 + sl[i]) | 0;
        i = ((((i << 1) + c) | 0) + (((x[pi] >= th[i]) as unknown as number) | ((mk[i] >>> xi[pi]) & 1))) | 0;
        const pj = (o + 7 + sl[j]) | 0;
        j = ((((j << 1) + c) | 0) + (((x[pj] >= th[j]) as unknown as number) | ((mk[j] >>> xi[pj]) & 1))) | 0;
      }
      const m = half * 8;
      acc[m] = f32(acc[m] + th[a]);
      acc[m + 1] = f32(acc[m + 1] + th[b]);
      acc[m + 2] = f32(acc[m + 2] + th[d]);
      acc[m + 3] = f32(acc[m + 3] + th[e]);
      acc[m + 4] = f32(acc[m + 4] + th[f]);
      acc[m + 5] = f32(acc[m + 5] + th[h]);
      acc[m + 6] = f32(acc[m + 6] + th[i]);
      acc[m + 7] = f32(acc[m + 7] + th[j]);
    }
  }
}

/** Margin of one row prepared in lane 0 (slot s at LANES * s), from `base`. */
export function flatMargin(flat: FlatForest, x: Float32Array, xi: Int32Array, base: number): number {
  const { treeRoot, treeDepth, slot: sl, value: th, mask: mk, numTrees } = flat;
  let margin = base;
  if (mk === undefined) {
    for (let t = 0; t < numTrees; t++) {
      const root = treeRoot[t];
      const c = 1 - root;
      let a = root;
      for (let k = treeDepth[t]; k > 0; k--)
        a = ((((a << 1) + c) | 0) + ((x[sl[a]] >= th[a]) as unknown as number)) | 0;
      margin = f32(margin + th[a]);
    }
  } else {
    for (let t = 0; t < numTrees; t++) {
      const root = treeRoot[t];
      const c = 1 - root;
      let a = root;
      for (let k = treeDepth[t]; k > 0; k--) {
        const at = sl[a];
        a = ((((a << 1) + c) | 0) + (((x[at] >= th[a]) as unknown as number) | ((mk[a] >>> xi[at]) & 1))) | 0;
      }
      margin = f32(margin + th[a]);
    }
  }
  return margin;
}
