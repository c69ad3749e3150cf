/**
 * Special functions the drift statistics need: log-gamma and the regularised upper incomplete gamma
 * function (which gives the chi-square survival function). Accuracy is close to double precision;
 * the tests hold them to scipy within 1e-9 relative.
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// Stirling series coefficients B_2j / (2j (2j - 1)) for j = 1..8 (B are the Bernoulli numbers).
const STIRLING = [
  1 / 12,
  -1 / 360,
  1 / 1260,
  -1 / 1680,
  1 / 1188,
  -691 / 360360,
  1 / 156,
  -3617 / 122400,
] as const;

/** log Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  // Shift the argument up until the Stirling series is accurate to double precision, then shift back.
  let shift = 0;
  let z = x;
  while (z < 15) {
    shift += Math.log(z);
    z += 1;
  }
  const inv = 1 / z;
  const inv2 = inv * inv;
  let series = 0;
  for (let j = STIRLING.length - 1; j >= 0; j--) series = series * inv2 + STIRLING[j];
  return (z - 0.5) * Math.log(z) - z + LOG_SQRT_2PI + series * inv - shift;
}

/** log(n! / n^n), as used by the Ruben–Gambino branch of the one-sample KS distribution. */
export function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  const rn2 = rn * rn;
  let series = 0;
  for (let j = STIRLING.length - 1; j >= 0; j--) series = series * rn2 + STIRLING[j];
  return Math.log(n) / 2 - n + LOG_SQRT_2PI + rn * series;
}

const EPS = 2.220446049250313e-16;
const TINY = 1e-300;

/** Regularised lower incomplete gamma P(a, x) by its power series; converges quickly for x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let k = 1; k < 100000; k++) {
    term *= x / (a + k);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Regularised upper incomplete gamma Q(a, x) by its continued fraction (modified Lentz); for x >= a + 1. */
function upperGammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Q(a, x) = Γ(a, x) / Γ(a), the regularised upper incomplete gamma function. */
export function upperRegularizedGamma(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`upperRegularizedGamma needs a > 0, got ${a}`);
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  if (x < a + 1) return Math.min(1, Math.max(0, 1 - lowerGammaSeries(a, x)));
  return Math.min(1, Math.max(0, upperGammaFraction(a, x)));
}

/** Survival function of the chi-square distribution with `dof` degrees of freedom (scipy.stats.chi2.sf). */
export function chiSquareSf(x: number, dof: number): number {
  if (!(dof > 0)) throw new RangeError(`chi-square needs dof > 0, got ${dof}`);
  return upperRegularizedGamma(dof / 2, x / 2);
}

/** numpy's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends halves up; move them back down when that lands on an odd integer.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
