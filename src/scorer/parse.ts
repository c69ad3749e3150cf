import { ModelFormatError, UnsupportedModelError } from './errors';
import { objectiveDefinition, type ObjectiveDefinition } from './objectives';

/** One tree as stored by XGBoost (node arrays indexed by XGBoost's node id), already validated. */
export interface ParsedTree {
  readonly numNodes: number;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly splitIndex: Int32Array;
  /**
   * Split threshold for numeric splits, leaf value for leaves (XGBoost stores both in
   * split_conditions); meaningless (NaN here) for categorical splits.
   */
  readonly splitCondition: Float32Array;
  readonly defaultLeft: Uint8Array;
  /** Cover (sum of hessians) per node: TreeSHAP weighs the two branches by it. */
  readonly cover: Float32Array;
  /**
   * Per categorical split node, the category codes that go RIGHT (XGBoost's `Decision`: a category
   * in the set goes right; any other, negative or out-of-range value goes left). Sorted, distinct.
   */
  readonly categories: ReadonlyMap<number, Int32Array>;
}

/** XGBoost's feature types: `c` is a native categorical feature, the others are numeric. */
export type FeatureType = 'float' | 'int' | 'i' | 'q' | 'c';
const FEATURE_TYPES: readonly string[] = ['float', 'int', 'i', 'q', 'c'];

export interface ParsedModel {
  /** XGBoost version that wrote the file, e.g. [1, 7, 4]. */
  readonly version: readonly [number, number, number];
  /** `gbtree`, or `dart` (trees weighed by `treeWeights`). */
  readonly booster: 'gbtree' | 'dart';
  readonly objective: ObjectiveDefinition;
  /** `base_score` as written in the file (probability space for logistic objectives). */
  readonly baseScore: number;
  readonly numFeatures: number;
  /** Names stored in the model, or `f0..fN` when it was trained without names. */
  readonly featureNames: readonly string[];
  readonly hasStoredFeatureNames: boolean;
  /** Per feature: `c` for native categorical (stored as such, or split categorically), else numeric. */
  readonly featureTypes: readonly FeatureType[];
  /**
   * Per feature: the category names in code order, as XGBoost 3.1+ stores them (`cats`); undefined
   * for numeric features and for categorical features of models that store no names.
   */
  readonly categoryNames: readonly (readonly string[] | undefined)[];
  /** Per tree weight (dart's `weight_drop`); undefined when every tree counts fully. */
  readonly treeWeights: Float32Array | undefined;
  readonly trees: readonly ParsedTree[];
}

/** Trees deeper than this are refused: XGBoost's own limit for depthwise growth is far lower in practice. */
const MAX_TREE_DEPTH = 256;
/**
 * Largest category code accepted in a split. XGBoost's own ceiling is 2^24; a model with more than
 * 65,536 levels in one feature is not a churn model, and the bound keeps a crafted file from making
 * the compiled bit sets huge.
 */
export const MAX_CATEGORY_CODE = 65_535;

type Typed = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Int32Array;
type Json = null | boolean | number | string | Json[] | Typed | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type JsonArray = Json[] | Typed;

function isTyped(value: unknown): value is Typed {
  return ArrayBuffer.isView(value);
}

