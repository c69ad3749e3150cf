/**
 * The drift report (format `churn-drift-report`, version 1) and its flattening into metric datapoints
 * that a Lambda can hand to CloudWatch PutMetricData unchanged.
 */
import type { CorrectionMethod } from './stats/correction';
import type { KsMethod } from './stats/ks';
import type { FeatureAttribution } from './attribution';
import type { CaptureFailure } from './capture';

export const REPORT_FORMAT = 'churn-drift-report';
export const REPORT_VERSION = 1;

/**
 * - empty: the window held no input records at all (never read as "no drift");
 * - insufficient-data: fewer records than minRecords; statistics are reported, no decision is made;
 * - drift / no-drift: the dataset-level decision after the multiple-testing correction.
 */
export type DriftStatus = 'empty' | 'insufficient-data' | 'drift' | 'no-drift';

export interface TestOutcome {
  readonly pValue: number;
  /** p-value after the correction (Bonferroni: min(1, m p); Holm: step-down adjusted). */
  readonly adjustedPValue: number;
  /** True when the corrected test rejects "same distribution as the baseline" at alpha. */
  readonly rejected: boolean;
}

export interface KsOutcome extends TestOutcome {
  readonly statistic: number;
  readonly method: KsMethod;
  /** Baseline sample size and window size. */
  readonly n1: number;
  readonly n2: number;
}

export interface ChiSquareOutcome extends TestOutcome {
  readonly statistic: number;
  readonly dof: number;
  readonly yates: boolean;
}

export interface FeatureQuality {
  readonly records: number;
  readonly nulls: number;
  readonly typeErrors: number;
  readonly outOfRange: number;
  /** Rates are shares of the window's input records; null when the window has none. */
  readonly nullRate: number | null;
  readonly typeErrorRate: number | null;
  readonly outOfRangeRate: number | null;
  readonly baselineNullRate: number;
}

export interface NumericFeatureReport {
  readonly name: string;
  readonly kind: 'numeric';
  /** Valid values in the window (the n2 of the KS test). */
  readonly values: number;
  readonly ks: KsOutcome | null;
  readonly psi: number | null;
  readonly window: { readonly min: number; readonly max: number; readonly mean: number } | null;
  readonly drift: boolean;
  /** For a drifted feature in a window with labelled callers: how its distance splits across them (MON-6). */
  readonly attribution: FeatureAttribution | null;
  readonly quality: FeatureQuality;
}

export interface CategoricalFeatureReport {
  readonly name: string;
  readonly kind: 'categorical';
  readonly values: number;
  readonly chiSquare: ChiSquareOutcome | null;
  readonly psi: number | null;
  readonly unseen: {
    readonly count: number;
    /** Share of the feature's valid window values that were unseen in training; null without values. */
    readonly rate: number | null;
    readonly distinct: number;
    /** Most frequent unseen categories (at most reportUnseenCategories). */
    readonly top: { readonly category: string; readonly count: number }[];
  };
  readonly drift: boolean;
  readonly attribution: FeatureAttribution | null;
  readonly quality: FeatureQuality;
}

export type FeatureReport = NumericFeatureReport | CategoricalFeatureReport;

export interface PredictionReport {
  readonly scores: number;
  readonly ks: KsOutcome | null;
  readonly psi: number | null;
  readonly window: { readonly min: number; readonly max: number; readonly mean: number } | null;
  readonly drift: boolean;
  readonly quality: {
    readonly outputs: number;
    /** NaN, +-Infinity, or JSON null (JSON cannot carry NaN, so serialisers write null). */
    readonly nonFinite: number;
    /** Finite but outside [0, 1]. */
    readonly outOfRange: number;
    /** Not a number at all (text, objects). */
    readonly invalid: number;
    readonly nonFiniteRate: number | null;
  };
}

export interface DataQualityBreach {
  readonly feature: string;
  readonly check: 'null-rate' | 'type-error-rate' | 'out-of-range-rate' | 'non-finite-outputs';
  readonly value: number;
  readonly threshold: number;
}

