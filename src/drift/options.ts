import type { CorrectionMethod } from './stats/correction';

/** Thresholds of the drift decision and the data-quality checks. Every field has a documented default. */
export interface DriftOptions {
  /** Family-wise significance level across all tests of one check. @default 0.01 */
  readonly alpha: number;
  /** Multiple-testing correction. @default 'bonferroni' */
  readonly correction: CorrectionMethod;
  /**
   * A numeric feature (or the score) drifts only if its KS test is rejected AND D is at least this.
   * With large windows even negligible shifts are "significant"; the effect-size floor keeps alarms
   * actionable. Set 0 for a pure hypothesis test. @default 0.1
   */
  readonly minKsStatistic: number;
  /** A categorical feature drifts only if its chi-square test is rejected AND PSI is at least this. @default 0.2 */
  readonly minCategoricalPsi: number;
  /** Below this many input records no drift decision is made (status "insufficient-data"). @default 100 */
  readonly minRecords: number;
  /** Data-quality breach when a feature's null rate exceeds its training null rate by more than this. @default 0.05 */
  readonly maxNullRateIncrease: number;
  /** Data-quality breach when a feature's type-error rate exceeds this. @default 0.01 */
  readonly maxTypeErrorRate: number;
  /** Data-quality breach when a feature's out-of-range rate exceeds this. @default 0.01 */
  readonly maxOutOfRangeRate: number;
  /** Data-quality breach when the share of NaN/Inf/null model outputs exceeds this. @default 0 */
  readonly maxNonFiniteOutputRate: number;
  /** How many distinct unseen categories per feature are named in the report (the rest are only counted). @default 20 */
  readonly reportUnseenCategories: number;
  /**
   * A drifted feature is concentrated (MON-6) when at most `maxConcentratedCallers` callers explain at
   * least this share of its distance and the drift is gone without them. @default 0.8
   */
  readonly minConcentratedShare: number;
  /** See minConcentratedShare. @default 2 */
  readonly maxConcentratedCallers: number;
  /** Distinct callers counted on their own; later ones are pooled as "(other callers)", bounding memory. @default 50 */
  readonly maxTrackedCallers: number;
}

export const DEFAULT_DRIFT_OPTIONS: DriftOptions = {
  alpha: 0.01,
  correction: 'bonferroni',
  minKsStatistic: 0.1,
  minCategoricalPsi: 0.2,
  minRecords: 100,
  maxNullRateIncrease: 0.05,
  maxTypeErrorRate: 0.01,
  maxOutOfRangeRate: 0.01,
  maxNonFiniteOutputRate: 0,
  reportUnseenCategories: 20,
  minConcentratedShare: 0.8,
  maxConcentratedCallers: 2,
  maxTrackedCallers: 50,
};

/** Merges overrides onto the defaults and validates the result, naming the bad option. */
export function resolveDriftOptions(overrides: Partial<DriftOptions> = {}): DriftOptions {
  const o: DriftOptions = { ...DEFAULT_DRIFT_OPTIONS, ...stripUndefined(overrides) };
  const rate = (name: keyof DriftOptions, v: number, lo: number, hi: number, openLo = false): void => {
    if (!(typeof v === 'number' && (openLo ? v > lo : v >= lo) && v <= hi)) {
      throw new RangeError(
        `drift option ${name} must lie in ${openLo ? '(' : '['}${lo}, ${hi}], got ${String(v)}`,
      );
    }
  };
  rate('alpha', o.alpha, 0, 1, true);
  if (o.correction !== 'bonferroni' && o.correction !== 'holm') {
    throw new RangeError(
      `drift option correction must be "bonferroni" or "holm", got ${String(o.correction)}`,
    );
  }
  rate('minKsStatistic', o.minKsStatistic, 0, 1);
  rate('minCategoricalPsi', o.minCategoricalPsi, 0, Number.MAX_VALUE);
  rate('maxNullRateIncrease', o.maxNullRateIncrease, 0, 1);
  rate('maxTypeErrorRate', o.maxTypeErrorRate, 0, 1);
  rate('maxOutOfRangeRate', o.maxOutOfRangeRate, 0, 1);
  rate('maxNonFiniteOutputRate', o.maxNonFiniteOutputRate, 0, 1);
  if (!Number.isInteger(o.minRecords) || o.minRecords < 1) {
    throw new RangeError(`drift option minRecords must be a positive integer, got ${String(o.minRecords)}`);
  }
  if (!Number.isInteger(o.reportUnseenCategories) || o.reportUnseenCategories < 0) {
    throw new RangeError(`drift option reportUnseenCategories must be an integer >= 0`);
  }
  rate('minConcentratedShare', o.minConcentratedShare, 0, 1, true);
  for (const name of ['maxConcentratedCallers', 'maxTrackedCallers'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 1) {
      throw new RangeError(`drift option ${name} must be a positive integer, got ${String(o[name])}`);
    }
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