function describe(value: Json | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value) || isTyped(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value).slice(0, 40)}`;
}

function object(value: Json | undefined, path: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isTyped(value)) {
    throw new ModelFormatError(`${path} must be an object but is ${describe(value)}`);
  }
  return value;
}

function array(value: Json | undefined, path: string): JsonArray {
  if (!Array.isArray(value) && !isTyped(value)) {
    throw new ModelFormatError(`${path} must be an array but is ${describe(value)}`);
  }
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

function sized(value: Json | undefined, path: string, length: number, what = 'the tree has'): JsonArray {
  const items = array(value, path);
  if (items.length !== length) {
    throw new ModelFormatError(`${path} has ${items.length} entries but ${what} ${length} nodes`);
  }
  return items;
}

function integerArray(value: Json | undefined, path: string, length: number): Int32Array {
  const items = sized(value, path, length);
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const v = items[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2 ** 31) {
      throw new ModelFormatError(`${path}[${i}] must be an integer but is ${describe(v)}`);
    }
    out[i] = v;
  }
  return out;
}

/** Like integerArray, for the variable-length categorical arrays. */
function integers(value: Json | undefined, path: string): number[] {
  const items = array(value, path);
  const out: number[] = new Array<number>(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) {
      throw new ModelFormatError(`${path}[${i}] must be a non-negative integer but is ${describe(v)}`);
    }
    out[i] = v;
  }
  return out;
}

/** Floats; `allowNonFinite(i)` lets an entry be NaN/null (categorical split conditions). */
function float32Array(
  value: Json | undefined,
  path: string,
  length: number,
  allowNonFinite: (i: number) => boolean = () => false,
): Float32Array {
  const items = sized(value, path, length);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const v = items[i];
    if (typeof v === 'number' && Number.isFinite(v)) out[i] = v;
    else if ((v === null || typeof v === 'number') && allowNonFinite(i)) out[i] = NaN;
    else throw new ModelFormatError(`${path}[${i}] must be a finite number but is ${describe(v)}`);
  }
  return out;
}

/** XGBoost 1.x writes 0/1, newer writers and hand-made files may use booleans. */
function flagArray(value: Json | undefined, path: string, length: number): Uint8Array {
  const items = sized(value, path, length);
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
  const items = Array.from(array(value, 'version') as ArrayLike<Json>);
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

/** Reads categories_nodes/segments/sizes/categories into node -> sorted category codes. */
function parseCategories(
  tree: JsonObject,
  path: string,
  splitType: Uint8Array,
  numNodes: number,
): Map<number, Int32Array> {
  const out = new Map<number, Int32Array>();
  const nodes =
    tree.categories_nodes === undefined ? [] : integers(tree.categories_nodes, `${path}.categories_nodes`);
  const segments =
    tree.categories_segments === undefined
      ? []
      : integers(tree.categories_segments, `${path}.categories_segments`);
  const sizes =
    tree.categories_sizes === undefined ? [] : integers(tree.categories_sizes, `${path}.categories_sizes`);
  const all = tree.categories === undefined ? [] : integers(tree.categories, `${path}.categories`);
  if (segments.length !== nodes.length || sizes.length !== nodes.length) {
    throw new ModelFormatError(
      `${path}: categories_nodes, categories_segments and categories_sizes must have the same length ` +
        `(${nodes.length}, ${segments.length}, ${sizes.length})`,
    );
  }
  nodes.forEach((node, i) => {
    const where = `${path}.categories_nodes[${i}]`;
    if (node >= numNodes)
      throw new ModelFormatError(`${where} names node ${node} but the tree has ${numNodes} nodes`);
    if (splitType[node] !== 1) {
      throw new ModelFormatError(
        `${where} names node ${node}, which is not a categorical split (split_type 1)`,
      );
    }
    if (out.has(node)) throw new ModelFormatError(`${where} names node ${node} twice`);
    const start = segments[i];
    const end = start + sizes[i];
    if (end > all.length) {
      throw new ModelFormatError(
        `${path}: node ${node}'s categories ${start}..${end} run past the ${all.length} stored categories`,
      );
    }
    const codes = Int32Array.from(new Set(all.slice(start, end))).sort();
    const tooLarge = codes.find((c) => c > MAX_CATEGORY_CODE);
    if (tooLarge !== undefined) {
      throw new UnsupportedModelError(
        `${path} node ${node} splits on category code ${tooLarge}; codes above ${MAX_CATEGORY_CODE} are not supported`,
      );
    }
    out.set(node, codes);
  });
  for (let n = 0; n < numNodes; n++) {
    if (splitType[n] === 1 && !out.has(n)) {
      throw new ModelFormatError(`${path} node ${n} is a categorical split without stored categories`);
    }
  }
  return out;
}

