import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DigestMismatchError, loadModel, ModelFormatError, UnsupportedModelError } from '../../../src/scorer';
import { sha256Hex } from '../../../src/integrity/digest';

const FIXTURES = join(__dirname, '../../fixtures/xgboost');
const read = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const GOOD = 'binary_logistic_depth2.model.json';

type Doc = { learner: { gradient_booster: { model: { trees: Record<string, unknown>[] } } } } & Record<
  string,
  unknown
>;
const goodDoc = (): Doc => JSON.parse(read(GOOD).toString('utf8'));
const firstTree = (doc: Doc): Record<string, unknown> => doc.learner.gradient_booster.model.trees[0];

describe('refusing models the scorer does not support', () => {
  it.each([
    [
      'unsupported/gblinear.model.json',
      "booster 'gblinear' is not supported, only 'gbtree' and 'dart' (linear boosters have no trees)",
    ],
    ['unsupported/multiclass.model.json', "model is multi-class (num_class 3, objective 'multi:softprob')"],
    [
      'unsupported/rank_pairwise.model.json',
      "objective 'rank:pairwise' is not supported; supported objectives: binary:logistic",
    ],
  ])('%s', (file, message) => {
    let caught: unknown;
    try {
      loadModel(read(file), { source: file });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnsupportedModelError);
    expect((caught as Error).message).toContain(message);
    expect((caught as Error).message.startsWith(`${file}: `)).toBe(true);
  });

  it('refuses a numeric split on a declared categorical feature, and unknown feature types', () => {
    const doc = goodDoc() as unknown as { learner: Record<string, unknown> };
    const tree = firstTree(doc as unknown as Doc);
    const feature = (tree.split_indices as number[])[0];
    doc.learner.feature_types = Array.from({ length: 6 }, (_, i) => (i === feature ? 'c' : 'float'));
    expect(() => loadModel(JSON.stringify(doc))).toThrow(
      new RegExp(`trees\\[0\\] node 0 is a numeric split on categorical feature f${feature}`),
    );
    doc.learner.feature_types = Array.from({ length: 6 }, () => 'string');
    expect(() => loadModel(JSON.stringify(doc))).toThrow("learner.feature_types[0] is 'string'");
  });

  it('refuses vector leaves and multi-target base scores', () => {
    const doc = goodDoc();
    (firstTree(doc).tree_param as Record<string, string>).size_leaf_vector = '3';
    expect(() => loadModel(JSON.stringify(doc))).toThrow('multi-target trees are not supported');
    const twoTargets = goodDoc() as unknown as { learner: { learner_model_param: Record<string, string> } };
    twoTargets.learner.learner_model_param.base_score = '[5E-1,5E-1]';
    expect(() => loadModel(JSON.stringify(twoTargets))).toThrow(UnsupportedModelError);
  });
});

describe('refusing corrupted or truncated files', () => {
  it('names a truncated file as invalid JSON', () => {
    const bytes = read(GOOD);
    expect(() => loadModel(bytes.subarray(0, bytes.length / 2), { source: 'm.json' })).toThrow(
      /^m\.json is not valid JSON \(\d+ characters; truncated or corrupted\?\)/,
    );
  });

  it('rejects empty input, binary garbage and non-model JSON', () => {
    expect(() => loadModel(new Uint8Array(0))).toThrow('model is empty');
    expect(() => loadModel(new Uint8Array([0xff, 0xfe, 0x00, 0x81]))).toThrow(
      'is neither UBJSON (it does not start with',
    );
    expect(() => loadModel('[1,2,3]')).toThrow(ModelFormatError);
    expect(() => loadModel('{"version":[1,7,4]}')).toThrow('learner must be an object but is missing');
  });

  it('rejects structural corruption with the path of the bad entry', () => {
    const cases: [(tree: Record<string, unknown>) => void, string | RegExp][] = [
      [(t) => ((t.left_children as number[])[0] = 99), /trees\[0\] node 0 has invalid children 99 and \d+/],
      [(t) => ((t.left_children as number[])[1] = 0), /reachable twice|invalid children/],
      [
        (t) => ((t.split_indices as number[])[0] = 40),
        'trees[0] node 0 splits on feature 40 but the model has 6 features',
      ],
      [(t) => (t.split_conditions as number[]).pop(), 'trees[0].split_conditions has'],
      [
        (t) => ((t.split_conditions as unknown[])[1] = 'x'),
        'trees[0].split_conditions[1] must be a finite number but is string "x"',
      ],
      [(t) => ((t.default_left as unknown[])[0] = 2), 'trees[0].default_left[0] must be 0/1 or a boolean'],
    ];
    for (const [corrupt, message] of cases) {
      const doc = goodDoc();
      corrupt(firstTree(doc));
      expect(() => loadModel(JSON.stringify(doc))).toThrow(message);
    }
  });

  it('rejects a tree count that disagrees with the stored trees', () => {
    const doc = goodDoc();
    doc.learner.gradient_booster.model.trees.pop();
    expect(() => loadModel(JSON.stringify(doc))).toThrow('num_trees is 12 but 11 trees are stored');
  });
});

describe('integrity check when loading from bytes (MODEL-3)', () => {
  const bytes = read(GOOD);

  it('loads when the expected SHA-256 matches and records it', () => {
    const digest = sha256Hex(bytes);
    expect(loadModel(bytes, { expectedSha256: digest.toUpperCase() }).sha256).toBe(digest);
  });

  it('refuses a mismatch before parsing', () => {
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 3] ^= 1;
    expect(() => loadModel(tampered, { expectedSha256: sha256Hex(bytes), source: 'registry/m1' })).toThrow(
      DigestMismatchError,
    );
    expect(() => loadModel(bytes, { expectedSha256: 'abc' })).toThrow('must be 64 hex characters');
  });
});

describe('float32 semantics', () => {
  const model = loadModel(read(GOOD));
  const doc = goodDoc();
  const tree = firstTree(doc);
  const feature = (tree.split_indices as number[])[0];
  const threshold = (tree.split_conditions as number[])[0];

  it('sends a value equal to the threshold right and rounds inputs to float32 first', () => {
    const row = new Array(model.numFeatures).fill(0);
    row[feature] = threshold;
    const atThreshold = model.predictMargin(row);
    // Just below the float32 threshold in float64, but rounds to it in float32, as in XGBoost's DMatrix.
    row[feature] = threshold - Math.abs(threshold) * 1e-9;
    expect(Math.fround(row[feature])).toBe(threshold);
    expect(model.predictMargin(row)).toBe(atThreshold);
  });

  it('rejects rows of the wrong width', () => {
    expect(() => model.predict([1, 2])).toThrow('row has 2 values but the model has 6 features');
    expect(() => model.predictBatch(new Float32Array(7))).toThrow(RangeError);
  });
});
