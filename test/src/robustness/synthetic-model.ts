/**
 * Small XGBoost JSON models (1.7 layout, binary:logistic, base_score 0.5 so the base margin is 0) built
 * from readable trees, so a test knows exactly how the model behaves and can compute the expected
 * assessment figures on its own.
 */
export type TreeNode =
  | { readonly leaf: number }
  | {
      /** Feature index; rows with value < threshold (XGBoost's rule) go left, missing go left. */
      readonly feature: number;
      readonly threshold: number;
      readonly left: TreeNode;
      readonly right: TreeNode;
    };

function flatten(root: TreeNode, numFeatures: number, id: number): Record<string, unknown> {
  const left: number[] = [];
  const right: number[] = [];
  const parents: number[] = [];
  const feature: number[] = [];
  const condition: number[] = [];
  const visit = (node: TreeNode, parent: number): number => {
    const index = left.length;
    left.push(-1);
    right.push(-1);
    parents.push(parent);
    feature.push(0);
    condition.push(0);
    if ('leaf' in node) {
      condition[index] = node.leaf;
      return index;
    }
    feature[index] = node.feature;
    condition[index] = node.threshold;
    left[index] = visit(node.left, index);
    right[index] = visit(node.right, index);
    return index;
  };
  visit(root, 2147483647);
  const n = left.length;
  return {
    base_weights: condition.map(() => 0),
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
    default_left: left.map((l) => (l >= 0 ? 1 : 0)),
    id,
    left_children: left,
    loss_changes: condition.map(() => 0),
    parents,
    right_children: right,
    split_conditions: condition,
    split_indices: feature,
    split_type: condition.map(() => 0),
    sum_hessian: condition.map(() => 10),
    tree_param: {
      num_deleted: '0',
      num_feature: String(numFeatures),
      num_nodes: String(n),
      size_leaf_vector: '0',
    },
  };
}

/** The model document as XGBoost 1.7.4 would save it. */
export function xgboostModel(featureNames: readonly string[], trees: readonly TreeNode[]): string {
  return JSON.stringify({
    learner: {
      attributes: {},
      feature_names: featureNames,
      feature_types: featureNames.map(() => 'float'),
      gradient_booster: {
        model: {
          gbtree_model_param: {
            num_parallel_tree: '1',
            num_trees: String(trees.length),
            size_leaf_vector: '0',
          },
          tree_info: trees.map(() => 0),
          trees: trees.map((t, i) => flatten(t, featureNames.length, i)),
        },
        name: 'gbtree',
      },
      learner_model_param: {
        base_score: '5E-1',
        boost_from_average: '1',
        num_class: '0',
        num_feature: String(featureNames.length),
        num_target: '1',
      },
      objective: { name: 'binary:logistic', reg_loss_param: { scale_pos_weight: '1' } },
    },
    version: [1, 7, 4],
  });
}
