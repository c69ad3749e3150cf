#!/usr/bin/python3
"""Train the sample churn model on the synthetic Telco data set.

Run after generate_dataset.py:  /usr/bin/python3 scripts/sample-model/train.py
Writes to models/sample-churn/:
  feature-spec.json  the feature specification (single source of truth for encoding and the API schema)
  model.json         XGBoost Booster.save_model output
  model.sha256       SHA-256 of model.json (sha256sum format)
  metrics.json       ROC-AUC, precision, recall, F1, accuracy and log loss on the holdout split
and test/fixtures/xgboost/sample-churn-holdout.json: raw holdout records with XGBoost's predictions and
per-column contributions, so the TypeScript encoder + scorer can be checked end to end.

Columns are encoded here exactly as src/features encodes them (one-hot per the spec's value order), so
the spec, not pandas' category ordering, defines the model columns.
"""
import hashlib
import json
import os

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import accuracy_score, f1_score, log_loss, precision_score, recall_score, roc_auc_score

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
OUT = os.path.join(ROOT, 'models', 'sample-churn')
FIXTURE = os.path.join(ROOT, 'test', 'fixtures', 'xgboost', 'sample-churn-holdout.json')

YES_NO = ['No', 'Yes']
ADDON_VALUES = ['No', 'Yes', 'No internet service']


def categorical(name, values, description, drop_first=True):
    return {
        'name': name, 'type': 'categorical', 'required': True, 'values': values,
        'oneHot': {'dropFirst': drop_first}, 'description': description,
    }


def numeric(name, minimum, maximum, description, integer=False, required=True):
    field = {'name': name, 'type': 'numeric', 'required': required, 'minimum': minimum, 'maximum': maximum}
    if integer:
        field['integer'] = True
    field['description'] = description
    return field


SPEC = {
    'specVersion': 1,
    'name': 'telco-churn',
    'description': 'Synthetic Telco-style customer record scored by the sample churn model',
    'fields': [
        categorical('gender', ['Female', 'Male'], 'Customer gender'),
        numeric('SeniorCitizen', 0, 1, '1 if the customer is 65 or older, else 0', integer=True),
        categorical('Partner', YES_NO, 'Whether the customer has a partner'),
        categorical('Dependents', YES_NO, 'Whether the customer has dependents'),
        numeric('tenure', 0, 72, 'Months the customer has been with the company', integer=True),
        categorical('PhoneService', YES_NO, 'Whether the customer has a phone service'),
        categorical('MultipleLines', ['No', 'Yes', 'No phone service'], 'Whether the customer has multiple lines'),
        categorical('InternetService', ['DSL', 'Fiber optic', 'No'], 'Internet service provider', drop_first=False),
        categorical('OnlineSecurity', ADDON_VALUES, 'Online security add-on'),
        categorical('OnlineBackup', ADDON_VALUES, 'Online backup add-on'),
        categorical('DeviceProtection', ADDON_VALUES, 'Device protection add-on'),
        categorical('TechSupport', ADDON_VALUES, 'Tech support add-on'),
        categorical('StreamingTV', ADDON_VALUES, 'TV streaming add-on'),
        categorical('StreamingMovies', ADDON_VALUES, 'Movie streaming add-on'),
        categorical('Contract', ['Month-to-month', 'One year', 'Two year'], 'Contract term'),
        categorical('PaperlessBilling', YES_NO, 'Whether the customer has paperless billing'),
        categorical(
            'PaymentMethod',
            ['Electronic check', 'Mailed check', 'Bank transfer (automatic)', 'Credit card (automatic)'],
            'Payment method',
        ),
        numeric('MonthlyCharges', 0, 500, 'Current monthly charge in USD'),
        numeric('TotalCharges', 0, 100000, 'Total charged so far in USD; blank for brand-new customers', required=False),
    ],
}

PARAMS = {
    'objective': 'binary:logistic',
    'eval_metric': 'auc',
    'max_depth': 6,
    'eta': 0.05,
    'min_child_weight': 5,
    'subsample': 0.8,
    'colsample_bytree': 0.8,
    'lambda': 2.0,
    'tree_method': 'exact',
    'nthread': 1,
    'seed': 11,
}
NUM_ROUNDS = 100


