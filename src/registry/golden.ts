import type { TreeEnsembleModel } from '../scorer';
import { RegistryError } from './errors';

/** Format tag of the provenance document `publish` stores beside the artifact (MODEL-6). */
export const PROVENANCE_FORMAT = 'churn-model-provenance';
export const PROVENANCE_VERSION = 1;

/**
 * Largest absolute difference between a served answer and the recorded prediction that still counts
 * as the same answer. XGBoost computes in float32 and containers print about 7 to 9 significant digits,
 * so honest answers differ by well under 1e-6; a wrong intercept or a mis-read split differs by far more
 * (a 3.1 model on the 1.7-1 image is off by up to 0.07).
 */
export const GOLDEN_TOLERANCE = 1e-5;

export interface GoldenSet {
  /** Where the rows came from: `--golden-rows <file>` or `baseline <file>`. */
  readonly source: string;
  readonly tolerance: number;
  /** Model vectors (model column order); null is a missing value, categories are codes. */
  readonly rows: (number | null)[][];
  /** The exact scorer's prediction per row (the objective's output: probability for binary:logistic). */
  readonly predictions: number[];
  /**
   * The same rows as the inference function takes them (embedded serving): one API record of feature
   * fields per row (no customer id; absent = missing), each encoding to exactly its row through the
   * feature specification below. Recorded when `publish` is given `--feature-spec`; a document without
   * them still serves SageMaker checks, and embedded checks refuse it. @default none
   */
  readonly records?: GoldenRecord[];
  /** The feature specification the records were written and checked with. @default none (no records) */
  readonly featureSpec?: { readonly name: string; readonly sha256: string };
}

/** One golden row as an API record: feature field to number (numeric) or string (category). */
export type GoldenRecord = Readonly<Record<string, number | string>>;

function isGoldenRecord(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))
  );
}

/** What `publish` records about a model: read from the artifact itself, not from the publisher's word. */
export interface ModelProvenance {
  readonly format: typeof PROVENANCE_FORMAT;
  readonly version: typeof PROVENANCE_VERSION;
  readonly artifactSha256: string;
  /** The model file inside the artifact. */
  readonly modelFile: string;
  readonly modelSha256: string;
  readonly xgboostVersion: string;
  readonly booster: string;
  readonly objective: string;
  readonly featureNames: string[];
  readonly featureTypes: string[];
  readonly golden: GoldenSet;
}

/** Validates a stored provenance document (read back by the deploy-time check and `verify`). */
export function parseProvenance(text: string, source: string): ModelProvenance {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new RegistryError('invalidPackage', `${source} is not valid JSON: ${(error as Error).message}`);
  }
  const o = doc as Partial<ModelProvenance> | null;
  const golden = o?.golden;
  if (
    o === null ||
    typeof o !== 'object' ||
    o.format !== PROVENANCE_FORMAT ||
    o.version !== PROVENANCE_VERSION ||
    typeof o.xgboostVersion !== 'string' ||
    !Array.isArray(o.featureNames) ||
    !golden ||
    !Array.isArray(golden.rows) ||
    !Array.isArray(golden.predictions) ||
    golden.rows.length !== golden.predictions.length ||
    golden.rows.length === 0 ||
    typeof golden.tolerance !== 'number' ||
    !golden.rows.every(
      (r) =>
        Array.isArray(r) &&
        r.length === (o.featureNames as string[]).length &&
        r.every((v) => v === null || Number.isFinite(v)),
    ) ||
    !golden.predictions.every((p) => Number.isFinite(p)) ||
    (golden.records !== undefined &&
      (!Array.isArray(golden.records) ||
        golden.records.length !== golden.rows.length ||
        !golden.records.every(isGoldenRecord) ||
        typeof golden.featureSpec?.name !== 'string' ||
        typeof golden.featureSpec.sha256 !== 'string'))
  ) {
    throw new RegistryError(
      'invalidPackage',
      `${source} is not a ${PROVENANCE_FORMAT} v${PROVENANCE_VERSION} document with golden rows matching its feature names (and, when it has records, one record per row and the specification they were written with)`,
    );
  }
  return o as ModelProvenance;
}

/** The first golden row whose answer differs beyond the tolerance, or undefined when all agree. */
export function firstDifference(
  provenance: { readonly golden: Pick<GoldenSet, 'predictions' | 'tolerance'> },
  answers: readonly number[],
):
  | { row: number; expected: number; actual: number }
  | { row: number; expected: number; actual: undefined }
  | undefined {
  const { predictions, tolerance } = provenance.golden;
  for (let i = 0; i < predictions.length; i++) {
    const actual = answers[i];
    if (actual === undefined || !Number.isFinite(actual))
      return { row: i + 1, expected: predictions[i], actual: undefined };
    if (Math.abs(actual - predictions[i]) > tolerance)
      return { row: i + 1, expected: predictions[i], actual };
  }
  if (answers.length > predictions.length) {
    return { row: predictions.length + 1, expected: NaN, actual: answers[predictions.length] };
  }
  return undefined;
}

/**
 * Where `publish` stores a version's provenance: beside its artifact, `<artifact key>.provenance.json`,
 * so the deploy-time check finds it from the artifact URL alone and IAM can grant exactly the two objects.
 */
export const PROVENANCE_SUFFIX = '.provenance.json';

export function provenanceLocation(artifactUrlOrKey: string): string {
  return `${artifactUrlOrKey}${PROVENANCE_SUFFIX}`;
}

/** The golden rows as the CSV body SageMaker's XGBoost container takes (empty field = missing). */
export function goldenCsv(provenance: Pick<ModelProvenance, 'golden'>): string {
  return provenance.golden.rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(',')).join('\n');
}

/**
 * Checks that a provenance document belongs to the artifact and that its recorded predictions are what
 * the exact scorer answers for its rows; a document that fails either is not evidence of anything.
 */
export function checkProvenanceAgainstModel(
  provenance: ModelProvenance,
  artifactSha256: string,
  model: TreeEnsembleModel,
  where: string,
): void {
  if (provenance.artifactSha256 !== artifactSha256) {
    throw new RegistryError(
      'digestMismatch',
      `${where} records artifact ${provenance.artifactSha256}, not ${artifactSha256}; it is not this version's provenance`,
    );
  }
  if (provenance.featureNames.length !== model.numFeatures) {
    throw new RegistryError(
      'digestMismatch',
      `${where} has ${provenance.featureNames.length} feature names; the model has ${model.numFeatures} columns`,
    );
  }
  const rows = new Float32Array(provenance.golden.rows.flatMap((r) => r.map((v) => (v === null ? NaN : v))));
  const differs = firstDifference(provenance, Array.from(model.predictBatch(rows)));
  if (differs !== undefined) {
    throw new RegistryError(
      'digestMismatch',
      `${where}: golden row ${differs.row} records prediction ${differs.expected}, but the exact scorer answers ` +
        `${differs.actual ?? 'nothing'} for it on this artifact; the document or the scorer changed since publish`,
    );
  }
}
