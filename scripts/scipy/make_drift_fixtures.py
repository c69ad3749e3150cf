#!/usr/bin/python3
"""Generate the reference values the TypeScript drift statistics are tested against.

Run with Debian's interpreter, which carries python3-scipy 1.10.1 (the pyenv `python3` on PATH does not):

    /usr/bin/python3 scripts/scipy/make_drift_fixtures.py > test/fixtures/drift/scipy-stats.json

Samples that are too large to list in the fixture are described by a generator spec instead
(`xorshift32` below); test/src/drift/fixture-samples.ts re-creates them with the same IEEE-754
operations, so both sides see bit-identical inputs without committing megabytes of numbers.
"""

import json
import math
import sys
import warnings

import numpy as np
import scipy
from scipy import special, stats

assert scipy.__version__ == "1.10.1", f"expected scipy 1.10.1, found {scipy.__version__}"


def xorshift32_uniforms(seed, count):
    """Marsaglia xorshift32; each state divided by 2**32 gives a uniform in (0, 1)."""
    state = seed & 0xFFFFFFFF
    if state == 0:
        raise ValueError("xorshift32 seed must be non-zero")
    out = []
    for _ in range(count):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        out.append(state / 4294967296.0)
    return out


def expand(spec):
    """A sample is either a literal list or {seed, n, terms, loc, scale, decimals?}."""
    if isinstance(spec, list):
        return [float(v) for v in spec]
    terms = spec["terms"]
    uniforms = xorshift32_uniforms(spec["seed"], spec["n"] * terms)
    values = []
    for i in range(spec["n"]):
        total = 0.0
        for j in range(terms):
            total += uniforms[i * terms + j]
        v = spec["loc"] + spec["scale"] * (total - terms / 2.0)
        if "decimals" in spec:
            factor = float(10 ** spec["decimals"])
            v = math.floor(v * factor + 0.5) / factor
        values.append(v)
    return values


def gen(seed, n, loc=0.0, scale=1.0, terms=4, decimals=None):
    spec = {"seed": seed, "n": n, "terms": terms, "loc": loc, "scale": scale}
    if decimals is not None:
        spec["decimals"] = decimals
    return spec


def ks_case(name, x_spec, y_spec):
    x = np.array(expand(x_spec))
    y = np.array(expand(y_spec))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = stats.ks_2samp(x, y)
    switched = any("Switching to" in str(w.message) for w in caught)
    method = "exact" if max(len(x), len(y)) <= 10000 and not switched else "asymp"
    return {
        "name": name,
        "x": x_spec,
        "y": y_spec,
        "n1": len(x),
        "n2": len(y),
        "statistic": float(res.statistic),
        "pvalue": float(res.pvalue),
        "method": method,
    }


def ks_cases():
    cases = [
        ks_case("tiny disjoint", [1, 2, 3], [4, 5, 6, 7]),
        ks_case("identical samples give p=1", [1, 2, 3, 4], [1, 2, 3, 4]),
        ks_case("single values", [0.5], [0.25]),
        ks_case("equal sizes exact (square method)", [0.1, 0.4, 0.7, 1.3, 2.2, 2.9, 3.1], [0.2, 0.5, 1.0, 1.9, 3.3, 4.0, 4.4]),
        ks_case("heavy ties integers", [1, 1, 1, 2, 2, 3, 3, 3, 3, 4], [1, 2, 2, 2, 3, 4, 4, 4, 5, 5, 5, 6]),
        ks_case("ties across samples equal sizes", [0, 0, 1, 1, 1, 2], [0, 1, 1, 2, 2, 2]),
        ks_case("unequal 50 vs 80 shifted", gen(11, 50), gen(12, 80, loc=0.4)),
        ks_case("unequal 37 vs 113 same dist", gen(13, 37), gen(14, 113)),
        ks_case("coprime 499 vs 503", gen(15, 499), gen(16, 503, loc=0.05)),
        ks_case("equal 1000 vs 1000 rounded ties", gen(17, 1000, decimals=1), gen(18, 1000, decimals=1, loc=0.1)),
        ks_case("exact near limit 3000 vs 10000", gen(19, 3000), gen(20, 10000, loc=0.03)),
        ks_case("exact 10000 vs 10000 shifted", gen(21, 10000), gen(22, 10000, loc=0.02)),
        ks_case("exact very small p", gen(23, 400), gen(24, 600, loc=1.0)),
        ks_case("asymp 10001 vs 3 (en small)", gen(25, 10001), [0.3, -0.2, 0.9]),
        ks_case("asymp 10001 vs 60 (en<=140)", gen(26, 10001), gen(27, 60, loc=0.2)),
        ks_case("asymp 10001 vs 150 (en>140, small d)", gen(28, 10001), gen(29, 150)),
        ks_case("asymp 12000 vs 2000 shifted", gen(30, 12000), gen(31, 2000, loc=0.1)),
        ks_case("asymp 12000 vs 15000 tiny shift", gen(32, 12000), gen(33, 15000, loc=0.01)),
        ks_case("asymp 20000 vs 20000 ties", gen(34, 20000, decimals=1), gen(35, 20000, decimals=1)),
        ks_case("asymp 20000 vs 30000 large shift", gen(36, 20000), gen(37, 30000, loc=0.5)),
        ks_case("asymp 10500 vs 700 scale change", gen(38, 10500), gen(39, 700, scale=1.3)),
    ]
    return cases


