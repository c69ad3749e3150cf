/**
 * Multiple-testing corrections for the dataset-level drift decision. Both control the family-wise error
 * rate at alpha across the m tests of one check:
 * - Bonferroni: reject H_i when p_i <= alpha / m (adjusted p = min(1, m p_i)).
 * - Holm (step-down): sort p ascending; reject while p_(k) <= alpha / (m - k + 1) (k = 1..m) and stop at
 *   the first failure. Adjusted p_(k) = max_{j<=k} min(1, (m - j + 1) p_(j)). Holm rejects everything
 *   Bonferroni rejects, and sometimes more.
 * NaN p-values (tests that could not run) are left out of m and never rejected.
 */
export type CorrectionMethod = 'bonferroni' | 'holm';

export interface CorrectedTest {
  readonly pValue: number;
  readonly adjustedPValue: number;
  readonly rejected: boolean;
}

export function correctPValues(
  pValues: readonly number[],
  alpha: number,
  method: CorrectionMethod,
): CorrectedTest[] {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must lie in (0, 1), got ${alpha}`);
  const valid = pValues.map((p, i) => ({ p, i })).filter(({ p }) => !Number.isNaN(p));
  const m = valid.length;
  const out: CorrectedTest[] = pValues.map((p) => ({
    pValue: p,
    adjustedPValue: Number.NaN,
    rejected: false,
  }));
  if (m === 0) return out;
  if (method === 'bonferroni') {
    for (const { p, i } of valid) {
      out[i] = { pValue: p, adjustedPValue: Math.min(1, p * m), rejected: p <= alpha / m };
    }
    return out;
  }
  valid.sort((a, b) => a.p - b.p || a.i - b.i);
  let running = 0;
  let stillRejecting = true;
  valid.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    stillRejecting = stillRejecting && p <= alpha / (m - k);
    out[i] = { pValue: p, adjustedPValue: running, rejected: stillRejecting };
  });
  return out;
}