function parseTree(value: Json, path: string, numFeatures: number): ParsedTree {
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

  const splitType = new Uint8Array(numNodes);
  if (tree.split_type !== undefined) {
    const raw = integerArray(tree.split_type, `${path}.split_type`, numNodes);
    raw.forEach((t, n) => {
      if (t !== 0 && t !== 1) {
        throw new UnsupportedModelError(
          `${path} node ${n} has split_type ${t}; only 0 (numeric) and 1 (categorical) exist`,
        );
      }
      splitType[n] = t;
    });
  }
  const categories = parseCategories(tree, path, splitType, numNodes);
  const left = integerArray(tree.left_children, `${path}.left_children`, numNodes);
  const right = integerArray(tree.right_children, `${path}.right_children`, numNodes);
  const splitIndex = integerArray(tree.split_indices, `${path}.split_indices`, numNodes);
  // XGBoost writes NaN (or 1e-45) as the condition of a categorical split: it is never read.
  const splitCondition = float32Array(
    tree.split_conditions,
    `${path}.split_conditions`,
    numNodes,
    (n) => splitType[n] === 1,
  );
  for (const node of categories.keys()) splitCondition[node] = NaN;
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
    if (l === -1 && r === -1) {
      if (splitType[node] === 1)
        throw new ModelFormatError(`${path} leaf ${node} is marked as a categorical split`);
      continue;
    }
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
  return { numNodes, left, right, splitIndex, splitCondition, defaultLeft, cover, categories };
}

/**
 * XGBoost 3.1+ stores each categorical feature's category names (`cats.enc`): strings as UTF-8 bytes
 * cut at `offsets` (n + 1 entries), integer categories as a typed `values` array. Category code i is
 * the i-th entry, which is how XGBoost re-codes a DataFrame at prediction time.
 */
function parseCategoryNames(cats: Json | undefined, numFeatures: number): (readonly string[] | undefined)[] {
  const names: (readonly string[] | undefined)[] = new Array(numFeatures).fill(undefined);
  if (cats === undefined) return names;
  const path = 'learner.gradient_booster.model.cats';
  const enc = array(object(cats, path).enc, `${path}.enc`);
  if (enc.length === 0) return names;
  if (enc.length !== numFeatures) {
    throw new ModelFormatError(
      `${path}.enc has ${enc.length} entries but the model has ${numFeatures} features`,
    );
  }
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (let f = 0; f < numFeatures; f++) {
    const where = `${path}.enc[${f}]`;
    const column = object(enc[f] as Json, where);
    const values = array(column.values, `${where}.values`);
    if (column.offsets !== undefined) {
      const offsets = integers(column.offsets, `${where}.offsets`);
      if (offsets.length === 0) continue;
      // Stored as int8 ("fixme: uint8" in XGBoost), so bytes above 127 come back negative.
      const bytes = Uint8Array.from(values as ArrayLike<number>, (b) => {
        if (typeof b !== 'number' || !Number.isInteger(b) || b < -128 || b > 255) {
          throw new ModelFormatError(`${where}.values must hold bytes`);
        }
        return b & 0xff;
      });
      const list: string[] = [];
      for (let i = 0; i + 1 < offsets.length; i++) {
        if (offsets[i] > offsets[i + 1] || offsets[i + 1] > bytes.length) {
          throw new ModelFormatError(
            `${where}.offsets are not increasing within the ${bytes.length} stored bytes`,
          );
        }
        try {
          list.push(utf8.decode(bytes.subarray(offsets[i], offsets[i + 1])));
        } catch {
          throw new ModelFormatError(`${where}: category ${i} is not valid UTF-8`);
        }
      }
      names[f] = list;
    } else if (values.length > 0) {
      names[f] = Array.from(values as ArrayLike<Json>, (v, i) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new ModelFormatError(`${where}.values[${i}] must be a number but is ${describe(v)}`);
        }
        return String(v);
      });
    }
    const list = names[f];
    if (list && new Set(list).size !== list.length) {
      throw new ModelFormatError(`${where} lists a category twice`);
    }
  }
  return names;
}

