/**
 * Population Stability Index over matching bins:
 *   PSI = sum_i (a_i - e_i) * ln(a_i / e_i)
 * with e_i the baseline share and a_i the window share of bin i. A bin that is empty on either side would
 * make the log infinite, so each share is floored at `epsilon` (default 1e-4) before the sum; shares are
 * not renormalised afterwards. PSI is symmetric in a and e and never negative.
 */
export const PSI_EPSILON = 1e-4;

export function psiFromShares(
  expected: readonly number[],
  actual: readonly number[],
  epsilon = PSI_EPSILON,
): number {
  if (expected.length !== actual.length) {
    throw new RangeError(`PSI needs matching bins: ${expected.length} expected vs ${actual.length} actual`);
  }
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], epsilon);
    const a = Math.max(actual[i], epsilon);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** PSI from raw counts per bin; each side is divided by its own total. Empty totals give NaN. */
export function psiFromCounts(
  expected: readonly number[],
  actual: readonly number[],
  epsilon = PSI_EPSILON,
): number {
  const te = expected.reduce((s, v) => s + v, 0);
  const ta = actual.reduce((s, v) => s + v, 0);
  if (te === 0 || ta === 0) return Number.NaN;
  return psiFromShares(
    expected.map((v) => v / te),
    actual.map((v) => v / ta),
    epsilon,
  );
}
