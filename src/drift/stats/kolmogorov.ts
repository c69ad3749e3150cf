/**
 * Distributions of the Kolmogorov–Smirnov statistics, computed the way scipy 1.10 does so that our
 * p-values agree with `scipy.stats.ks_2samp` to well within 1e-6:
 *
 * - `smirnovSf(n, d)`: P(D_n^+ >= d), the one-sided statistic (scipy.special.smirnov), by the
 *   Smirnov / Birnbaum–Tingey sum, with cephes' special cases and its approximation for n > 10^6.
 * - `kolmogorovSf(n, d)`: P(D_n >= d), the two-sided one-sample statistic (scipy.stats.kstwo.sf),
 *   choosing between Ruben–Gambino, Durbin's matrix method (Marsaglia–Tsang–Wang), Pomeranz's
 *   recursion, the Pelz–Good expansion and 2 x smirnov exactly as Simard & L'Ecuyer (2011) prescribe
 *   and scipy implements. The choice matters: Pelz–Good and 2 x smirnov are approximations, so using a
 *   "better" method in their region would move the p-value away from scipy's.
 */
import { logFactorialOverPower, logGamma } from './special';

const MIN_LOG = -708.3964185322641; // cephes MINLOG: exp() below this underflows
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** floor(n * x) and the fractional part, exact even when n * x rounds across an integer. */
function floorProduct(n: number, x: number): { floor: number; frac: number } {
  const hi = n * x;
  // Dekker's two-product gives the rounding error of n * x exactly.
  const split = (v: number): [number, number] => {
    const c = 134217729 * v; // 2^27 + 1
    const big = c - (c - v);
    return [big, v - big];
  };
  const [nh, nl] = split(n);
  const [xh, xl] = split(x);
  const lo = nh * xh - hi + nh * xl + nl * xh + nl * xl;
  let fl = Math.floor(hi);
  if (hi === fl && lo < 0) fl -= 1;
  let frac = hi - fl + lo;
  if (frac >= 1) {
    fl += 1;
    frac = 0;
  }
  if (frac < 0) frac = 0;
  return { floor: fl, frac };
}

/** P(D_n^+ >= d) for the one-sided one-sample KS statistic; scipy.special.smirnov(n, d). */
export function smirnovSf(n: number, d: number): number {
  if (!(n > 0 && Number.isInteger(n)) || !(d >= 0 && d <= 1)) return Number.NaN;
  if (n === 1) return 1 - d;
  if (d === 0) return 1;
  if (d === 1) return 0;
  const { floor: nxfl, frac: alpha } = floorProduct(n, d);
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    // d <= 1/n: closed form cdf = d (1 + d)^(n-1)
    return clip01(1 - d * Math.pow(1 + d, n - 1));
  }
  if (-2 * n * d * d < MIN_LOG) return 0;
  if (nxfl >= n - 1) return clip01(Math.pow(1 - d, n));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    // cephes switches to the approximation exp(-(6nd + 1)^2 / (18n)) here, and so do we.
    return clip01(Math.exp(-Math.pow(6 * n * d + 1, 2) / 18 / n));
  }
  // sf = d * sum_{v=0}^{floor(n(1-d))} C(n, v) (d + v/n)^(v-1) (1 - d - v/n)^(n-v), in log space.
  // When n(1-d) is an integer the last term is 0^(n-v) = 0, so it is left out.
  // floor(n(1-d)) = n - ceil(nd); when nd is an integer that last term vanishes, so n - floor(nd) - 1 always.
  const last = n - nxfl - 1;
  const logNFact = logGamma(n + 1);
  let sum = 0;
  let previousTerm = Infinity;
  for (let v = 0; v <= last; v++) {
    const lower = (n - v) / n - d;
    if (lower <= 0) break;
    const upper = v / n + d;
    const logTerm =
      logNFact -
      logGamma(v + 1) -
      logGamma(n - v + 1) +
      (v - 1) * Math.log(upper) +
      (n - v) * Math.log(lower);
    const term = Math.exp(logTerm);
    sum += term;
    // Past the mode the terms only shrink; once they are negligible the rest cannot matter.
    if (term < previousTerm && term * (last - v + 1) < sum * 1e-17) break;
    previousTerm = term;
  }
  return clip01(d * sum);
}

