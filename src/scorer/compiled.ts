import { UnsupportedModelError } from './errors';
import type { ParsedModel } from './parse';

/**
 * Category codes 0..MASK_CATEGORIES-1 of every categorical feature fit one 32-bit mask per split (bit
 * 0 is reserved, see `prepareRow`). Models with larger codes use the generic categorical path.
 */
export const MASK_CATEGORIES = 31;

/** XGBoost's `InvalidCat`: categories at or above 2^24 (or negative) are not categories and go left. */
export const OUT_OF_RANGE_CATEGORY = 16_777_216;

/**
 * All trees of a model in flat typed arrays, nodes renumbered breadth-first per tree so that the two
 * children of a node are adjacent (right = left + 1). Scoring touches only these arrays: no per-node
 * objects, no property lookups, nothing for the garbage collector on the hot path.
 *
 * Rows are first *prepared* (`prepareRow`): every feature gets two slots, `2f` where a missing value
 * reads as -Infinity and `2f + 1` where it reads as +Infinity. A node whose missing values go right
 * reads slot `2f + 1`, one whose missing values go left reads `2f`, so `slot >= threshold` is the whole
 * numeric decision, missing values included, with no NaN test. A categorical split reads its feature's
 * prepared code (category c becomes c + 1, anything that is not a category of any split becomes 0) and
 * goes right when bit `code` of its mask is set; its threshold is +Infinity so only a missing value whose
 * default is right passes the comparison. One branch-free expression therefore decides every node:
 *
 *     right = (x[slot] >= threshold) | ((mask >>> x[slot]) & 1)
 *
 * Leaves loop to themselves (threshold NaN, mask 0, left child = the leaf), so a walk of exactly
 * `treeDepth[t]` steps from the root ends on the right leaf whatever the row, with no leaf test.
 */
export interface CompiledForest {
  readonly numTrees: number;
  readonly numNodes: number;
  readonly numFeatures: number;
  readonly maxDepth: number;
  /** Index of each tree's root in the node arrays. */
  readonly treeRoot: Int32Array;
  /** Depth of each tree (0 for a single leaf): the number of steps of a walk. */
  readonly treeDepth: Int32Array;
  /** Split feature per node, -1 for a leaf. */
  readonly feature: Int32Array;
  /** Prepared-row slot the node reads: 2 * feature + (missing goes right); 0 for leaves. */
  readonly slot: Int32Array;
  /** float32 numeric threshold (right when x >= threshold); +Infinity for categorical splits, NaN for leaves. */
  readonly threshold: Float32Array;
  /** Category bit mask of a categorical split (bit c + 1 = category c goes right); 0 elsewhere. */
  readonly mask: Int32Array;
  /** Left child index (right child = left + 1); a leaf points at itself. */
  readonly leftChild: Int32Array;
  /** 1 when a missing value goes right; 0 for leaves. */
  readonly missingRight: Int32Array;
  /** Leaf value (times the tree's dart weight, in float32 as XGBoost computes it) for leaves, 0 elsewhere. */
  readonly leafValue: Float32Array;
  /** Cover (sum of hessians) per node, as stored (float32 values). */
  readonly cover: Float64Array;
  /** Cover-weighted mean leaf value of each tree: the tree's share of the TreeSHAP bias term. */
  readonly treeMean: Float64Array;
  /** Per feature: 1 when it is native categorical (its slots hold prepared category codes). */
  readonly categorical: Uint8Array;
  /**
   * Set when some categorical split names a code of MASK_CATEGORIES or more: such splits keep
   * `mask` 0 and are decided by `generic` (slower, a branch per categorical node).
   */
  readonly generic: GenericCategories | undefined;
}

/** Category sets too wide for one mask: per node, a run of 32-bit words in `bits`. */
export interface GenericCategories {
  /** First word of the node's set in `bits`, -1 for nodes decided by threshold and mask. */
  readonly start: Int32Array;
  /** Number of words of the node's set. */
  readonly words: Int32Array;
  readonly bits: Int32Array;
}