def columns_of(field):
    if field['type'] == 'numeric':
        return [field['name']]
    values = field['values'][1:] if field['oneHot']['dropFirst'] else field['values']
    return [f"{field['name']}_{v}" for v in values]


def encode(df):
    out = {}
    for field in SPEC['fields']:
        name = field['name']
        if field['type'] == 'numeric':
            out[name] = pd.to_numeric(df[name].astype(str).str.strip().replace('', np.nan)).astype(np.float32)
        else:
            unknown = set(df[name]) - set(field['values'])
            assert not unknown, f'{name} has values outside the spec: {unknown}'
            values = field['values'][1:] if field['oneHot']['dropFirst'] else field['values']
            for v in values:
                out[f'{name}_{v}'] = (df[name] == v).astype(np.float32)
    return pd.DataFrame(out)


def main():
    train = pd.read_csv(os.path.join(OUT, 'train.csv'), dtype=str, keep_default_na=False)
    holdout = pd.read_csv(os.path.join(OUT, 'holdout.csv'), dtype=str, keep_default_na=False)
    columns = [c for f in SPEC['fields'] for c in columns_of(f)]
    X_train, X_hold = encode(train), encode(holdout)
    assert list(X_train.columns) == columns
    y_train = (train['Churn'] == 'Yes').astype(int).to_numpy()
    y_hold = (holdout['Churn'] == 'Yes').astype(int).to_numpy()

    dtrain = xgb.DMatrix(X_train.to_numpy(), label=y_train, feature_names=columns, missing=np.nan)
    dhold = xgb.DMatrix(X_hold.to_numpy(), label=y_hold, feature_names=columns, missing=np.nan)
    booster = xgb.train(PARAMS, dtrain, num_boost_round=NUM_ROUNDS)

    model_path = os.path.join(OUT, 'model.json')
    booster.save_model(model_path)
    with open(model_path, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(OUT, 'model.sha256'), 'w') as f:
        f.write(f'{digest}  model.json\n')
    with open(os.path.join(OUT, 'feature-spec.json'), 'w') as f:
        json.dump(SPEC, f, indent=2)
        f.write('\n')

    proba = booster.predict(dhold)
    predicted = (proba >= 0.5).astype(int)
    metrics = {
        'model': 'models/sample-churn/model.json',
        'sha256': digest,
        'generator': f'scripts/sample-model/train.py with xgboost {xgb.__version__}',
        'params': PARAMS,
        'numBoostRounds': NUM_ROUNDS,
        'trainRows': int(len(train)),
        'holdoutRows': int(len(holdout)),
        'holdoutChurnRate': round(float(y_hold.mean()), 4),
        'threshold': 0.5,
        'holdout': {
            'rocAuc': round(float(roc_auc_score(y_hold, proba)), 4),
            'precision': round(float(precision_score(y_hold, predicted)), 4),
            'recall': round(float(recall_score(y_hold, predicted)), 4),
            'f1': round(float(f1_score(y_hold, predicted)), 4),
            'accuracy': round(float(accuracy_score(y_hold, predicted)), 4),
            'logLoss': round(float(log_loss(y_hold, proba)), 4),
        },
    }
    with open(os.path.join(OUT, 'metrics.json'), 'w') as f:
        json.dump(metrics, f, indent=2)
        f.write('\n')

    n = 40
    contribs = booster.predict(xgb.DMatrix(X_hold.to_numpy()[:n], feature_names=columns, missing=np.nan), pred_contribs=True)
    records = holdout.drop(columns=['customerID', 'Churn']).iloc[:n]
    with open(FIXTURE, 'w') as f:
        json.dump({
            'generator': 'scripts/sample-model/train.py',
            'columns': columns,
            'records': records.to_dict(orient='records'),
            'prediction': [float(v) for v in proba[:n]],
            'contributions': [[float(v) for v in r] for r in contribs],
        }, f, separators=(',', ':'))
    print(json.dumps(metrics['holdout']), digest)


if __name__ == '__main__':
    main()
