import { ModelFormatError, UnsupportedModelError } from './errors';
import { objectiveDefinition, type ObjectiveDefinition } from './objectives';

/** One tree as stored by XGBoost (node arrays indexed by XGBoost's node id), already validated. */
export interface ParsedTree {
  readonly numNodes: number;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly splitIndex: Int32Array;
  /** Split threshold for internal nodes, leaf value for leaves (XGBoost stores both in split_conditions). */
  readonly splitCondition: Float32Array;
  readonly defaultLeft: Uint8Array;
  /** Cover (sum of hessians) per node: TreeSHAP weighs the two branches by it. */
  readonly cover: Float32Array;
}

export interface ParsedModel {
  /** XGBoost version that wrote the file, e.g. [1, 7, 4]. */
  readonly version: readonly [number, number, number];
  readonly objective: ObjectiveDefinition;
  /** `base_score` as written in the file (probability space for logistic objectives). */
  readonly baseScore: number;
  readonly numFeatures: number;
  /** Names stored in the model, or `f0..fN` when it was trained without names. */
  readonly featureNames: readonly string[];
  readonly hasStoredFeatureNames: boolean;
  readonly trees: readonly ParsedTree[];
}

/** Trees deeper than this are refused: XGBoost's own limit for depthwise growth is far lower in practice. */
const MAX_TREE_DEPTH = 256;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function describe(value: Json | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value).slice(0, 40)}`;
}

function object(value: Json | undefined, path: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value === undefined) {
    throw new ModelFormatError(`${path} must be an object but is ${describe(value)}`);
  }
  return value;
}

function array(value: Json | undefined, path: string): Json[] {
  if (!Array.isArray(value)) throw new ModelFormatError(`${path} must be an array but is ${describe(value)}`);
  return value;
}

function string(value: Json | undefined, path: string): string {
  if (typeof value !== 'string')
    throw new ModelFormatError(`${path} must be a string but is ${describe(value)}`);
  return value;
}

/** dmlc parameters are serialised as strings ("6", "5E-1"); newer writers sometimes use numbers. */
function numericParam(value: Json | undefined, path: string): number {
  if (typeof value === 'number') return value;
  const text = string(value, path).trim();
  const parsed = text === '' ? NaN : Number(text);
  if (!Number.isFinite(parsed)) throw new ModelFormatError(`${path} must be a number but is '${text}'`);
  return parsed;
}

function integerParam(value: Json | undefined, path: string): number {
  const n = numericParam(value, path);
  if (!Number.isInteger(n) || n < 0)
    throw new ModelFormatError(`${path} must be a non-negative integer, got ${n}`);
  return n;
}

function integerArray(value: Json | undefined, path: string, length: number): Int32Array {
  const items = array(value, path);
  if (items.length !== length) {
    throw new ModelFormatError(`${path} has ${items.length} entries but the tree has ${length} nodes`);
  }
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const v = items[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new ModelFormatError(`${path}[${i}] must be an integer but is ${describe(v)}`);
    }
    out[i] = v;
  }
  return out;
}

function float32Array(value: Json | undefined, path: string, length: number): Float32Array {
  const items = array(value, path);
  if (items.length !== length) {
    throw new ModelFormatError(`${path} has ${items.length} entries but the tree has ${length} nodes`);
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const v = items[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ModelFormatError(`${path}[${i}] must be a finite number but is ${describe(v)}`);
    }
    out[i] = v;
  }
  return out;
}

/** XGBoost 1.x writes 0/1, newer writers and hand-made files may use booleans. */
function flagArray(value: Json | undefined, path: string, length: number): Uint8Array {
  const items = array(value, path);
  if (items.length !== length) {
    throw new ModelFormatError(`${path} has ${items.length} entries but the tree has ${length} nodes`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const v = items[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v !== false && v !== 0)
      throw new ModelFormatError(`${path}[${i}] must be 0/1 or a boolean but is ${describe(v)}`);
  }
  return out;
}

/** `base_score` is "5E-1" in 1.x files and "[5E-1]" (a vector, one entry per target) in newer ones. */
function parseBaseScore(value: Json | undefined, path: string): number {
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      if (!text.endsWith(']')) throw new ModelFormatError(`${path} '${text}' is an unterminated vector`);
      const parts = text
        .slice(1, -1)
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      if (parts.length !== 1) {
        throw new UnsupportedModelError(
          `${path} '${text}' has ${parts.length} entries; only single-target models are supported`,
        );
      }
      return numericParam(parts[0], path);
    }
  }
  return numericParam(value, path);
}

function parseVersion(value: Json | undefined): readonly [number, number, number] {
  const items = array(value, 'version');
  if (items.length !== 3 || !items.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
    throw new ModelFormatError(`version must be three non-negative integers, got ${JSON.stringify(items)}`);
  }
  const [major, minor, patch] = items as number[];
  if (major < 1 || major > 3) {
    throw new UnsupportedModelError(
      `XGBoost model version ${items.join('.')} is not supported (1.x to 3.x are)`,
    );
  }
  return [major, minor, patch];
}

function parseTree(value: Json, index: number, numFeatures: number): ParsedTree {
  const path = `learner.gradient_booster.model.trees[${index}]`;
  const tree = object(value, path);
  const param = object(tree.tree_param, `${path}.tree_param`);
  const sizeLeafVector = integerParam(param.size_leaf_vector ?? '0', `${path}.tree_param.size_leaf_vector`);
  if (sizeLeafVector > 1) {
    throw new UnsupportedModelError(
      `${path} has vector leaves (size_leaf_vector ${sizeLeafVector}); multi-target trees are not supported`,
    );
  }
  const numNodes = integerParam(param.num_nodes, `${path}.tree_param.num_nodes`);
  if (numNodes < 1) throw new ModelFormatError(`${path}.tree_param.num_nodes must be at least 1`);

  if (tree.split_type !== undefined) {
    const splitType = integerArray(tree.split_type, `${path}.split_type`, numNodes);
    const categorical = splitType.findIndex((t) => t !== 0);
    if (categorical >= 0) {
      throw new UnsupportedModelError(
        `${path} node ${categorical} is a native categorical split (split_type ${splitType[categorical]}); ` +
          'encode categorical features one-hot through a feature specification instead',
      );
    }
  }
  if (
    tree.categories_nodes !== undefined &&
    array(tree.categories_nodes, `${path}.categories_nodes`).length > 0
  ) {
    throw new UnsupportedModelError(
      `${path} contains native categorical splits (categories_nodes is not empty)`,
    );
  }

  const left = integerArray(tree.left_children, `${path}.left_children`, numNodes);
  const right = integerArray(tree.right_children, `${path}.right_children`, numNodes);
  const splitIndex = integerArray(tree.split_indices, `${path}.split_indices`, numNodes);
  const splitCondition = float32Array(tree.split_conditions, `${path}.split_conditions`, numNodes);
  const defaultLeft = flagArray(tree.default_left, `${path}.default_left`, numNodes);
  const cover = float32Array(tree.sum_hessian, `${path}.sum_hessian`, numNodes);

  // Walk from the root so that a corrupted file cannot make traversal loop or index out of bounds.
  // Nodes not reachable from the root (pruned ones) are allowed and ignored.
  const seen = new Uint8Array(numNodes);
  const stack: number[] = [0];
  const depth: number[] = [0];
  while (stack.length > 0) {
    const node = stack.pop() as number;
    const d = depth.pop() as number;
    if (seen[node])
      throw new ModelFormatError(`${path} node ${node} is reachable twice: the tree is not a tree`);
    seen[node] = 1;
    if (d > MAX_TREE_DEPTH) throw new ModelFormatError(`${path} is deeper than ${MAX_TREE_DEPTH} levels`);
    const l = left[node];
    const r = right[node];
    if (l === -1 && r === -1) continue;
    if (l < 0 || l >= numNodes || r < 0 || r >= numNodes || l === r) {
      throw new ModelFormatError(
        `${path} node ${node} has invalid children ${l} and ${r} (tree has ${numNodes} nodes)`,
      );
    }
    if (splitIndex[node] < 0 || splitIndex[node] >= numFeatures) {
      throw new ModelFormatError(
        `${path} node ${node} splits on feature ${splitIndex[node]} but the model has ${numFeatures} features`,
      );
    }
    stack.push(l, r);
    depth.push(d + 1, d + 1);
  }
  return { numNodes, left, right, splitIndex, splitCondition, defaultLeft, cover };
}

/** Validate an XGBoost JSON model document (already JSON-parsed) and extract what scoring needs. */
export function parseModelDocument(document: unknown): ParsedModel {
  const root = object(document as Json, 'model document');
  const version = parseVersion(root.version);
  const learner = object(root.learner, 'learner');

  const booster = object(learner.gradient_booster, 'learner.gradient_booster');
  const boosterName = string(booster.name, 'learner.gradient_booster.name');
  if (boosterName !== 'gbtree') {
    const why =
      boosterName === 'dart'
        ? ' (dart weighs trees by weight_drop; retrain with booster=gbtree)'
        : boosterName === 'gblinear'
          ? ' (linear boosters have no trees)'
          : '';
    throw new UnsupportedModelError(`booster '${boosterName}' is not supported, only 'gbtree'${why}`);
  }

  const objectiveName = string(object(learner.objective, 'learner.objective').name, 'learner.objective.name');
  const modelParam = object(learner.learner_model_param, 'learner.learner_model_param');
  const numClass = integerParam(modelParam.num_class ?? '0', 'learner.learner_model_param.num_class');
  if (numClass > 1) {
    throw new UnsupportedModelError(
      `model is multi-class (num_class ${numClass}, objective '${objectiveName}'); only single-output models are supported`,
    );
  }
  const numTarget = integerParam(modelParam.num_target ?? '1', 'learner.learner_model_param.num_target');
  if (numTarget > 1) {
    throw new UnsupportedModelError(
      `model has ${numTarget} targets; only single-target models are supported`,
    );
  }
  const objective = objectiveDefinition(objectiveName);
  const baseScore = parseBaseScore(modelParam.base_score, 'learner.learner_model_param.base_score');
  const numFeatures = integerParam(modelParam.num_feature, 'learner.learner_model_param.num_feature');

  const featureTypes =
    learner.feature_types === undefined ? [] : array(learner.feature_types, 'learner.feature_types');
  const categoricalIndex = featureTypes.findIndex((t) => t === 'c');
  if (categoricalIndex >= 0) {
    throw new UnsupportedModelError(
      `feature ${categoricalIndex} has type 'c' (native categorical); encode it one-hot through a feature specification instead`,
    );
  }
  const storedNames =
    learner.feature_names === undefined ? [] : array(learner.feature_names, 'learner.feature_names');
  if (storedNames.length !== 0 && storedNames.length !== numFeatures) {
    throw new ModelFormatError(
      `learner.feature_names has ${storedNames.length} names but num_feature is ${numFeatures}`,
    );
  }
  const featureNames =
    storedNames.length > 0
      ? storedNames.map((n, i) => string(n, `learner.feature_names[${i}]`))
      : Array.from({ length: numFeatures }, (_, i) => `f${i}`);
  if (new Set(featureNames).size !== featureNames.length) {
    throw new ModelFormatError('learner.feature_names contains duplicates');
  }

  const gbtree = object(booster.model, 'learner.gradient_booster.model');
  const trees = array(gbtree.trees, 'learner.gradient_booster.model.trees');
  const treeParam = object(gbtree.gbtree_model_param, 'learner.gradient_booster.model.gbtree_model_param');
  const numTrees = integerParam(
    treeParam.num_trees,
    'learner.gradient_booster.model.gbtree_model_param.num_trees',
  );
  if (numTrees !== trees.length) {
    throw new ModelFormatError(
      `gbtree_model_param.num_trees is ${numTrees} but ${trees.length} trees are stored`,
    );
  }
  const treeInfo = array(gbtree.tree_info, 'learner.gradient_booster.model.tree_info');
  if (treeInfo.length !== trees.length) {
    throw new ModelFormatError(`tree_info has ${treeInfo.length} entries for ${trees.length} trees`);
  }
  const otherGroup = treeInfo.findIndex((g) => g !== 0);
  if (otherGroup >= 0) {
    throw new UnsupportedModelError(
      `tree ${otherGroup} belongs to output group ${JSON.stringify(treeInfo[otherGroup])}; only single-output models are supported`,
    );
  }

  return {
    version,
    objective,
    baseScore,
    numFeatures,
    featureNames,
    hasStoredFeatureNames: storedNames.length > 0,
    trees: trees.map((t, i) => parseTree(t, i, numFeatures)),
  };
}
