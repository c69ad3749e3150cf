#!/usr/bin/python3
"""Recompute a drift report's statistics independently with scipy and compare them.

    npm run --silent drift -- --baseline B.json --input capture/ --json > report.json
    /usr/bin/python3 scripts/scipy/check_drift_report.py --baseline B.json --report report.json capture/...

Decodes the capture files on its own (json + csv, no code shared with the TypeScript check), rebuilds each
test's inputs from the baseline and the window, runs scipy.stats.ks_2samp / chi2_contingency and the PSI
formula, and prints the largest differences. Exit status 1 when any differs by more than 1e-6.
Supports the capture shapes the sample model produces: CSV rows of model columns (one-hot groups decoded)
and JSON {"features": {...}} records with {"probability": p} outputs.
"""

import argparse
import base64
import csv
import io
import json
import math
import os
import sys

import numpy as np
from scipy import stats

TOL = 1e-6
EPS = 1e-4


def files_under(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _dirs, names in sorted(os.walk(p)):
                for n in sorted(names):
                    if n.lower().endswith(".jsonl"):
                        yield os.path.join(root, n)
        else:
            yield p


def payload(part):
    data = part.get("data")
    enc = part.get("encoding")
    if not isinstance(data, str) or enc not in ("CSV", "JSON", "BASE64"):
        raise ValueError("bad part")
    if enc == "BASE64":
        data = base64.b64decode(data).decode("utf-8")
        ct = str(part.get("observedContentType", "")).lower()
        kind = "csv" if "csv" in ct else "json" if "json" in ct else None
    else:
        kind = enc.lower()
    if kind is None:
        raise ValueError("content type")
    return kind, data


def number(text):
    t = text.strip()
    if t == "" or t.lower() == "nan":
        return None
    return float(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()
    baseline = json.load(open(args.baseline))
    report = json.load(open(args.report))
    order = baseline["featureOrder"]
    col = {c: i for i, c in enumerate(order)}
    features = baseline["features"]
    window = {f["name"]: [] for f in features}
    scores = []

    def add_named(rec):
        for f in features:
            v = rec.get(f["name"])
            if f["kind"] == "numeric":
                if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                    if not f["integer"] or float(v).is_integer():
                        window[f["name"]].append(float(v))
            elif isinstance(v, str) and v != "":
                window[f["name"]].append(v)
            elif isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                window[f["name"]].append(str(v))

    def add_row(cells):
        if len(cells) != len(order):
            return
        for f in features:
            if f["kind"] == "numeric":
                try:
                    v = number(cells[col[f["column"]]])
                except ValueError:
                    continue
                if v is not None and math.isfinite(v) and (not f["integer"] or v.is_integer()):
                    window[f["name"]].append(v)
            elif f.get("oneHot"):
                h = f["oneHot"]
                raw = [cells[col[c]].strip() for c in h["columns"]]
                if all(r == "" or r.lower() == "nan" for r in raw):
                    continue
                try:
                    vals = [float(r) for r in raw]
                except ValueError:
                    continue
                if any(v not in (0.0, 1.0) for v in vals) or sum(vals) > 1:
                    continue
                if sum(vals) == 1:
                    window[f["name"]].append(h["values"][vals.index(1.0)])
                elif h["baseValue"] is not None:
                    window[f["name"]].append(h["baseValue"])
            elif f["name"] in col:
                v = cells[col[f["name"]]]
                if v != "":
                    window[f["name"]].append(v)

    for path in files_under(args.inputs):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    cap = rec["captureData"]
                    parts = [cap.get("endpointInput"), cap.get("endpointOutput")]
                    decoded = [payload(p) if isinstance(p, dict) else None for p in parts]
                    values = [(k, json.loads(d) if k == "json" else d) if k else None for k, d in
                              [x if x else (None, None) for x in decoded]]
                except Exception:
                    continue  # malformed: skipped, as the check does
                if values[0]:
                    kind, data = values[0]
                    if kind == "csv":
                        for row in csv.reader(io.StringIO(data)):
                            if row:
                                add_row(row)
                    elif isinstance(data, dict):
                        add_named(data.get("features", data) if isinstance(data.get("features"), dict) else data)
                if values[1]:
                    kind, data = values[1]
                    if kind == "csv":
                        for t in data.replace("\n", ",").split(","):
                            if t.strip():
                                try:
                                    x = float(t)
                                except ValueError:
                                    continue
                                if math.isfinite(x):
                                    scores.append(x)
                    elif isinstance(data, dict) and isinstance(data.get("probability"), (int, float)):
                        scores.append(float(data["probability"]))

    worst = 0.0
    rows = []

    def compare(name, what, mine, theirs):
        nonlocal worst
        if theirs is None and mine is None:
            return
        diff = abs(mine - theirs)
        worst = max(worst, diff)
        rows.append((name, what, theirs, mine, diff))

    def psi(expected, actual):
        e = np.maximum(np.asarray(expected, float), EPS)
        a = np.maximum(np.asarray(actual, float), EPS)
        return float(np.sum((a - e) * np.log(a / e)))

    def numeric_checks(name, sample, psi_bins, values, rep_ks, rep_psi):
        base = np.repeat(np.asarray(sample["values"], float), sample["counts"])
        if len(values) == 0:
            return
        r = stats.ks_2samp(base, np.asarray(values))
        compare(name, "KS D", float(r.statistic), rep_ks["statistic"])
        compare(name, "KS p", float(r.pvalue), rep_ks["pValue"])
        # PSI bins rebuilt here from the sample by the rule in docs/drift.md, not read from the baseline:
        # upper edges where the ECDF first reaches k/B (k = 1..B), a bin below the smallest training value
        # and one above the largest.
        n = len(base)
        bins = baseline["settings"]["psiBins"]
        edges = sorted({float(base[int(np.ceil(k * n / bins)) - 1]) for k in range(1, bins + 1)})
        lower = float(base[0])
        if edges != psi_bins["edges"] or lower != psi_bins["lower"]:
            raise SystemExit(f"{name}: baseline PSI bins {psi_bins['edges']} differ from the documented rule {edges}")
        def shares(xs):
            xs = np.asarray(xs, float)
            inside = np.searchsorted(edges, xs[xs >= lower], side="left")
            counts = np.concatenate([[np.sum(xs < lower)], np.bincount(inside, minlength=len(edges) + 1)])
            return counts / counts.sum()
        compare(name, "PSI", psi(shares(base), shares(values)), rep_psi)

    by_name = {f["name"]: f for f in report["features"]}
    for f in features:
        rep = by_name[f["name"]]
        vals = window[f["name"]]
        if f["kind"] == "numeric":
            if rep["ks"]:
                numeric_checks(f["name"], f["sample"], f["psi"], vals, rep["ks"], rep["psi"])
        elif rep["chiSquare"] and vals:
            cats = list(f["frequencies"].keys())
            base = [f["frequencies"][c] for c in cats]
            counts = {c: 0 for c in cats}
            unseen = 0
            for v in vals:
                if v in counts:
                    counts[v] += 1
                else:
                    unseen += 1
            win = [counts[c] for c in cats]
            if unseen:
                base.append(0)
                win.append(unseen)
            res = stats.chi2_contingency([base, win])
            compare(f["name"], "chi2", float(res[0]), rep["chiSquare"]["statistic"])
            compare(f["name"], "chi2 p", float(res[1]), rep["chiSquare"]["pValue"])
            compare(f["name"], "PSI", psi(np.asarray(base) / sum(base), np.asarray(win) / sum(win)), rep["psi"])
    if report["prediction"]["ks"]:
        s = baseline["score"]
        numeric_checks("(prediction)", s["sample"], s["psi"], scores, report["prediction"]["ks"], report["prediction"]["psi"])

    for name, what, theirs, mine, diff in rows:
        print(f"{name:18} {what:7} report {theirs:.12g}  scipy {mine:.12g}  diff {diff:.2e}")
    print(f"{len(rows)} values compared, largest difference {worst:.2e} (tolerance {TOL})")
    return 0 if worst <= TOL else 1


if __name__ == "__main__":
    sys.exit(main())
