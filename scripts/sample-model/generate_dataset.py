#!/usr/bin/python3
"""Deterministic synthetic Telco-style churn dataset.

Run: /usr/bin/python3 scripts/sample-model/generate_dataset.py
Writes models/sample-churn/train.csv and holdout.csv (80/20 split, same seed every time).

The 19 columns follow the public IBM Telco customer churn data: customerID, the 19 features, and the
Churn label (Yes/No). Values are drawn with the dependencies that make that data set interesting:
contracts depend on household, tenure on contract, services on internet type, MonthlyCharges on
services, TotalCharges close to tenure x MonthlyCharges (blank when tenure is 0, as in the original),
and churn driven by month-to-month contracts, fiber without tech support, electronic checks, short
tenure and high charges. Nothing here is real customer data.
"""
import os

import numpy as np
import pandas as pd

SEED = 20240611
N_CUSTOMERS = 7043  # the size of the original data set
HOLDOUT_FRACTION = 0.2
OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'models', 'sample-churn'))

ADDONS = ['OnlineSecurity', 'OnlineBackup', 'DeviceProtection', 'TechSupport', 'StreamingTV', 'StreamingMovies']


def yes_no(rng, p):
    return np.where(rng.rand(*np.shape(p)) < p, 'Yes', 'No')


def generate(seed=SEED, n=N_CUSTOMERS):
    rng = np.random.RandomState(seed)
    gender = rng.choice(['Female', 'Male'], n)
    senior = (rng.rand(n) < 0.162).astype(int)
    partner = yes_no(rng, np.where(senior == 1, 0.55, 0.47))
    dependents = yes_no(rng, np.where(partner == 'Yes', 0.52, 0.10))

    household = (partner == 'Yes').astype(float) + (dependents == 'Yes').astype(float)
    p_two = 0.16 + 0.09 * household
    p_one = 0.19 + 0.03 * household
    u = rng.rand(n)
    contract = np.where(u < p_two, 'Two year', np.where(u < p_two + p_one, 'One year', 'Month-to-month'))

    # Tenure in months (0..72): long contracts mean long-standing customers.
    mean_tenure = np.select([contract == 'Two year', contract == 'One year'], [56.0, 42.0], 18.0)
    tenure = np.clip(np.round(rng.gamma(2.0, mean_tenure / 2.0)), 0, 72).astype(int)
    tenure[rng.rand(n) < 0.0016] = 0  # a few brand-new customers, as in the original

    phone = yes_no(rng, np.full(n, 0.903))
    multiple = np.where(phone == 'No', 'No phone service', yes_no(rng, 0.30 + 0.25 * (tenure / 72.0)))
    internet = rng.choice(['DSL', 'Fiber optic', 'No'], n, p=[0.344, 0.44, 0.216])
    no_internet = internet == 'No'
    fiber = internet == 'Fiber optic'
    base_p = {
        'OnlineSecurity': 0.42, 'OnlineBackup': 0.44, 'DeviceProtection': 0.44,
        'TechSupport': 0.42, 'StreamingTV': 0.49, 'StreamingMovies': 0.50,
    }
    addons = {}
    for name in ADDONS:
        p = base_p[name] + 0.15 * (tenure / 72.0) + (0.08 if name.startswith('Streaming') else -0.10) * fiber
        addons[name] = np.where(no_internet, 'No internet service', yes_no(rng, np.clip(p, 0.05, 0.95)))

    paperless = yes_no(rng, np.where(fiber, 0.77, np.where(no_internet, 0.29, 0.60)))
    auto_pay = rng.rand(n) < (0.30 + 0.25 * (contract != 'Month-to-month'))
    payment = np.where(
        auto_pay,
        rng.choice(['Bank transfer (automatic)', 'Credit card (automatic)'], n),
        np.where(rng.rand(n) < np.where(paperless == 'Yes', 0.70, 0.35), 'Electronic check', 'Mailed check'),
    )

    monthly = (
        np.where(phone == 'Yes', 20.0, 0.0)
        + np.where(multiple == 'Yes', 5.0, 0.0)
        + np.select([internet == 'DSL', fiber], [25.0, 50.0], 0.0)
        + sum(np.where(addons[a] == 'Yes', 10.0 if a.startswith('Streaming') else 5.0, 0.0) for a in ADDONS)
        + rng.normal(0, 1.5, n)
    )
    monthly = np.round(np.clip(monthly, 18.25, 118.75), 2)
    # What a customer paid so far drifts a little from tenure x today's price (price changes, discounts).
    total = np.round(tenure * monthly * rng.normal(1.0, 0.03, n), 2)
    total_text = np.where(tenure == 0, ' ', np.char.mod('%.2f', total))

    logit = (
        -1.55
        + 1.05 * (contract == 'Month-to-month')
        - 0.85 * (contract == 'Two year')
        + 0.95 * (fiber & (addons['TechSupport'] == 'No'))
        + 0.35 * (fiber & (addons['OnlineSecurity'] == 'No'))
        + 0.45 * (payment == 'Electronic check')
        + 0.30 * (paperless == 'Yes')
        + 0.30 * senior
        - 0.20 * (dependents == 'Yes')
        - 0.045 * tenure
        + 0.5 * np.exp(-tenure / 6.0)
        + 0.012 * (monthly - 65.0)
        - 0.50 * no_internet
    )
    churn = np.where(rng.rand(n) < 1.0 / (1.0 + np.exp(-logit)), 'Yes', 'No')

    ids = [f'{rng.randint(1000, 9999)}-{"".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 5))}' for _ in range(n)]
    df = pd.DataFrame({
        'customerID': ids,
        'gender': gender,
        'SeniorCitizen': senior,
        'Partner': partner,
        'Dependents': dependents,
        'tenure': tenure,
        'PhoneService': phone,
        'MultipleLines': multiple,
        'InternetService': internet,
        **addons,
        'Contract': contract,
        'PaperlessBilling': paperless,
        'PaymentMethod': payment,
        'MonthlyCharges': monthly,
        'TotalCharges': total_text,
        'Churn': churn,
    })
    holdout = rng.rand(n) < HOLDOUT_FRACTION
    return df[~holdout].reset_index(drop=True), df[holdout].reset_index(drop=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    train, holdout = generate()
    train.to_csv(os.path.join(OUT, 'train.csv'), index=False)
    holdout.to_csv(os.path.join(OUT, 'holdout.csv'), index=False)
    for name, df in [('train', train), ('holdout', holdout)]:
        print(f'{name}: {len(df)} rows, churn rate {(df["Churn"] == "Yes").mean():.3f}')


if __name__ == '__main__':
    main()
