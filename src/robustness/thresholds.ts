/**
 * What a promotion requires of a model's robustness assessment (MODEL-7), and the check the model gate
 * and `npm run model -- assess` both run. Free of heavy imports: the gate function bundles it.
 */

/** The figures of an assessment that the registry records and the gate reads back. */
export interface AssessmentSummary {
  /** SHA-256 of the artifact that was assessed (the bytes `publish` uploads). */
  readonly artifactSha256: string;
  /** The decision threshold the figures were measured at. */
  readonly decisionThreshold: number;
  readonly rows: number;
  /** Largest per-feature share of rows whose decision flips under the small perturbation. */
  readonly maxFlipRate: number;
  readonly maxFlipFeature: string;
  readonly maxProbabilityChange: number;
  readonly monotonicityViolations: number;
  readonly monotonicityPairs: number;
  /** NaN, infinite or out-of-[0, 1] scores in the bounds and missing-value probes. */
  readonly invalidOutputs: number;
  /** Inputs outside the specification that the encoder accepted. */
  readonly validationGaps: number;
  /** Queries the surrogate needed; when `extractionReached` is false, more than this. */
  readonly extractionQueries: number;
  readonly extractionReached: boolean;
  /** SHA-256 of the full JSON report, so the recorded figures can be traced to it. */
  readonly reportSha256: string;
  readonly assessedAt: string;
}

/** An environment's requirements. Invalid outputs and validation gaps must always be 0. */
export interface RobustnessThresholds {
  /** 'refuse' stops a promotion that misses a threshold or has no assessment; 'warn' only reports it. */
  readonly enforcement: 'refuse' | 'warn';
  /** Largest acceptable per-feature decision flip rate, in [0, 1]. */
  readonly maxDecisionFlipRate: number;
  /** Largest acceptable probability change under the perturbation. @default not checked */
  readonly maxProbabilityChange?: number;
  /** Monotonicity violations allowed on the grid. */
  readonly maxMonotonicityViolations: number;
  /** Fewest surrogate queries acceptable: a model copied with fewer is too easy to extract. @default not checked */
  readonly minExtractionQueries?: number;
}

/** What the check expects of the assessment besides the thresholds. */
export interface AssessmentExpectation {
  /** The artifact being promoted: an assessment of other bytes does not count. */
  readonly artifactSha256: string;
  /** The environment's decision threshold (api.riskThresholds.high): figures at another one do not count. */
  readonly decisionThreshold: number;
}

/**
 * Every way `summary` falls short of `thresholds` (empty: it meets them all). An absent summary is one
 * problem, so a version without an assessment never passes silently.
 */
export function assessmentProblems(
  summary: AssessmentSummary | undefined,
  thresholds: RobustnessThresholds,
  expected: AssessmentExpectation,
): string[] {
  if (!summary) {
    return [
      "has no robustness assessment; record one with 'npm run model -- assess' and publish or approve --assessment",
    ];
  }
  const problems: string[] = [];
  if (summary.artifactSha256 !== expected.artifactSha256.toLowerCase()) {
    problems.push(
      `its robustness assessment is of artifact ${summary.artifactSha256.slice(0, 12)}..., not of this version's ${expected.artifactSha256.slice(0, 12)}...`,
    );
  }
  if (Math.abs(summary.decisionThreshold - expected.decisionThreshold) > 1e-9) {
    problems.push(
      `its robustness assessment was measured at decision threshold ${summary.decisionThreshold}, but this environment decides at ${expected.decisionThreshold}; assess again with --threshold ${expected.decisionThreshold}`,
    );
  }
  if (summary.invalidOutputs > 0) {
    problems.push(
      `${summary.invalidOutputs} bound or missing-value probes scored NaN, Infinity or outside [0, 1]`,
    );
  }
  if (summary.validationGaps > 0) {
    problems.push(`${summary.validationGaps} inputs outside the feature specification were accepted`);
  }
  if (summary.maxFlipRate > thresholds.maxDecisionFlipRate) {
    problems.push(
      `decision flip rate ${summary.maxFlipRate} (${summary.maxFlipFeature}) is above the allowed ${thresholds.maxDecisionFlipRate}`,
    );
  }
  if (
    thresholds.maxProbabilityChange !== undefined &&
    summary.maxProbabilityChange > thresholds.maxProbabilityChange
  ) {
    problems.push(
      `largest probability change ${summary.maxProbabilityChange} is above the allowed ${thresholds.maxProbabilityChange}`,
    );
  }
  if (summary.monotonicityViolations > thresholds.maxMonotonicityViolations) {
    problems.push(
      `${summary.monotonicityViolations} monotonicity violations (of ${summary.monotonicityPairs} grid pairs) exceed the allowed ${thresholds.maxMonotonicityViolations}`,
    );
  }
  if (
    thresholds.minExtractionQueries !== undefined &&
    summary.extractionReached &&
    summary.extractionQueries < thresholds.minExtractionQueries
  ) {
    problems.push(
      `a surrogate reproduced its decisions with ${summary.extractionQueries} queries, fewer than the required ${thresholds.minExtractionQueries}`,
    );
  }
  return problems;
}
