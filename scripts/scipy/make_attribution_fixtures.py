#!/usr/bin/python3
"""Reference values for drift attribution to callers (MON-6), computed independently with scipy/numpy.

    /usr/bin/python3 scripts/scipy/make_attribution_fixtures.py > test/fixtures/drift/attribution.json

Records are compact: training contract values and window records index `contracts` and the case's
`callers`. Each case holds a training sample (tenure: integers, contract: categories), a window of records labelled
with their caller, and what the drift check must report for each feature: the test on the whole window,
the signed distance its callers' contributions add up to, each caller's contribution and share, the test
repeated without each caller (leave-one-caller-out) and without the leading callers, and the verdict.
Nothing here shares code with src/drift: ECDFs come from numpy.searchsorted on the raw values, KS tests
from scipy.stats.ks_2samp (method auto, as the check uses), chi-square from scipy.stats.chi2_contingency
and PSI from its formula with shares floored at 1e-4.
"""

import json
import sys

import numpy as np
import scipy
from scipy import stats

assert scipy.__version__ == "1.10.1", f"expected scipy 1.10.1, found {scipy.__version__}"

EPS = 1e-4
ALPHA = 0.01
TESTS = 2  # tenure and contract; the windows carry no model output, so there is no score test
LEVEL = ALPHA / TESTS  # Bonferroni
MIN_KS = 0.1
MIN_PSI = 0.2
MIN_RECORDS = 100
MIN_SHARE = 0.8
MAX_CALLERS = 2
CONTRACTS = ["Month-to-month", "One year", "Two year"]


def training(rng, n):
    u = rng.random((n, 2))
    tenure = np.minimum(72, np.floor(u[:, 0] * u[:, 1] * 80)).astype(int)
    contract = rng.choice(CONTRACTS, size=n, p=[0.55, 0.225, 0.225])
    return tenure, contract


def window(rng, callers):
    """callers: list of (label, n, tenure_shift, contract_probs)."""
    rows = []
    for label, n, shift, probs in callers:
        u = rng.random((n, 2))
        tenure = np.clip(np.floor(u[:, 0] * u[:, 1] * 80 + shift), 0, 72).astype(int)
        contract = rng.choice(CONTRACTS, size=n, p=probs)
        rows += [{"caller": label, "tenure": int(t), "contract": str(c)} for t, c in zip(tenure, contract)]
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


def ecdf(sample, t):
    return np.searchsorted(np.sort(sample), t, side="right") / len(sample)


def numeric(train, rows):
    callers = sorted({r["caller"] for r in rows})
    values = np.array([r["tenure"] for r in rows], float)
    train = np.asarray(train, float)
    full = stats.ks_2samp(train, values)
    pooled = np.sort(np.concatenate([train, values]))
    diffs = ecdf(values, pooled) - ecdf(train, pooled)
    k = int(np.argmax(np.abs(diffs)))  # first maximum, in ascending order
    t_star, signed = pooled[k], float(diffs[k])
    base_at = ecdf(train, t_star)
    out = {"statistic": float(full.statistic), "pValue": float(full.pvalue), "signed": signed, "callers": {}}
    for c in callers:
        mine = np.array([r["tenure"] for r in rows if r["caller"] == c], float)
        rest = np.array([r["tenure"] for r in rows if r["caller"] != c], float)
        contribution = len(mine) / len(values) * (ecdf(mine, t_star) - base_at)
        loo = stats.ks_2samp(train, rest)
        out["callers"][c] = {
            "records": len(mine),
            "contribution": float(contribution),
            "share": float(contribution / signed),
            "leaveOut": {"statistic": float(loo.statistic), "pValue": float(loo.pvalue)},
        }

    def leave_out(names):
        rest = np.array([r["tenure"] for r in rows if r["caller"] not in names], float)
        r = stats.ks_2samp(train, rest)
        return float(r.statistic), float(r.pvalue), r.pvalue <= LEVEL and r.statistic >= MIN_KS

    return out, leave_out


