import type { ParsedModel } from './parse';

/**
 * All trees of a model in flat typed arrays, nodes renumbered breadth-first per tree so that the two
 * children of a node are adjacent (right = left + 1). Scoring touches only these arrays: no per-node
 * objects, no property lookups, nothing for the garbage collector on the hot path.
 *
 * Leaves loop to themselves (threshold NaN, left child = the leaf, missing goes "left"), so a walk of
 * exactly `treeDepth[t]` steps from the root ends on the right leaf whatever the row: the walk needs no
 * leaf test and no branch, which lets several rows be walked in lock-step.
 */
export interface CompiledForest {
  readonly numTrees: number;
  readonly numNodes: number;
  readonly maxDepth: number;
  /** Index of each tree's root in the node arrays. */
  readonly treeRoot: Int32Array;
  /** Depth of each tree (0 for a single leaf): the number of steps of a walk. */
  readonly treeDepth: Int32Array;
  /** Split feature per node, -1 for a leaf. */
  readonly feature: Int32Array;
  /** Split feature per node with leaves reading feature 0 (their threshold is NaN, so it never matters). */
  readonly walkFeature: Int32Array;
  /** float32 split threshold: go left when x < threshold. NaN for leaves. */
  readonly threshold: Float32Array;
  /** Left child index (right child = left + 1); a leaf points at itself. */
  readonly leftChild: Int32Array;
  /** 1 when a missing value (NaN) goes right; 0 for leaves. */
  readonly missingRight: Int32Array;
  /** Leaf value for leaves, 0 for internal nodes. */
  readonly leafValue: Float32Array;
  /** Cover (sum of hessians) per node, as stored (float32 values). */
  readonly cover: Float64Array;
  /** Cover-weighted mean leaf value of each tree: the tree's share of the TreeSHAP bias term. */
  readonly treeMean: Float64Array;
}

export function compileForest(model: ParsedModel): CompiledForest {
  let total = 0;
  const orders: number[][] = [];
  for (const tree of model.trees) {
    // Breadth-first order of reachable nodes; pruned (unreachable) nodes are dropped.
    const order: number[] = [0];
    for (let i = 0; i < order.length; i++) {
      const n = order[i];
      if (tree.left[n] !== -1) order.push(tree.left[n], tree.right[n]);
    }
    orders.push(order);
    total += order.length;
  }

  const numTrees = model.trees.length;
  const treeRoot = new Int32Array(numTrees);
  const treeDepth = new Int32Array(numTrees);
  const feature = new Int32Array(total);
  const walkFeature = new Int32Array(total);
  const threshold = new Float32Array(total);
  const leftChild = new Int32Array(total);
  const missingRight = new Int32Array(total);
  const leafValue = new Float32Array(total);
  const cover = new Float64Array(total);
  const treeMean = new Float64Array(numTrees);

  let base = 0;
  model.trees.forEach((tree, t) => {
    const order = orders[t];
    const newIndex = new Map<number, number>();
    order.forEach((old, i) => newIndex.set(old, base + i));
    treeRoot[t] = base;
    order.forEach((old, i) => {
      const at = base + i;
      cover[at] = tree.cover[old];
      if (tree.left[old] === -1) {
        feature[at] = -1;
        walkFeature[at] = 0;
        threshold[at] = NaN;
        leftChild[at] = at;
        leafValue[at] = tree.splitCondition[old];
      } else {
        feature[at] = tree.splitIndex[old];
        walkFeature[at] = tree.splitIndex[old];
        threshold[at] = tree.splitCondition[old];
        leftChild[at] = newIndex.get(tree.left[old]) as number;
        missingRight[at] = tree.defaultLeft[old] === 1 ? 0 : 1;
        // Breadth-first numbering pushes left then right, so they are adjacent by construction.
        if ((newIndex.get(tree.right[old]) as number) !== leftChild[at] + 1) {
          throw new Error('internal error: children not adjacent after renumbering');
        }
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

  return {
    numTrees,
    numNodes: total,
    maxDepth: treeDepth.reduce((a, b) => Math.max(a, b), 0),
    treeRoot,
    treeDepth,
    feature,
    walkFeature,
    threshold,
    leftChild,
    missingRight,
    leafValue,
    cover,
    treeMean,
  };
}
