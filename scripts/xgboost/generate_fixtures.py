#!/usr/bin/python3
"""Generate the XGBoost parity fixtures used by test/src/scorer.

Run with Debian's interpreter (python3-xgboost 1.7.4):  /usr/bin/python3 scripts/xgboost/generate_fixtures.py
(add `dart-and-categorical` to write only the dart and native categorical fixtures)

For every supported model it writes, under test/fixtures/xgboost/:
  <name>.model.json     the model as saved by Booster.save_model
  <name>.expected.json  input rows (null = missing), XGBoost's margins, predictions and
                        pred_contribs=True contributions (last column = bias)
Models the scorer must refuse go to test/fixtures/xgboost/unsupported/.

XGBoost 1.7 only writes the 1.x JSON layout, so the 2.x/3.x layout fixture is derived by
rewriting a 1.x file (see to_v2_layout) and the script asserts that XGBoost itself still
loads it and predicts identically before writing it.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

assert xgb.__version__.startswith('1.7'), f'expected xgboost 1.7.x, got {xgb.__version__}'

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'xgboost')
OUT = os.path.normpath(OUT)
UNSUPPORTED = os.path.join(OUT, 'unsupported')
N_EVAL_ROWS = 60


def make_data(seed, n_rows, n_features, missing_rate=0.0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_rows, n_features)).astype(np.float32)
    # A few coarse integer-valued columns make exact-threshold hits likely.
    X[:, 0] = np.round(X[:, 0] * 3).astype(np.float32)
    logit = 1.2 * X[:, 0] - 0.8 * X[:, 1] * X[:, 2] + 0.5 * np.sin(3 * X[:, 3 % n_features])
    if missing_rate > 0:
        mask = rng.rand(n_rows, n_features) < missing_rate
        X[mask] = np.nan
    return X, logit, rng


def thresholds_of(booster):
    """Split thresholds per feature index, to build rows that sit exactly on a split."""
    gb = json.loads(booster.save_raw('json'))['learner']['gradient_booster']
    out = {}
    for tree in (gb.get('model') or gb['gbtree']['model'])['trees']:
        for left, feat, cond in zip(tree['left_children'], tree['split_indices'], tree['split_conditions']):
            if left != -1:
                out.setdefault(feat, []).append(cond)
    return out


def eval_rows(booster, X, rng):
    rows = X[:N_EVAL_ROWS].copy()
    # Put some values exactly on split thresholds: XGBoost sends x == threshold right (x < t goes left).
    ths = thresholds_of(booster)
    for i in range(min(10, rows.shape[0])):
        feat = list(ths.keys())[i % len(ths)]
        rows[i, feat] = np.float32(ths[feat][i % len(ths[feat])])
    return rows


def to_json_number(v):
    return None if np.isnan(v) else float(v)


def write_json(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))


def save_fixture(name, booster, rows, feature_names=None, note='', feature_types=None):
    dm = xgb.DMatrix(rows, feature_names=feature_names, missing=np.nan, feature_types=feature_types,
                     enable_categorical=feature_types is not None)
    margin = booster.predict(dm, output_margin=True)
    pred = booster.predict(dm)
    contribs = booster.predict(dm, pred_contribs=True)
    # pred_contribs sums to the margin: a cheap sanity check that we called XGBoost right.
    assert np.allclose(contribs.sum(axis=1), margin, atol=1e-4), name
    booster.save_model(os.path.join(OUT, f'{name}.model.json'))
    write_json(
        os.path.join(OUT, f'{name}.expected.json'),
        {
            'generator': f'xgboost {xgb.__version__} via scripts/xgboost/generate_fixtures.py',
            'note': note,
            'featureNames': feature_names,
            'rows': [[to_json_number(v) for v in r] for r in rows],
            'margin': [float(v) for v in margin],
            'prediction': [float(v) for v in pred],
            'contributions': [[float(v) for v in r] for r in contribs],
        },
    )
    print(f'{name}: {booster.num_boosted_rounds()} trees, {rows.shape[0]} rows')


def train(params, X, y, rounds, feature_names=None):
    base = {'seed': 7, 'nthread': 1, 'tree_method': 'exact'}
    base.update(params)
    if base.get('booster') == 'gblinear':
        del base['tree_method']  # linear boosters have no tree method; XGBoost warns about it
    dm = xgb.DMatrix(X, label=y, feature_names=feature_names, missing=np.nan)
    return xgb.train(base, dm, num_boost_round=rounds)


def binary_labels(logit, rng):
    return (rng.rand(logit.shape[0]) < 1 / (1 + np.exp(-logit))).astype(np.float32)


def supported():
    # Depths 1..8, missing values on the odd depths, binary:logistic.
    for depth in range(1, 9):
        missing = 0.15 if depth % 2 == 1 else 0.0
        X, logit, rng = make_data(100 + depth, 400, 6, missing)
        y = binary_labels(logit, rng)
        params = {'objective': 'binary:logistic', 'max_depth': depth, 'eta': 0.3}
        if depth >= 6:
            params['min_child_weight'] = 0.5
        b = train(params, X, y, rounds=12 if depth <= 6 else 8)
        suffix = '_missing' if missing else ''
        save_fixture(f'binary_logistic_depth{depth}{suffix}', b, eval_rows(b, X, rng), note=f'max_depth={depth}')

    X, logit, rng = make_data(201, 400, 5, 0.1)
    y = binary_labels(logit, rng)
    b = train({'objective': 'binary:logitraw', 'max_depth': 4, 'eta': 0.2}, X, y, 15)
    save_fixture('binary_logitraw_depth4_missing', b, eval_rows(b, X, rng), note='margin output')

    X, logit, rng = make_data(202, 400, 5, 0.1)
    y = (3.0 * logit + rng.normal(size=logit.shape[0]) + 20.0).astype(np.float32)
    b = train({'objective': 'reg:squarederror', 'max_depth': 5, 'eta': 0.3}, X, y, 20)
    save_fixture('reg_squarederror_depth5_missing', b, eval_rows(b, X, rng), note='default base_score 0.5, targets ~20')

    X, logit, rng = make_data(203, 400, 5)
    y = (3.0 * logit + rng.normal(size=logit.shape[0])).astype(np.float32)
    b = train({'objective': 'reg:squarederror', 'max_depth': 3, 'eta': 0.5, 'base_score': 1.75}, X, y, 10)
    save_fixture('reg_squarederror_base_score', b, eval_rows(b, X, rng), note='base_score=1.75')

    X, logit, rng = make_data(204, 400, 4, 0.05)
    y = binary_labels(logit, rng)
    b = train({'objective': 'binary:logistic', 'max_depth': 3, 'eta': 0.3, 'base_score': 0.2}, X, y, 10)
    save_fixture('binary_logistic_base_score', b, eval_rows(b, X, rng), note='base_score=0.2 (probability space)')

    X, logit, rng = make_data(205, 400, 4)
    y = (1 / (1 + np.exp(-logit))).astype(np.float32)
    b = train({'objective': 'reg:logistic', 'max_depth': 3, 'eta': 0.3}, X, y, 10)
    save_fixture('reg_logistic_depth3', b, eval_rows(b, X, rng), note='reg:logistic')

    X, logit, rng = make_data(206, 400, 4, 0.1)
    y = rng.poisson(np.exp(0.5 * np.tanh(logit))).astype(np.float32)
    b = train({'objective': 'count:poisson', 'max_depth': 3, 'eta': 0.3}, X, y, 10)
    save_fixture('count_poisson_depth3_missing', b, eval_rows(b, X, rng), note='count:poisson')

    X, logit, rng = make_data(207, 400, 4)
    y = np.exp(0.4 * np.tanh(logit) + 0.2 * rng.normal(size=logit.shape[0])).astype(np.float32)
    b = train({'objective': 'reg:gamma', 'max_depth': 3, 'eta': 0.3}, X, y, 10)
    save_fixture('reg_gamma_depth3', b, eval_rows(b, X, rng), note='reg:gamma')
    b = train({'objective': 'reg:tweedie', 'max_depth': 3, 'eta': 0.3, 'tweedie_variance_power': 1.3}, X, y, 10)
    save_fixture('reg_tweedie_depth3', b, eval_rows(b, X, rng), note='reg:tweedie')
    b = train({'objective': 'reg:pseudohubererror', 'max_depth': 3, 'eta': 0.3}, X, y, 10)
    save_fixture('reg_pseudohubererror_depth3', b, eval_rows(b, X, rng), note='reg:pseudohubererror')

    # A pandas DataFrame with one-hot encoded categoricals: the model stores feature names.
    rng = np.random.RandomState(300)
    n = 500
    df = pd.DataFrame({
        'tenure': rng.randint(0, 73, n).astype(np.float32),
        'MonthlyCharges': np.round(rng.uniform(18, 120, n), 2).astype(np.float32),
        'Contract': rng.choice(['Month-to-month', 'One year', 'Two year'], n),
        'InternetService': rng.choice(['DSL', 'Fiber optic', 'No'], n),
    })
    df.loc[rng.rand(n) < 0.05, 'MonthlyCharges'] = np.nan
    logit = -0.04 * df['tenure'] + 1.5 * (df['Contract'] == 'Month-to-month') + 0.8 * (df['InternetService'] == 'Fiber optic')
    y = binary_labels(logit.to_numpy(), rng)
    enc = pd.get_dummies(df, columns=['Contract', 'InternetService'], drop_first=True, dtype=np.float32)
    names = list(enc.columns)
    X = enc.to_numpy(dtype=np.float32)
    b = train({'objective': 'binary:logistic', 'max_depth': 4, 'eta': 0.3}, X, y, 15, feature_names=names)
    save_fixture('dataframe_named_onehot', b, eval_rows(b, X, rng), feature_names=names, note='pandas get_dummies drop_first')
    return b


def to_v2_layout(model):
    """Rewrite a 1.x JSON model into the layout newer XGBoost versions write.

    Differences reproduced: version 2.x/3.x, base_score as a vector string ("[5E-1]"), gradient
    booster iteration_indptr, tree_param size_leaf_vector "1" for scalar leaves, no
    size_leaf_vector in gbtree_model_param, and default_left given as booleans.
    """
    m = json.loads(json.dumps(model))
    m['version'] = [3, 0, 2]
    learner = m['learner']
    learner['learner_model_param']['base_score'] = '[' + learner['learner_model_param']['base_score'] + ']'
    gb = learner['gradient_booster']['model']
    gb['gbtree_model_param'].pop('size_leaf_vector', None)
    gb['iteration_indptr'] = list(range(len(gb['trees']) + 1))
    for tree in gb['trees']:
        tree['tree_param']['size_leaf_vector'] = '1'
        tree['default_left'] = [bool(v) for v in tree['default_left']]
    return m


def margins_from_json(model, rows):
    """Plain-Python reading of a (possibly rewritten) JSON model: float32 splits, float32 sums.

    Used only to prove that a layout rewrite preserved every number the predictor uses, by comparing
    with XGBoost's own margins for the original file.
    """
    learner = model['learner']
    base = learner['learner_model_param']['base_score'].strip('[]')
    assert learner['objective']['name'] == 'binary:logistic'
    base_margin = np.float32(-np.log(np.float32(1.0) / np.float32(float(base)) - np.float32(1.0)))
    out = []
    for row in rows.astype(np.float32):
        margin = base_margin
        for tree in learner['gradient_booster']['model']['trees']:
            node = 0
            while tree['left_children'][node] != -1:
                v = row[tree['split_indices'][node]]
                if np.isnan(v):
                    node = tree['left_children'][node] if tree['default_left'][node] else tree['right_children'][node]
                elif v < np.float32(tree['split_conditions'][node]):
                    node = tree['left_children'][node]
                else:
                    node = tree['right_children'][node]
            margin = np.float32(margin + np.float32(tree['split_conditions'][node]))
        out.append(float(margin))
    return np.array(out)


def v2_fixture():
    src = 'binary_logistic_depth5_missing'
    with open(os.path.join(OUT, f'{src}.model.json')) as f:
        v1 = json.load(f)
    v2 = to_v2_layout(v1)
    with open(os.path.join(OUT, f'{src}.expected.json')) as f:
        expected = json.load(f)
    # XGBoost 1.7 cannot read the 2.x/3.x layout, so prove the rewrite with an independent reader:
    # the rewritten file must give XGBoost's own margins for the original.
    rows = np.array([[np.nan if v is None else v for v in r] for r in expected['rows']], dtype=np.float64)
    got = margins_from_json(v2, rows)
    assert np.abs(got - np.array(expected['margin'])).max() <= 1e-6, 'layout rewrite changed predictions'
    write_json(os.path.join(OUT, 'v2_layout_binary_logistic.model.json'), v2)
    expected['note'] = f'2.x/3.x layout derived from {src}; expectations are XGBoost 1.7 on the original'
    write_json(os.path.join(OUT, 'v2_layout_binary_logistic.expected.json'), expected)
    print('v2_layout_binary_logistic: derived from', src, 'and checked against XGBoost margins')


def dart_and_categorical():
    """XGBoost 1.7 dart (booster 'dart' with weight_drop) and native categorical splits stored as codes."""
    X, logit, rng = make_data(301, 400, 4, 0.1)
    y = binary_labels(logit, rng)
    b = train({'objective': 'binary:logistic', 'booster': 'dart', 'max_depth': 3, 'eta': 0.3,
               'rate_drop': 0.3, 'skip_drop': 0.0}, X, y, 15)
    assert json.loads(b.save_raw('json'))['learner']['gradient_booster']['name'] == 'dart'
    save_fixture('dart_binary_logistic_depth3_missing', b, eval_rows(b, X, rng), note='dart, rate_drop=0.3')

    # Column 1 holds category codes 0..5 (one-hot splits) and column 2 codes 0..39 (partition splits,
    # codes past one 32-bit mask), trained from codes, so the model stores no category names.
    X, logit, rng = make_data(302, 600, 4, 0.05)
    small = rng.randint(0, 6, X.shape[0])
    wide = rng.randint(0, 40, X.shape[0])
    X[:, 1] = small
    X[:, 2] = wide
    logit = 1.0 * X[:, 0] + np.where(np.isin(small, [1, 4]), 1.5, -0.5) + np.where(wide % 3 == 0, 1.0, -1.0)
    y = binary_labels(logit, rng)
    X[rng.rand(X.shape[0]) < 0.05, 1] = np.nan
    types = ['q', 'c', 'c', 'q']
    dm = xgb.DMatrix(X, label=y, missing=np.nan, feature_types=types, enable_categorical=True)
    b = xgb.train({'objective': 'binary:logistic', 'tree_method': 'hist', 'max_depth': 4, 'eta': 0.3,
                   'max_cat_to_onehot': 8, 'seed': 7, 'nthread': 1}, dm, 12)
    trees = json.loads(b.save_raw('json'))['learner']['gradient_booster']['model']['trees']
    assert any(1 in t['split_type'] for t in trees), 'expected categorical splits'
    rows = X[:N_EVAL_ROWS].copy()
    rows[0, 1] = 9  # a code no split names
    rows[1, 2] = 45
    rows[2, 1] = -1  # negative: not a category
    rows[3, 2] = 3.7  # truncated to 3
    save_fixture('native_categorical_codes', b, rows, note='native categorical, codes only (no names)',
                 feature_types=types)


def unsupported():
    os.makedirs(UNSUPPORTED, exist_ok=True)
    X, logit, rng = make_data(400, 200, 4)
    y = binary_labels(logit, rng)
    train({'objective': 'binary:logistic', 'booster': 'dart', 'max_depth': 2, 'rate_drop': 0.1}, X, y, 3) \
        .save_model(os.path.join(UNSUPPORTED, 'dart.model.json'))
    train({'objective': 'binary:logistic', 'booster': 'gblinear'}, X, y, 3) \
        .save_model(os.path.join(UNSUPPORTED, 'gblinear.model.json'))
    yk = rng.randint(0, 3, X.shape[0]).astype(np.float32)
    train({'objective': 'multi:softprob', 'num_class': 3, 'max_depth': 2}, X, yk, 2) \
        .save_model(os.path.join(UNSUPPORTED, 'multiclass.model.json'))
    train({'objective': 'rank:pairwise', 'max_depth': 2}, X, y, 2) \
        .save_model(os.path.join(UNSUPPORTED, 'rank_pairwise.model.json'))
    cats = rng.choice(['x', 'y', 'z'], X.shape[0])
    df = pd.DataFrame({'a': X[:, 0], 'c': pd.Categorical(cats)})
    # The label depends on the category so the trees really contain categorical (partition) splits.
    y_cat = ((cats == 'y') ^ (rng.rand(X.shape[0]) < 0.1)).astype(np.float32)
    dm = xgb.DMatrix(df, label=y_cat, enable_categorical=True)
    xgb.train({'objective': 'binary:logistic', 'tree_method': 'hist', 'max_depth': 2, 'max_cat_to_onehot': 1, 'seed': 7}, dm, 3) \
        .save_model(os.path.join(UNSUPPORTED, 'native_categorical.model.json'))
    with open(os.path.join(UNSUPPORTED, 'native_categorical.model.json')) as f:
        trees = json.load(f)['learner']['gradient_booster']['model']['trees']
    assert any(1 in t['split_type'] for t in trees), 'expected at least one categorical split'
    print('unsupported models written')


def main():
    os.makedirs(OUT, exist_ok=True)
    if sys.argv[1:] == ['dart-and-categorical']:
        dart_and_categorical()
        return
    supported()
    v2_fixture()
    dart_and_categorical()
    unsupported()


if __name__ == '__main__':
    sys.exit(main())