def categorical(train, rows):
    callers = sorted({r["caller"] for r in rows})
    base = np.array([np.sum(np.asarray(train) == c) for c in CONTRACTS], float)

    def counts(vals):
        return np.array([sum(1 for v in vals if v == c) for c in CONTRACTS], float)

    def psi(b, w):
        e = np.maximum(b / b.sum(), EPS)
        a = np.maximum(w / w.sum(), EPS)
        return float(np.sum((a - e) * np.log(a / e)))

    allv = counts([r["contract"] for r in rows])
    full = stats.chi2_contingency([base, allv])
    e = np.maximum(base / base.sum(), EPS)
    a = allv / allv.sum()
    log_ratio = np.log(np.maximum(a, EPS) / e)
    value = psi(base, allv)
    out = {"statistic": float(full[0]), "pValue": float(full[1]), "signed": value, "callers": {}}
    for c in callers:
        mine = counts([r["contract"] for r in rows if r["caller"] == c])
        rest = counts([r["contract"] for r in rows if r["caller"] != c])
        contribution = mine.sum() / allv.sum() * float(np.sum((mine / mine.sum() - e) * log_ratio))
        loo = stats.chi2_contingency([base, rest])
        out["callers"][c] = {
            "records": int(mine.sum()),
            "contribution": contribution,
            "share": contribution / value,
            "leaveOut": {"statistic": psi(base, rest), "pValue": float(loo[1])},
        }

    def leave_out(names):
        rest = counts([r["contract"] for r in rows if r["caller"] not in names])
        chi = stats.chi2_contingency([base, rest])
        s = psi(base, rest)
        return s, float(chi[1]), chi[1] <= LEVEL and s >= MIN_PSI

    return out, leave_out


def verdict(result, leave_out):
    ranked = sorted(result["callers"].items(), key=lambda kv: (-kv[1]["share"], kv[0]))
    leading, cumulative = [], 0.0
    for name, c in ranked:
        if cumulative >= MIN_SHARE:
            break
        leading.append(name)
        cumulative += c["share"]
    statistic, p, drifts = leave_out(leading)
    result["leaveLeadingOut"] = {"callers": leading, "statistic": statistic, "pValue": p, "drifts": bool(drifts)}
    if cumulative < MIN_SHARE or len(leading) > MAX_CALLERS or drifts:
        result["verdict"] = "broad"
    else:
        result["verdict"] = "concentrated"
    return result


def case(name, seed, callers, train):
    rng = np.random.default_rng(seed)
    rows = window(rng, callers)
    num, num_leave = numeric(train[0], rows)
    cat, cat_leave = categorical(train[1], rows)
    expected = {}
    if num["pValue"] <= LEVEL and num["statistic"] >= MIN_KS:
        expected["tenure"] = verdict(num, num_leave)
    if cat["pValue"] <= LEVEL and cat["signed"] >= MIN_PSI:
        expected["contract"] = verdict(cat, cat_leave)
    labels = sorted({r["caller"] for r in rows})
    # Compact: each record is [caller index, tenure, contract index].
    compact = [[labels.index(r["caller"]), r["tenure"], CONTRACTS.index(r["contract"])] for r in rows]
    return {"name": name, "callers": labels, "window": compact, "expected": expected}


def main():
    rng = np.random.default_rng(20261201)
    tenure, contract = training(rng, 3000)
    normal = [0.55, 0.225, 0.225]
    callers = ["client:partner-a", "client:partner-b", "client:partner-c", "role:churn-api-client"]
    cases = [
        case(
            "one caller shifts tenure",
            1,
            [(c, 300, 0, normal) for c in callers] + [("client:probe", 300, 30, normal)],
            (tenure, contract),
        ),
        case(
            "every caller shifts tenure",
            2,
            [(c, 300, 12, normal) for c in callers] + [("client:probe", 300, 12, normal)],
            (tenure, contract),
        ),
        case(
            "one caller shifts the contract mix",
            3,
            [(c, 250, 0, normal) for c in callers] + [("role:batch-scorer", 600, 0, [0.05, 0.05, 0.9])],
            (tenure, contract),
        ),
    ]
    json.dump(
        {
            "generator": f"scripts/scipy/make_attribution_fixtures.py, scipy {scipy.__version__}, numpy {np.__version__}",
            "settings": {
                "alpha": ALPHA,
                "minKsStatistic": MIN_KS,
                "minCategoricalPsi": MIN_PSI,
                "minRecords": MIN_RECORDS,
                "minConcentratedShare": MIN_SHARE,
                "maxConcentratedCallers": MAX_CALLERS,
            },
            "contracts": CONTRACTS,
            "training": {"tenure": [int(t) for t in tenure], "contract": [CONTRACTS.index(c) for c in contract]},
            "cases": cases,
        },
        sys.stdout,
        separators=(",", ":"),
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