const E128 = 2 ** 128;
const EM128 = 2 ** -128;

type Matrix = Float64Array[];

function identity(m: number): Matrix {
  return Array.from({ length: m }, (_, i) => {
    const row = new Float64Array(m);
    row[i] = 1;
    return row;
  });
}

function multiply(a: Matrix, b: Matrix): Matrix {
  const m = a.length;
  const out: Matrix = Array.from({ length: m }, () => new Float64Array(m));
  for (let i = 0; i < m; i++) {
    const ai = a[i];
    const oi = out[i];
    for (let k = 0; k < m; k++) {
      const aik = ai[k];
      if (aik === 0) continue;
      const bk = b[k];
      for (let j = 0; j < m; j++) oi[j] += aik * bk[j];
    }
  }
  return out;
}

/** P(D_n <= d) by Durbin's matrix formula in the Marsaglia–Tsang–Wang form. */
export function kolmogorovCdfDurbin(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  // H[i][j] = 1/(i-j+1)! below the superdiagonal, with the first column and last row corrected for h.
  const invFact = new Float64Array(m + 1);
  invFact[0] = 1;
  for (let j = 1; j <= m; j++) invFact[j] = invFact[j - 1] / j;
  let H: Matrix = Array.from({ length: m }, () => new Float64Array(m));
  for (let i = 0; i < m; i++) {
    for (let j = 1; j < m; j++) if (i - j + 1 >= 0) H[i][j] = invFact[i - j + 1];
  }
  const firstColumn = new Float64Array(m);
  for (let j = 1; j <= m; j++) firstColumn[j - 1] = (1 - Math.pow(h, j)) * invFact[j];
  firstColumn[m - 1] = (1 + Math.pow(Math.max(2 * h - 1, 0), m) - 2 * Math.pow(h, m)) * invFact[m];
  for (let i = 0; i < m; i++) H[i][0] = firstColumn[i];
  for (let j = 0; j < m; j++) H[m - 1][j] = firstColumn[m - 1 - j];

  let power = identity(m);
  let exponent = 0;
  let hExponent = 0;
  let remaining = n;
  while (remaining > 0) {
    if (remaining % 2 === 1) {
      power = multiply(power, H);
      exponent += hExponent;
    }
    H = multiply(H, H);
    hExponent *= 2;
    if (Math.abs(H[k - 1][k - 1]) > E128) {
      for (const row of H) for (let j = 0; j < m; j++) row[j] *= EM128;
      hExponent += 128;
    }
    remaining = Math.floor(remaining / 2);
  }
  let p = power[k - 1][k - 1];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      exponent -= 128;
    }
  }
  return clip01(p * Math.pow(2, exponent));
}