function parseWeights(value: Json | undefined, path: string, numTrees: number): Float32Array | undefined {
  if (value === undefined) return undefined;
  const items = array(value, path);
  if (items.length === 0 && numTrees === 0) return undefined;
  if (items.length !== numTrees) {
    throw new ModelFormatError(`${path} has ${items.length} weights for ${numTrees} trees`);
  }
  const out = new Float32Array(numTrees);
  for (let i = 0; i < numTrees; i++) {
    const v = items[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ModelFormatError(`${path}[${i}] must be a finite number but is ${describe(v)}`);
    }
    out[i] = v;
  }
  return out.every((w) => w === 1) ? undefined : out;
}

/**
 * Validate an XGBoost model document (from JSON, or UBJSON decoded by ubjson.ts) and extract what
 * scoring needs.
 */
export function parseModelDocument(document: unknown): ParsedModel {
  const root = object(document as Json, 'model document');
  const version = parseVersion(root.version);
  const learner = object(root.learner, 'learner');

  const booster = object(learner.gradient_booster, 'learner.gradient_booster');
  const boosterName = string(booster.name, 'learner.gradient_booster.name');
  let boosterPath = 'learner.gradient_booster';
  let gbtreeBooster = booster;
  let dartWeights: Json | undefined;
  if (boosterName === 'dart') {
    // Up to 3.2, dart nests the gbtree and keeps weight_drop beside it; from 3.3 on it is saved as a
    // gbtree whose model carries weight_drop (read below).
    gbtreeBooster = object(booster.gbtree, 'learner.gradient_booster.gbtree');
    boosterPath = 'learner.gradient_booster.gbtree';
    dartWeights = booster.weight_drop;
    if (dartWeights === undefined) {
      throw new ModelFormatError('learner.gradient_booster is dart but has no weight_drop');
    }
  } else if (boosterName !== 'gbtree') {
    const why = boosterName === 'gblinear' ? ' (linear boosters have no trees)' : '';
    throw new UnsupportedModelError(
      `booster '${boosterName}' is not supported, only 'gbtree' and 'dart'${why}`,
    );
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

  const rawTypes =
    learner.feature_types === undefined
      ? []
      : Array.from(array(learner.feature_types, 'learner.feature_types') as ArrayLike<Json>);
  if (rawTypes.length !== 0 && rawTypes.length !== numFeatures) {
    throw new ModelFormatError(
      `learner.feature_types has ${rawTypes.length} types but num_feature is ${numFeatures}`,
    );
  }
  const featureTypes: FeatureType[] = Array.from({ length: numFeatures }, (_, i) => {
    if (rawTypes.length === 0) return 'float';
    const t = string(rawTypes[i], `learner.feature_types[${i}]`);
    if (!FEATURE_TYPES.includes(t)) {
      throw new UnsupportedModelError(
        `learner.feature_types[${i}] is '${t}'; known types are ${FEATURE_TYPES.join(', ')}`,
      );
    }
    return t as FeatureType;
  });
  const storedNames =
    learner.feature_names === undefined
      ? []
      : Array.from(array(learner.feature_names, 'learner.feature_names') as ArrayLike<Json>);
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

  const modelPath = `${boosterPath}.model`;
  const gbtree = object(gbtreeBooster.model, modelPath);
  const trees = array(gbtree.trees, `${modelPath}.trees`) as Json[];
  const treeParam = object(gbtree.gbtree_model_param, `${modelPath}.gbtree_model_param`);
  const numTrees = integerParam(treeParam.num_trees, `${modelPath}.gbtree_model_param.num_trees`);
  if (numTrees !== trees.length) {
    throw new ModelFormatError(
      `gbtree_model_param.num_trees is ${numTrees} but ${trees.length} trees are stored`,
    );
  }
  const treeInfo = array(gbtree.tree_info, `${modelPath}.tree_info`);
  if (treeInfo.length !== trees.length) {
    throw new ModelFormatError(`tree_info has ${treeInfo.length} entries for ${trees.length} trees`);
  }
  for (let t = 0; t < treeInfo.length; t++) {
    if (treeInfo[t] !== 0) {
      throw new UnsupportedModelError(
        `tree ${t} belongs to output group ${JSON.stringify(treeInfo[t])}; only single-output models are supported`,
      );
    }
  }
  if (dartWeights !== undefined && gbtree.weight_drop !== undefined) {
    throw new ModelFormatError('dart model stores weight_drop twice (booster and model)');
  }
  const weightPath =
    dartWeights !== undefined ? 'learner.gradient_booster.weight_drop' : `${modelPath}.weight_drop`;
  const treeWeights = parseWeights(dartWeights ?? gbtree.weight_drop, weightPath, trees.length);

  const parsedTrees = trees.map((t, i) => parseTree(t, `${modelPath}.trees[${i}]`, numFeatures));
  // A categorical split makes its feature categorical even where feature_types was not saved (1.x
  // models trained from codes); a numeric split on a declared categorical feature is refused, because
  // the compiled form reads such a feature as category codes.
  parsedTrees.forEach((tree, t) => {
    for (let n = 0; n < tree.numNodes; n++) {
      if (tree.left[n] === -1) continue;
      const f = tree.splitIndex[n];
      if (tree.categories.has(n)) {
        if (rawTypes.length > 0 && featureTypes[f] !== 'c') {
          throw new ModelFormatError(
            `${modelPath}.trees[${t}] node ${n} is a categorical split on feature ${f} (${featureNames[f]}), which feature_types says is '${featureTypes[f]}'`,
          );
        }
        featureTypes[f] = 'c';
      }
    }
  });
  parsedTrees.forEach((tree, t) => {
    for (let n = 0; n < tree.numNodes; n++) {
      if (tree.left[n] !== -1 && !tree.categories.has(n) && featureTypes[tree.splitIndex[n]] === 'c') {
        throw new UnsupportedModelError(
          `${modelPath}.trees[${t}] node ${n} is a numeric split on categorical feature ${featureNames[tree.splitIndex[n]]}`,
        );
      }
    }
  });

  const categoryNames = parseCategoryNames(gbtree.cats, numFeatures);
  categoryNames.forEach((names, f) => {
    if (names !== undefined && featureTypes[f] !== 'c') {
      throw new ModelFormatError(`${modelPath}.cats names categories for numeric feature ${featureNames[f]}`);
    }
  });
  // Every code a split names must be a stored category, or the names cannot be trusted.
  parsedTrees.forEach((tree, t) => {
    for (const [node, codes] of tree.categories) {
      const f = tree.splitIndex[node];
      const names = categoryNames[f];
      if (names && codes.length > 0 && codes[codes.length - 1] >= names.length) {
        throw new ModelFormatError(
          `${modelPath}.trees[${t}] node ${node} splits on category code ${codes[codes.length - 1]} of ${featureNames[f]}, which has ${names.length} stored categories`,
        );
      }
    }
  });

  return {
    version,
    booster:
      boosterName === 'dart' || treeWeights !== undefined || gbtree.weight_drop !== undefined
        ? 'dart'
        : 'gbtree',
    objective,
    baseScore,
    numFeatures,
    featureNames,
    hasStoredFeatureNames: storedNames.length > 0,
    featureTypes,
    categoryNames,
    treeWeights,
    trees: parsedTrees,
  };
}
