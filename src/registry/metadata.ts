import { type Sha256Hex } from '../integrity/digest';
import { assessmentMetadata, readAssessmentMetadata } from '../robustness/metadata';
import type { AssessmentSummary } from '../robustness/thresholds';
import { RegistryError } from './errors';

/**
 * SageMaker's limits on CustomerMetadataProperties (AWS::SageMaker::ModelPackage resource schema):
 * at most 50 entries, keys 1-128 and values 1-256 characters, both limited to Unicode letters,
 * separators and numbers plus `_ . : / = + - @`. Checking them here turns a late ValidationException
 * from CreateModelPackage into an error that names the offending field before anything is uploaded.
 */
export const METADATA_LIMITS = { maxEntries: 50, maxKeyLength: 128, maxValueLength: 256 } as const;
const METADATA_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** The keys `publish` records and the deploy-time gate reads back. Changing one breaks old versions. */
export const METADATA_KEYS = {
  artifactSha256: 'artifact-sha256',
  artifactS3VersionId: 'artifact-s3-version-id',
  sourceCommit: 'source-commit',
  trainingDataVersion: 'training-data-version',
  /** Read from the model inside the artifact at publish (MODEL-6). */
  xgboostVersion: 'xgboost-version',
  objective: 'model-objective',
  /** SHA-256 of the provenance document (golden set) stored beside the artifact (MODEL-6). */
  provenanceSha256: 'provenance-sha256',
  metricPrefix: 'metric-',
} as const;

/** The four metrics every published version must carry, all in [0, 1]. */
export const REQUIRED_METRICS = ['auc', 'precision', 'recall', 'f1'] as const;
export type RequiredMetric = (typeof REQUIRED_METRICS)[number];
export type ModelMetricsValues = Record<RequiredMetric, number> & Readonly<Record<string, number>>;

export function checkMetadataValue(field: string, value: string): string {
  if (value.length === 0) throw new RegistryError('usage', `${field} must not be empty`);
  if (value.length > METADATA_LIMITS.maxValueLength) {
    throw new RegistryError(
      'usage',
      `${field} is ${value.length} characters; SageMaker metadata values may have at most ${METADATA_LIMITS.maxValueLength}`,
    );
  }
  if (!METADATA_CHARS.test(value)) {
    throw new RegistryError(
      'usage',
      `${field} '${value}' contains characters SageMaker metadata does not allow; ` +
        'use letters, digits, spaces and _ . : / = + - @',
    );
  }
  return value;
}

export function checkMetadataKey(key: string): string {
  if (key.length === 0 || key.length > METADATA_LIMITS.maxKeyLength || !METADATA_CHARS.test(key)) {
    throw new RegistryError(
      'usage',
      `metadata key '${key}' must be 1-${METADATA_LIMITS.maxKeyLength} characters of letters, digits, spaces and _ . : / = + - @`,
    );
  }
  return key;
}

/** A git commit id: 7 to 40 (SHA-1) or 64 (SHA-256 repositories) lower-case hex characters. */
export function checkCommit(commit: string): string {
  const value = commit.trim().toLowerCase();
  if (!/^[0-9a-f]{7,40}$/.test(value) && !/^[0-9a-f]{64}$/.test(value)) {
    throw new RegistryError('usage', `--commit '${commit}' is not a git commit id (7-40 hex characters)`);
  }
  return value;
}