/** Row bounds of Pomeranz's recursion, as in Pomeranz (1974). */
function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** P(D_n <= d) by Pomeranz's recursion. */
export function kolmogorovCdfPomeranz(n: number, d: number): number {
  const t = n * d;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  // (g/n)^m/m!, (2g/n)^m/m!, ((1-2g)/n)^m/m!: Poisson probabilities without their normalising factor.
  const gPow = new Float64Array(npwrs);
  const twoGPow = new Float64Array(npwrs);
  const oneMinusTwoGPow = new Float64Array(npwrs);
  gPow[0] = twoGPow[0] = oneMinusTwoGPow[0] = 1;
  for (let m = 1; m < npwrs; m++) {
    gPow[m] = (gPow[m - 1] * (g / n)) / m;
    twoGPow[m] = (twoGPow[m - 1] * ((2 * g) / n)) / m;
    oneMinusTwoGPow[m] = (oneMinusTwoGPow[m - 1] * ((1 - 2 * g) / n)) / m;
  }
  let previous = new Float64Array(npwrs);
  let current = new Float64Array(npwrs);
  current[0] = 1;
  let previousStart = 0;
  let currentStart = 0;
  let exponent = 0;
  let j1 = pomeranzBounds(0, n, ll, ceilf, roundf)[0];
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    let j2: number;
    [previous, current] = [current, previous];
    [previousStart, currentStart] = [currentStart, previousStart];
    current.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const powers = i === 1 || i === 2 * n + 1 ? gPow : i % 2 === 1 ? twoGPow : oneMinusTwoGPow;
    const len = j2 - k1 + 1;
    if (len > 0) {
      const offset = k1 - previousStart;
      const lenA = Math.min(len, npwrs - offset);
      const lenB = Math.min(len, npwrs);
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let max = 0;
      for (let c = 0; c < convLen; c++) {
        // Entry convStart + c of the full convolution of previous[offset ..] with powers[0 ..].
        const idx = convStart + c;
        let acc = 0;
        const lo = Math.max(0, idx - (lenB - 1));
        for (let a = lo; a <= idx && a < lenA; a++) acc += previous[offset + a] * powers[idx - a];
        current[c] = acc;
        if (acc > max) max = acc;
      }
      if (max > 0 && max < EM128) {
        for (let c = 0; c < convLen; c++) current[c] *= E128;
        exponent -= 128;
      }
      currentStart = previousStart + j1 - k1;
    }
  }
  let answer = current[n - currentStart];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > E128) {
      answer *= EM128;
      exponent += 128;
    }
    answer *= m;
  }
  return clip01(answer * Math.pow(2, exponent));
}

/** Pelz–Good asymptotic expansion of P(D_n <= d). */
export function kolmogorovCdfPelzGood(n: number, d: number): number {
  if (d <= 0) return 0;
  if (d >= 1) return 1;
  const z = Math.sqrt(n) * d;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const pi2 = Math.PI * Math.PI;
  const pi4 = pi2 * pi2;
  const pi6 = pi4 * pi2;
  const qlog = -pi2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64;
  const k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * Math.pow(z, 8);
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  // Horner over odd integers m = 2k - 1 of c_m q^(m^2).
  for (let k = maxk; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qpower = Math.pow(q, 8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qpower + coeffs[i];
  }
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  const denominators = [z, 6 * z4, 72 * Math.pow(z, 7), 6480 * Math.pow(z, 10)];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * sqrt2pi) / denominators[i];
  q = Math.exp(-pi2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k >= 1; k--) {
    const k2 = k * k;
    const qp = Math.pow(q, k2);
    k2extra += k2 * qp;
    const kpi = Math.PI * k;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  K[2] = K[2] + (k2extra * pi2 * sqrt2pi) / (-36 * z3);
  K[3] = K[3] + (k3extra * pi2 * sqrt2pi) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i] / Math.pow(n, i / 2);
  return sum;
}

/**
 * P(D_n >= d) for the two-sided one-sample KS statistic with sample size n: scipy.stats.kstwo.sf(d, n).
 * The region boundaries are Simard & L'Ecuyer's, as used by scipy.
 */
export function kolmogorovSf(n: number, d: number): number {
  if (!(n > 0 && Number.isInteger(n))) return Number.NaN;
  if (Number.isNaN(d)) return Number.NaN;
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  const t = n * d;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - prob);
  }
  if (t >= n - 1) return clip01(2 * Math.pow(1 - d, n));
  if (d >= 0.5) return clip01(2 * smirnovSf(n, d));
  const nxSquared = t * d;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clip01(1 - kolmogorovCdfDurbin(n, d));
    if (nxSquared <= 4) return clip01(1 - kolmogorovCdfPomeranz(n, d));
    return clip01(2 * smirnovSf(n, d));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clip01(2 * smirnovSf(n, d));
  const cdf =
    n <= 100000 && n * Math.pow(d, 1.5) <= 1.4 ? kolmogorovCdfDurbin(n, d) : kolmogorovCdfPelzGood(n, d);
  return clip01(1 - cdf);
}
