/**
 * Pearson chi-square tests as scipy 1.10 computes them:
 * - `chiSquareGoodnessOfFit` = scipy.stats.chisquare(f_obs, f_exp) (ddof = 0),
 * - `chiSquareContingency` = scipy.stats.chi2_contingency(table) with its default correction=True, i.e.
 *   Yates' continuity correction when the table has one degree of freedom: every cell moves towards its
 *   expected count by min(0.5, |expected - observed|).
 */
import { chiSquareSf } from './special';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly dof: number;
}

export interface ContingencyResult extends ChiSquareResult {
  readonly expected: number[][];
  /** True when Yates' correction was applied (dof = 1 and correction on). */
  readonly yates: boolean;
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** scipy.stats.chisquare: observed vs expected frequencies (uniform expected when omitted). */
export function chiSquareGoodnessOfFit(
  observed: readonly number[],
  expected?: readonly number[],
): ChiSquareResult {
  const k = observed.length;
  if (k === 0) throw new RangeError('chi-square needs at least one category');
  for (const [i, o] of observed.entries()) {
    if (!(o >= 0) || !Number.isFinite(o))
      throw new RangeError(`observed[${i}] must be a finite count >= 0, got ${o}`);
  }
  let exp: readonly number[];
  const totalObserved = sum(observed);
  if (expected === undefined) {
    exp = observed.map(() => totalObserved / k);
  } else {
    if (expected.length !== k)
      throw new RangeError(`expected has ${expected.length} categories, observed has ${k}`);
    const totalExpected = sum(expected);
    // Same guard as scipy: the two totals must agree to a relative 1e-8.
    const rel = Math.abs(totalObserved - totalExpected) / Math.min(totalObserved, totalExpected);
    if (rel > 1e-8) {
      throw new RangeError(
        `observed total ${totalObserved} and expected total ${totalExpected} differ by ${rel} (more than 1e-8 relative)`,
      );
    }
    exp = expected;
  }
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const diff = observed[i] - exp[i];
    statistic += (diff * diff) / exp[i];
  }
  const dof = k - 1;
  // With a single category scipy evaluates chi2.sf(stat, 0), which is NaN; we return the same NaN.
  const pValue = dof > 0 ? chiSquareSf(statistic, dof) : Number.NaN;
  return { statistic, pValue, dof };
}

/** scipy.stats.chi2_contingency(table, correction) for a two-dimensional table. */
export function chiSquareContingency(
  table: readonly (readonly number[])[],
  correction = true,
): ContingencyResult {
  const rows = table.length;
  if (rows === 0 || table[0].length === 0) throw new RangeError('No data; the contingency table is empty');
  const cols = table[0].length;
  const rowSums = new Array<number>(rows).fill(0);
  const colSums = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) {
    if (table[i].length !== cols)
      throw new RangeError(`row ${i} has ${table[i].length} cells, expected ${cols}`);
    for (let j = 0; j < cols; j++) {
      const v = table[i][j];
      if (!(v >= 0) || !Number.isFinite(v))
        throw new RangeError(`cell [${i}][${j}] must be a finite count >= 0`);
      rowSums[i] += v;
      colSums[j] += v;
    }
  }
  const total = sum(rowSums);
  const expected = rowSums.map((r) => colSums.map((c) => (r * c) / total));
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (expected[i][j] === 0) {
        throw new RangeError(`The table of expected frequencies has a zero element at (${i}, ${j})`);
      }
    }
  }
  const dof = rows * cols - rows - cols + 1;
  if (dof === 0) return { statistic: 0, pValue: 1, dof, expected, yates: false };
  const yates = dof === 1 && correction;
  let statistic = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let o = table[i][j];
      const e = expected[i][j];
      if (yates) {
        const diff = e - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      const d = o - e;
      statistic += (d * d) / e;
    }
  }
  return { statistic, pValue: chiSquareSf(statistic, dof), dof, expected, yates };
}