export function compileForest(model: ParsedModel): CompiledForest {
  let total = 0;
  const orders: number[][] = [];
  let widest = -1;
  for (const tree of model.trees) {
    // Breadth-first order of reachable nodes; pruned (unreachable) nodes are dropped.
    const order: number[] = [0];
    for (let i = 0; i < order.length; i++) {
      const n = order[i];
      if (tree.left[n] !== -1) order.push(tree.left[n], tree.right[n]);
    }
    orders.push(order);
    total += order.length;
    for (const n of order) {
      const codes = tree.categories.get(n);
      if (codes && codes.length > 0) widest = Math.max(widest, codes[codes.length - 1]);
    }
  }
  const useGeneric = widest >= MASK_CATEGORIES;

  const numTrees = model.trees.length;
  const treeRoot = new Int32Array(numTrees);
  const treeDepth = new Int32Array(numTrees);
  const feature = new Int32Array(total);
  const slot = new Int32Array(total);
  const threshold = new Float32Array(total);
  const mask = new Int32Array(total);
  const leftChild = new Int32Array(total);
  const missingRight = new Int32Array(total);
  const leafValue = new Float32Array(total);
  const cover = new Float64Array(total);
  const treeMean = new Float64Array(numTrees);
  const genericStart = useGeneric ? new Int32Array(total).fill(-1) : undefined;
  const genericWords = useGeneric ? new Int32Array(total) : undefined;
  const genericBits: number[] = [];

  let base = 0;
  model.trees.forEach((tree, t) => {
    const order = orders[t];
    const weight = model.treeWeights ? model.treeWeights[t] : 1;
    const newIndex = new Map<number, number>();
    order.forEach((old, i) => newIndex.set(old, base + i));
    treeRoot[t] = base;
    order.forEach((old, i) => {
      const at = base + i;
      cover[at] = tree.cover[old];
      if (tree.left[old] === -1) {
        feature[at] = -1;
        threshold[at] = NaN;
        leftChild[at] = at;
        // XGBoost multiplies the float32 leaf by the float32 tree weight in float32.
        leafValue[at] = Math.fround(tree.splitCondition[old] * weight);
        return;
      }
      const f = tree.splitIndex[old];
      const right = tree.defaultLeft[old] === 1 ? 0 : 1;
      feature[at] = f;
      missingRight[at] = right;
      slot[at] = 2 * f + right;
      leftChild[at] = newIndex.get(tree.left[old]) as number;
      // Breadth-first numbering pushes left then right, so they are adjacent by construction.
      if ((newIndex.get(tree.right[old]) as number) !== leftChild[at] + 1) {
        throw new Error('internal error: children not adjacent after renumbering');
      }
      const codes = tree.categories.get(old);
      if (codes === undefined) {
        threshold[at] = tree.splitCondition[old];
        return;
      }
      threshold[at] = Infinity;
      if (genericStart && genericWords) {
        const words = codes.length === 0 ? 0 : (codes[codes.length - 1] >>> 5) + 1;
        genericStart[at] = genericBits.length;
        genericWords[at] = words;
        for (let w = 0; w < words; w++) genericBits.push(0);
        for (const c of codes) genericBits[genericStart[at] + (c >>> 5)] |= 1 << (c & 31);
      } else {
        let bits = 0;
        for (const c of codes) bits |= 1 << (c + 1);
        mask[at] = bits;
      }
    });
    let depth = 0;
    const meanOf = (node: number, level: number): number => {
      if (feature[node] === -1) {
        depth = Math.max(depth, level);
        return leafValue[node];
      }
      const l = leftChild[node];
      const lm = meanOf(l, level + 1);
      const rm = meanOf(l + 1, level + 1);
      return (lm * cover[l] + rm * cover[l + 1]) / cover[node];
    };
    treeMean[t] = meanOf(base, 0);
    treeDepth[t] = depth;
    base += order.length;
  });

  const categorical = Uint8Array.from(model.featureTypes, (t) => (t === 'c' ? 1 : 0));
  if (useGeneric && genericBits.length > 64 * 1024 * 1024) {
    throw new UnsupportedModelError(
      'the categorical splits of this model need more than 256 MiB of bit sets',
    );
  }
  return {
    numTrees,
    numNodes: total,
    numFeatures: model.numFeatures,
    maxDepth: treeDepth.reduce((a, b) => Math.max(a, b), 0),
    treeRoot,
    treeDepth,
    feature,
    slot,
    threshold,
    mask,
    leftChild,
    missingRight,
    leafValue,
    cover,
    treeMean,
    categorical,
    generic:
      genericStart && genericWords
        ? { start: genericStart, words: genericWords, bits: Int32Array.from(genericBits) }
        : undefined,
  };
}

/**
 * Writes one row's prepared slots (see CompiledForest): slot s at `out[at + step * s]`, s < 2 *
 * numFeatures (`step` > 1 interleaves several rows, see FlatForest). Values are
 * rounded to float32 first, as XGBoost's DMatrix stores them. A categorical value follows XGBoost's
 * `Decision`: truncated to an integer; negative values and values of 2^24 or more are no category; in
 * the mask form, codes of MASK_CATEGORIES or more are in no set either, so all of those become 0. In
 * the generic form a categorical slot holds the truncated code itself (-1 for no category).
 * With `codesAsInt` (an Int32Array over out's buffer), categorical codes are written as integers into
 * it instead (the flat walk reads them so, see FlatForest).
 */
export function prepareRow(
  forest: CompiledForest,
  row: ArrayLike<number>,
  from: number,
  out: Float32Array,
  at: number,
  step = 1,
  codesAsInt?: Int32Array,
): void {
  const n = forest.numFeatures;
  const categorical = forest.categorical;
  const generic = forest.generic !== undefined;
  for (let f = 0; f < n; f++) {
    const v = Math.fround(row[from + f]);
    const o = at + 2 * f * step;
    if (v !== v) {
      out[o] = -Infinity;
      out[o + step] = Infinity;
    } else if (categorical[f] === 0) {
      out[o] = v;
      out[o + step] = v;
    } else {
      const valid = v >= 0 && v < OUT_OF_RANGE_CATEGORY;
      const code = generic
        ? valid
          ? Math.trunc(v)
          : -1
        : valid && v < MASK_CATEGORIES
          ? Math.trunc(v) + 1
          : 0;
      if (codesAsInt === undefined) {
        out[o] = code;
        out[o + step] = code;
      } else {
        codesAsInt[o] = code;
        codesAsInt[o + step] = code;
      }
    }
  }
}

/** Whether a prepared row goes right at node `a` (the walk's decision, in one place for TreeSHAP). */
export function goesRight(forest: CompiledForest, x: Float32Array, offset: number, a: number): number {
  const v = x[offset + forest.slot[a]];
  const g = forest.generic;
  if (g !== undefined && g.start[a] >= 0) return genericDecision(g, a, v);
  return ((v >= forest.threshold[a]) as unknown as number) | ((forest.mask[a] >>> v) & 1);
}

/** Generic categorical split: missing (+/-Infinity) by default direction, else set membership. */
export function genericDecision(g: GenericCategories, a: number, v: number): number {
  if (v === Infinity) return 1;
  if (v < 0) return 0;
  const word = v >>> 5;
  if (word >= g.words[a]) return 0;
  return (g.bits[g.start[a] + word] >>> (v & 31)) & 1;
}
