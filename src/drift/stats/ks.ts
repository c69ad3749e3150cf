/**
 * Two-sample Kolmogorov–Smirnov test, reproducing `scipy.stats.ks_2samp(x, y)` (two-sided, method='auto')
 * of scipy 1.10:
 *
 * - statistic D = max over the pooled observations t of |F1(t) - F2(t)| with right-continuous ECDFs;
 * - p-value 'exact' when max(n1, n2) <= 10000: D is rounded to h / lcm(n1, n2) and P(D >= h/lcm) is the
 *   share of lattice paths leaving the band (Hodges 1958), counted for n1 == n2 by the reflection formula
 *   and otherwise by the "inside" recursion for 1 - p (Viehmann 2021). If that ever fails numerically,
 *   scipy falls back to 'asymp', and so do we.
 * - otherwise 'asymp': kstwo.sf(D, round(n1 n2 / (n1 + n2))), the one-sample two-sided distribution at the
 *   effective sample size (see kolmogorov.ts).
 */
import { kolmogorovSf } from './kolmogorov';
import { gcd, roundHalfEven } from './special';

/** scipy's MAX_AUTO_N: the exact method is used when both samples have at most this many observations. */
export const KS_EXACT_MAX_N = 10000;

export type KsMethod = 'exact' | 'asymp';

export interface KsResult {
  /** D as scipy reports it (for the exact method, rounded to a multiple of 1 / lcm(n1, n2)). */
  readonly statistic: number;
  readonly pValue: number;
  readonly method: KsMethod;
  readonly n1: number;
  readonly n2: number;
}

/** P(D_{n,n} >= h/n), reflection-principle series evaluated in scipy's cancellation-free nested form. */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * Share of monotone lattice paths from (0,0) to (m,n) that touch |x/m - y/n| >= h/lcm, computed as
 * 1 - (paths staying strictly inside) with the recursion carried directly on the complement so that
 * small p-values keep their precision. Only a sliding window of one column is kept.
 */
function probOutsideBand(mIn: number, nIn: number, g: number, h: number): number {
  const m = Math.max(mIn, nIn);
  const n = Math.min(mIn, nIn);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const a = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) a[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (a[jj + minj - lastminj] * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) a.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return a[maxj - minj - 1];
}

/** Attempts scipy's exact two-sided p-value; `undefined` when it is numerically unusable. */
function exactPValue(n1: number, n2: number, d: number): { d: number; p: number } | undefined {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dRounded = h / lcm;
  if (h === 0) return { d: dRounded, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  if (!Number.isFinite(p) || p < 0 || p > 1) return undefined;
  return { d: dRounded, p };
}

/** The p-value for an observed two-sided D, choosing the method as scipy's method='auto' does. */
export function ksTwoSamplePValue(d: number, n1: number, n2: number): KsResult {
  if (!(n1 > 0 && n2 > 0)) throw new RangeError('KS test needs two non-empty samples');
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const exact = exactPValue(n1, n2, d);
    if (exact) return { statistic: exact.d, pValue: clip01(exact.p), method: 'exact', n1, n2 };
  }
  const en = (n1 * n2) / (n1 + n2);
  return { statistic: d, pValue: clip01(kolmogorovSf(roundHalfEven(en), d)), method: 'asymp', n1, n2 };
}

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values);
  out.sort();
  return out;
}

/** D between two samples; both must already be sorted ascending and free of NaN. */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  // Walk the pooled values in order; after consuming every copy of the current value both ECDFs are
  // right-continuous at it, which is where scipy's searchsorted(side='right') evaluates them.
  while (i < n1 || j < n2) {
    const t = i < n1 && (j >= n2 || a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] === t) i++;
    while (j < n2 && b[j] === t) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  return d;
}

/** scipy.stats.ks_2samp(x, y): two-sided, method='auto'. NaN values are rejected. */
export function ksTwoSample(x: ArrayLike<number>, y: ArrayLike<number>): KsResult {
  if (x.length === 0 || y.length === 0) throw new RangeError('Data passed to ksTwoSample must not be empty');
  const a = sortedCopy(x);
  const b = sortedCopy(y);
  if (Number.isNaN(a[a.length - 1]) || Number.isNaN(b[b.length - 1])) {
    throw new RangeError('ksTwoSample: samples must not contain NaN');
  }
  return ksTwoSamplePValue(ksStatisticSorted(a, b), a.length, b.length);
}