export interface DriftReport {
  readonly format: typeof REPORT_FORMAT;
  readonly version: typeof REPORT_VERSION;
  readonly generatedAt: string;
  readonly status: DriftStatus;
  readonly summary: string;
  readonly baseline: {
    readonly createdAt: string;
    readonly modelSha256: string;
    readonly trainingDataSha256: string;
  };
  readonly input: {
    readonly objects: number;
    readonly lines: number;
    readonly malformedLines: number;
    readonly malformedByReason: Partial<Record<CaptureFailure, number>>;
    /** Input rows decoded (one capture line may hold several). */
    readonly records: number;
    /** Positional rows whose width did not match the model's columns; skipped. */
    readonly wrongWidthRows: number;
  };
  readonly decision: {
    readonly alpha: number;
    readonly correction: CorrectionMethod;
    readonly minKsStatistic: number;
    readonly minCategoricalPsi: number;
    readonly minRecords: number;
    /** Number of tests the correction ran over (tests without data are left out). */
    readonly tests: number;
    readonly driftedFeatures: string[];
    readonly predictionDrift: boolean;
  };
  readonly features: FeatureReport[];
  readonly prediction: PredictionReport;
  readonly dataQuality: {
    readonly status: 'ok' | 'breach' | 'empty';
    readonly breaches: DataQualityBreach[];
  };
  /** Drift attribution to callers (MON-6): a finding apart from the drift status. */
  readonly attribution: {
    /** Records that named a caller, and the callers (labels; beyond maxTrackedCallers pooled). */
    readonly attributedRecords: number;
    readonly callers: string[];
    readonly minConcentratedShare: number;
    readonly maxConcentratedCallers: number;
    /** Drifted features whose drift is concentrated in few callers: a poisoning or probing signal. */
    readonly concentratedFeatures: string[];
  };
}

export interface MetricDatum {
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
  readonly unit: 'Count' | 'None' | 'Percent';
}

/**
 * Flattens a report into metric datapoints. Values that do not exist (a test without data) are left out
 * rather than sent as NaN, which CloudWatch rejects. `dimensions` (e.g. {Model: 'churn'}) go on every datum.
 */
export function reportMetrics(
  report: DriftReport,
  dimensions: Readonly<Record<string, string>> = {},
): MetricDatum[] {
  const out: MetricDatum[] = [];
  const push = (
    name: string,
    value: number | null | undefined,
    unit: MetricDatum['unit'],
    extra = {},
  ): void => {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    out.push({ name, dimensions: { ...dimensions, ...extra }, value, unit });
  };
  push('WindowEmpty', report.status === 'empty' ? 1 : 0, 'None');
  push('DriftDetected', report.status === 'drift' ? 1 : 0, 'None');
  push('DriftedFeatures', report.decision.driftedFeatures.length, 'Count');
  push('DataQualityBreaches', report.dataQuality.breaches.length, 'Count');
  push('RecordsAnalysed', report.input.records, 'Count');
  push('MalformedLines', report.input.malformedLines, 'Count');
  for (const f of report.features) {
    const dim = { Feature: f.name };
    push('FeatureDrift', f.drift ? 1 : 0, 'None', dim);
    push('FeaturePsi', f.psi, 'None', dim);
    if (f.kind === 'numeric') {
      push('FeatureKsStatistic', f.ks?.statistic, 'None', dim);
      push('FeatureKsPValue', f.ks?.pValue, 'None', dim);
    } else {
      push('FeatureChiSquarePValue', f.chiSquare?.pValue, 'None', dim);
      push('FeatureUnseenCategoryRate', f.unseen.rate, 'None', dim);
    }
    push('FeatureNullRate', f.quality.nullRate, 'None', dim);
    push('FeatureTypeErrorRate', f.quality.typeErrorRate, 'None', dim);
    push('FeatureOutOfRangeRate', f.quality.outOfRangeRate, 'None', dim);
  }
  push('PredictionDrift', report.prediction.drift ? 1 : 0, 'None');
  push('PredictionKsStatistic', report.prediction.ks?.statistic, 'None');
  push('PredictionKsPValue', report.prediction.ks?.pValue, 'None');
  push('PredictionPsi', report.prediction.psi, 'None');
  push('NonFiniteOutputs', report.prediction.quality.nonFinite, 'Count');
  push('NonFiniteOutputRate', report.prediction.quality.nonFiniteRate, 'None');
  // Only when a decision was made: an empty or too-small window says nothing about concentration.
  if (report.status === 'drift' || report.status === 'no-drift') {
    push('ConcentratedDrift', report.attribution.concentratedFeatures.length > 0 ? 1 : 0, 'None');
    push('ConcentratedDriftFeatures', report.attribution.concentratedFeatures.length, 'Count');
  }
  for (const f of report.features) {
    if (f.attribution && f.attribution.callers.length > 0) {
      push('FeatureLeadingCallerShare', f.attribution.callers[0].share, 'None', { Feature: f.name });
    }
  }
  return out;
}