def kstwo_cases():
    # Exercise every branch of scipy's kolmogn selection (Simard & L'Ecuyer).
    out = []
    for n in [1, 2, 3, 5, 10, 37, 100, 140, 141, 500, 1000, 5000, 20000, 100000, 100001, 250000, 2000000]:
        for d in [1e-4, 1e-3, 0.004, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.95, 0.999]:
            sf = float(stats.kstwo.sf(d, n))
            out.append({"n": n, "d": d, "sf": sf})
    for n, d in [(10, 0.06), (10, 0.1), (50, 0.015), (141, 0.005), (300, 0.0345)]:
        out.append({"n": n, "d": d, "sf": float(stats.kstwo.sf(d, n))})
    return out


def smirnov_cases():
    out = []
    for n in [1, 2, 5, 10, 50, 100, 1012, 1013, 5000, 100000, 1000001]:
        for d in [0.0, 1e-3, 0.01, 0.05, 0.1, 0.2, 0.5, 0.7, 0.9, 1.0]:
            out.append({"n": n, "d": d, "sf": float(special.smirnov(n, d))})
    return out


def chi2_sf_cases():
    out = []
    for dof in [1, 2, 3, 4, 5, 7, 10, 25, 50, 100, 500, 1000]:
        for x in [0.0, 1e-6, 0.01, 0.5, 1.0, 2.5, 3.841458820694124, 10.0, 30.0, 99.0, 150.0, 480.0, 1100.0]:
            out.append({"x": x, "dof": dof, "sf": float(stats.chi2.sf(x, dof))})
    return out


def chisquare_cases():
    cases = [
        {"observed": [16, 18, 16, 14, 12, 12], "expected": None},
        {"observed": [16, 18, 16, 14, 12, 12], "expected": [16, 16, 16, 16, 16, 8]},
        {"observed": [43, 52, 54, 40], "expected": [47.25, 47.25, 47.25, 47.25]},
        {"observed": [0, 5, 95], "expected": [10.0, 10.0, 80.0]},
        {"observed": [1000, 1010], "expected": [1005.0, 1005.0]},
        {"observed": [5], "expected": [5.0]},
    ]
    out = []
    for case in cases:
        if case["expected"] is None:
            res = stats.chisquare(case["observed"])
        else:
            res = stats.chisquare(case["observed"], case["expected"])
        out.append({**case, "statistic": float(res.statistic), "pvalue": float(res.pvalue)})
    return out


def contingency_cases():
    tables = [
        [[10, 10, 20], [20, 20, 20]],
        [[12, 5], [7, 9]],  # 2x2: Yates' correction applies
        [[100, 3], [98, 0]],  # 2x2 with a zero cell and |o-e| < 0.5 elsewhere
        [[30, 30], [30, 30]],  # 2x2, observed == expected: correction must not overshoot
        [[5000, 3000, 2000, 7], [410, 260, 150, 3]],  # 2xK: baseline vs window with a rare column
        [[1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [2, 2, 2, 2, 2]],
        [[7000, 45], [520, 0]],
    ]
    out = []
    for table in tables:
        res = stats.chi2_contingency(table)
        out.append(
            {
                "table": table,
                "statistic": float(res[0]),
                "pvalue": float(res[1]),
                "dof": int(res[2]),
                "expected": res[3].tolist(),
            }
        )
    # And the same 2x2 without correction, to show the correction is the only difference.
    res = stats.chi2_contingency([[12, 5], [7, 9]], correction=False)
    out.append(
        {
            "table": [[12, 5], [7, 9]],
            "correction": False,
            "statistic": float(res[0]),
            "pvalue": float(res[1]),
            "dof": int(res[2]),
            "expected": res[3].tolist(),
        }
    )
    return out


def json_safe(value):
    """JSON has no NaN: write null, which the tests read as NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def main():
    fixture = {
        "about": "Reference values from scipy.stats; regenerate with scripts/scipy/make_drift_fixtures.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "sampleGenerator": "xorshift32 (13, 17, 5); value = loc + scale * (sum of `terms` uniforms - terms/2); "
        "optional rounding floor(v * 10^decimals + 0.5) / 10^decimals",
        "ks2samp": ks_cases(),
        "kstwoSf": kstwo_cases(),
        "smirnovSf": smirnov_cases(),
        "chi2Sf": chi2_sf_cases(),
        "chisquare": chisquare_cases(),
        "chi2Contingency": contingency_cases(),
    }
    json.dump(json_safe(fixture), sys.stdout, indent=1, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
