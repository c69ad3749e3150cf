import type { ParsedModel } from './parse';

/**
 * All trees of a model in flat typed arrays, nodes renumbered breadth-first per tree so that the two
 * children of a node are adjacent (right = left + 1). Scoring then touches only these arrays: no
 * per-node objects, no property lookups, nothing for the garbage collector on the hot path.
 */
export interface CompiledForest {
  readonly numTrees: number;
  readonly numNodes: number;
  readonly maxDepth: number;
  /** Index of each tree's root in the node arrays. */
  readonly treeRoot: Int32Array;
  /** Split feature per node, -1 for a leaf. */
  readonly feature: Int32Array;
  /** float32 split threshold (go left when x < threshold), or the leaf value for a leaf. */
  readonly value: Float32Array;
  /** Left child index; the right child is leftChild + 1. */
  readonly leftChild: Int32Array;
  /** 1 when a missing value (NaN) goes to the left child. */
  readonly missingLeft: Uint8Array;
  /** Cover (sum of hessians) per node, as stored (float32 values). */
  readonly cover: Float64Array;
  /** Cover-weighted mean leaf value of each tree: the tree's share of the TreeSHAP bias term. */
  readonly treeMean: Float64Array;
}

export function compileForest(model: ParsedModel): CompiledForest {
  let total = 0;
  const reachable: number[][] = [];
  for (const tree of model.trees) {
    // Breadth-first order of reachable nodes; pruned (unreachable) nodes are dropped.
    const order: number[] = [0];
    for (let i = 0; i < order.length; i++) {
      const n = order[i];
      if (tree.left[n] !== -1) order.push(tree.left[n], tree.right[n]);
    }
    reachable.push(order);
    total += order.length;
  }

  const treeRoot = new Int32Array(model.trees.length);
  const feature = new Int32Array(total);
  const value = new Float32Array(total);
  const leftChild = new Int32Array(total);
  const missingLeft = new Uint8Array(total);
  const cover = new Float64Array(total);
  const treeMean = new Float64Array(model.trees.length);
  let maxDepth = 0;

  let base = 0;
  model.trees.forEach((tree, t) => {
    const order = reachable[t];
    const newIndex = new Map<number, number>();
    order.forEach((old, i) => newIndex.set(old, base + i));
    treeRoot[t] = base;
    order.forEach((old, i) => {
      const at = base + i;
      cover[at] = tree.cover[old];
      value[at] = tree.splitCondition[old];
      if (tree.left[old] === -1) {
        feature[at] = -1;
        leftChild[at] = -1;
      } else {
        feature[at] = tree.splitIndex[old];
        leftChild[at] = newIndex.get(tree.left[old]) as number;
        missingLeft[at] = tree.defaultLeft[old];
        // Breadth-first numbering pushes left then right, so they are adjacent by construction.
        if ((newIndex.get(tree.right[old]) as number) !== leftChild[at] + 1) {
          throw new Error('internal error: children not adjacent after renumbering');
        }
      }
    });
    const depthAndMean = (node: number, depth: number): number => {
      if (feature[node] === -1) {
        if (depth > maxDepth) maxDepth = depth;
        return value[node];
      }
      const l = leftChild[node];
      const lm = depthAndMean(l, depth + 1);
      const rm = depthAndMean(l + 1, depth + 1);
      return (lm * cover[l] + rm * cover[l + 1]) / cover[node];
    };
    treeMean[t] = depthAndMean(base, 0);
    base += order.length;
  });

  return {
    numTrees: model.trees.length,
    numNodes: total,
    maxDepth,
    treeRoot,
    feature,
    value,
    leftChild,
    missingLeft,
    cover,
    treeMean,
  };
}