/** Parses the trainer's metrics file: a JSON object with auc, precision, recall and f1 in [0, 1]. */
export function parseMetrics(json: string, source: string): ModelMetricsValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new RegistryError('usage', `${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RegistryError(
      'usage',
      `${source} must hold a JSON object like {"auc":0.91,"precision":0.8,...}`,
    );
  }
  const record = parsed as Record<string, unknown>;
  const metrics: Record<string, number> = {};
  for (const name of REQUIRED_METRICS) {
    if (!(name in record)) throw new RegistryError('usage', `${source} has no '${name}' metric`);
  }
  for (const [name, value] of Object.entries(record)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RegistryError(
        'usage',
        `${source}: metric '${name}' must be a finite number, got ${JSON.stringify(value)}`,
      );
    }
    if ((REQUIRED_METRICS as readonly string[]).includes(name) && (value < 0 || value > 1)) {
      throw new RegistryError('usage', `${source}: metric '${name}' must be between 0 and 1, got ${value}`);
    }
    checkMetadataKey(`${METADATA_KEYS.metricPrefix}${name}`);
    metrics[name] = value;
  }
  return metrics as ModelMetricsValues;
}

export interface PublishedMetadata {
  readonly artifactSha256: Sha256Hex;
  readonly artifactS3VersionId: string;
  readonly sourceCommit: string;
  readonly trainingDataVersion: string;
  readonly metrics: ModelMetricsValues;
  /** The robustness assessment of this artifact (MODEL-7), when one is recorded at publish time. */
  readonly assessment?: AssessmentSummary;
}

/** Refuses an assessment made of other bytes than the artifact it is to be recorded with. */
export function checkAssessmentArtifact(
  assessment: AssessmentSummary,
  artifactSha256: string,
  what: string,
): void {
  if (assessment.artifactSha256 !== artifactSha256.toLowerCase()) {
    throw new RegistryError(
      'digestMismatch',
      `the assessment is of an artifact with SHA-256 ${assessment.artifactSha256}, but ${what} has ${artifactSha256}; ` +
        'assess the artifact you publish',
    );
  }
}

/** Checks every assessment entry against SageMaker's metadata alphabet and limits. */
export function assessmentCustomerMetadata(summary: AssessmentSummary): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(assessmentMetadata(summary))) {
    properties[checkMetadataKey(key)] = checkMetadataValue(`assessment ${key}`, value);
  }
  return properties;
}

export function buildCustomerMetadata(meta: PublishedMetadata): Record<string, string> {
  const properties: Record<string, string> = {
    [METADATA_KEYS.artifactSha256]: meta.artifactSha256,
    [METADATA_KEYS.artifactS3VersionId]: checkMetadataValue('S3 version id', meta.artifactS3VersionId),
    [METADATA_KEYS.sourceCommit]: checkMetadataValue('--commit', meta.sourceCommit),
    [METADATA_KEYS.trainingDataVersion]: checkMetadataValue('--data-version', meta.trainingDataVersion),
    ...(meta.assessment ? assessmentCustomerMetadata(meta.assessment) : {}),
  };
  // The fixed entries (with the assessment's), plus two model entries publish adds (xgboost-version, model-objective).
  const fixed = Object.keys(properties).length + 2;
  for (const [name, value] of Object.entries(meta.metrics)) {
    // String(number) never uses characters outside the allowed set (digits, '.', '-', 'e', '+').
    properties[checkMetadataKey(`${METADATA_KEYS.metricPrefix}${name}`)] = String(value);
  }
  const count = Object.keys(properties).length + 2;
  if (count > METADATA_LIMITS.maxEntries) {
    throw new RegistryError(
      'usage',
      `the metrics file gives ${count - fixed} metrics; SageMaker keeps at most ${METADATA_LIMITS.maxEntries} metadata ` +
        `entries and ${fixed} are taken${meta.assessment ? ' (with the robustness assessment)' : ''}, so at most ` +
        `${METADATA_LIMITS.maxEntries - fixed} metrics fit`,
    );
  }
  return properties;
}

/** What a registered version recorded at publish time; fields are absent when it was not published by us. */
export interface RecordedMetadata {
  /** As recorded, lower-cased; the gate's assertDigest rejects a malformed value with its own message. */
  readonly artifactSha256?: string;
  readonly artifactS3VersionId?: string;
  readonly sourceCommit?: string;
  readonly trainingDataVersion?: string;
  readonly metrics: Readonly<Record<string, number>>;
  /** The recorded robustness assessment (MODEL-7); absent when none was recorded. */
  readonly assessment?: AssessmentSummary;
  /** Why a recorded assessment could not be read (a malformed or hand-edited entry). */
  readonly assessmentError?: string;
  /** Every metadata key the version holds (SageMaker keeps at most 50). */
  readonly keys: readonly string[];
}

export function readCustomerMetadata(properties: Record<string, string> | undefined): RecordedMetadata {
  const props = properties ?? {};
  const metrics: Record<string, number> = {};
  for (const [key, raw] of Object.entries(props)) {
    if (!key.startsWith(METADATA_KEYS.metricPrefix)) continue;
    const value = Number(raw);
    if (raw.trim() !== '' && Number.isFinite(value))
      metrics[key.slice(METADATA_KEYS.metricPrefix.length)] = value;
  }
  let assessment: AssessmentSummary | undefined;
  let assessmentError: string | undefined;
  try {
    assessment = readAssessmentMetadata(props);
  } catch (error) {
    assessmentError = (error as Error).message;
  }
  return {
    ...(assessment ? { assessment } : {}),
    ...(assessmentError ? { assessmentError } : {}),
    keys: Object.keys(props),
    artifactSha256: props[METADATA_KEYS.artifactSha256]?.trim().toLowerCase(),
    artifactS3VersionId: props[METADATA_KEYS.artifactS3VersionId],
    sourceCommit: props[METADATA_KEYS.sourceCommit],
    trainingDataVersion: props[METADATA_KEYS.trainingDataVersion],
    metrics,
  };
}
