import type { AssessmentSummary } from './thresholds';

/**
 * The model-package metadata keys of a robustness assessment (at most 256 characters per value, of
 * letters, digits, spaces and `_ . : / = + - @`). Changing a key makes recorded assessments unreadable.
 */
export const ASSESSMENT_METADATA_KEYS = {
  version: 'robustness-version',
  artifactSha256: 'robustness-artifact-sha256',
  decisionThreshold: 'robustness-decision-threshold',
  rows: 'robustness-rows',
  maxFlipRate: 'robustness-max-flip-rate',
  maxFlipFeature: 'robustness-max-flip-feature',
  maxProbabilityChange: 'robustness-max-probability-change',
  monotonicityViolations: 'robustness-monotonicity-violations',
  monotonicityPairs: 'robustness-monotonicity-pairs',
  invalidOutputs: 'robustness-invalid-outputs',
  validationGaps: 'robustness-validation-gaps',
  extractionQueries: 'robustness-extraction-queries',
  reportSha256: 'robustness-report-sha256',
  assessedAt: 'robustness-assessed-at',
} as const;

const FORMAT_VERSION = '1';

/** A feature name within SageMaker's metadata alphabet and length (it is informational only). */
function metadataSafe(name: string): string {
  return name.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

/** The summary as customer metadata. The extraction figure reads "N+" when N queries did not suffice. */
export function assessmentMetadata(summary: AssessmentSummary): Record<string, string> {
  const k = ASSESSMENT_METADATA_KEYS;
  return {
    [k.version]: FORMAT_VERSION,
    [k.artifactSha256]: summary.artifactSha256,
    [k.decisionThreshold]: String(summary.decisionThreshold),
    [k.rows]: String(summary.rows),
    [k.maxFlipRate]: String(summary.maxFlipRate),
    // An empty value is not allowed; '-' says no feature flipped.
    [k.maxFlipFeature]: summary.maxFlipFeature === '' ? '-' : metadataSafe(summary.maxFlipFeature),
    [k.maxProbabilityChange]: String(summary.maxProbabilityChange),
    [k.monotonicityViolations]: String(summary.monotonicityViolations),
    [k.monotonicityPairs]: String(summary.monotonicityPairs),
    [k.invalidOutputs]: String(summary.invalidOutputs),
    [k.validationGaps]: String(summary.validationGaps),
    [k.extractionQueries]: `${summary.extractionQueries}${summary.extractionReached ? '' : '+'}`,
    [k.reportSha256]: summary.reportSha256,
    [k.assessedAt]: summary.assessedAt,
  };
}

/**
 * Reads an assessment back from customer metadata. Undefined when none was recorded; an error naming the
 * key when one was recorded but a value is missing or malformed (a hand-edited entry must not pass).
 */
export function readAssessmentMetadata(
  properties: Readonly<Record<string, string>> | undefined,
): AssessmentSummary | undefined {
  const props = properties ?? {};
  const k = ASSESSMENT_METADATA_KEYS;
  if (props[k.version] === undefined) return undefined;
  if (props[k.version] !== FORMAT_VERSION) {
    throw new Error(
      `metadata ${k.version} is '${props[k.version]}'; this code reads version ${FORMAT_VERSION}`,
    );
  }
  const text = (key: string): string => {
    const value = props[key];
    if (value === undefined || value.trim() === '') throw new Error(`metadata ${key} is missing`);
    return value.trim();
  };
  const number = (key: string, integer = false): number => {
    const value = Number(text(key));
    if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
      throw new Error(
        `metadata ${key} is '${props[key]}', not a ${integer ? 'whole ' : ''}non-negative number`,
      );
    }
    return value;
  };
  const sha = (key: string): string => {
    const value = text(key).toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(value)) throw new Error(`metadata ${key} is not a SHA-256`);
    return value;
  };
  const extraction = text(k.extractionQueries);
  const reached = !extraction.endsWith('+');
  const queries = Number(reached ? extraction : extraction.slice(0, -1));
  if (!Number.isInteger(queries) || queries < 0) {
    throw new Error(
      `metadata ${k.extractionQueries} is '${extraction}', not a query count (N, or N+ when N did not suffice)`,
    );
  }
  const feature = text(k.maxFlipFeature);
  return {
    artifactSha256: sha(k.artifactSha256),
    decisionThreshold: number(k.decisionThreshold),
    rows: number(k.rows, true),
    maxFlipRate: number(k.maxFlipRate),
    maxFlipFeature: feature === '-' ? '' : feature,
    maxProbabilityChange: number(k.maxProbabilityChange),
    monotonicityViolations: number(k.monotonicityViolations, true),
    monotonicityPairs: number(k.monotonicityPairs, true),
    invalidOutputs: number(k.invalidOutputs, true),
    validationGaps: number(k.validationGaps, true),
    extractionQueries: queries,
    extractionReached: reached,
    reportSha256: sha(k.reportSha256),
    assessedAt: text(k.assessedAt),
  };
}
