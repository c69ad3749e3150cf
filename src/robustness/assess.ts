import { createHash } from 'node:crypto';
import type { FeatureSpec, RawRecord } from '../features';
import type { TreeEnsembleModel } from '../scorer';
import { boundsBehaviour, type BoundsResult } from './bounds';
import { buildContext } from './context';
import { extractionEffort, type ExtractionOptions, type ExtractionResult } from './extraction';
import { monotonicity, type MonotonicityResult } from './monotonicity';
import { perturbationStability, type PerturbationResult } from './perturbation';
import type { AssessmentSummary } from './thresholds';

export const ASSESSMENT_KIND = 'churn-robustness-assessment';
export const ASSESSMENT_VERSION = 1;

/**
 * The API's default high-risk threshold (`api.riskThresholds.high`): decisions are measured here unless
 * the environment decides elsewhere, in which case assess with its threshold.
 */
export const DEFAULT_DECISION_THRESHOLD = 0.7;

export interface AssessmentSettings {
  /** A probability at or above it is a positive decision. @default 0.7 */
  readonly threshold: number;
  /** Perturbation step, in standard deviations of each feature over the rows. @default 0.1 */
  readonly relativeStep: number;
  /** Grid points per monotone feature. @default 50 */
  readonly gridPoints: number;
  /** Rows the bounds probes are built from. @default 200 */
  readonly boundsRows: number;
  readonly extraction: ExtractionOptions;
}

export const DEFAULT_SETTINGS: AssessmentSettings = {
  threshold: DEFAULT_DECISION_THRESHOLD,
  relativeStep: 0.1,
  gridPoints: 50,
  boundsRows: 200,
  extraction: { targetAgreement: 0.9, startQueries: 64, maxQueries: 65536, seed: 1 },
};

export interface AssessmentInput {
  readonly model: TreeEnsembleModel;
  readonly spec: FeatureSpec;
  readonly records: readonly RawRecord[];
  /** SHA-256 of the artifact file the model was read from (what publish uploads). */
  readonly artifactSha256: string;
  /** Where the inputs came from, recorded as given. */
  readonly sources: {
    readonly artifact: string;
    readonly spec: string;
    readonly specSha256: string;
    readonly rows: string;
    readonly rowsSha256: string;
  };
  readonly settings?: Partial<Omit<AssessmentSettings, 'extraction'>> & {
    readonly extraction?: Partial<ExtractionOptions>;
  };
  /** @default now */
  readonly assessedAt?: string;
}

/** Everything measured; `summary` is derived from it and its digest ties the two together. */
export interface AssessmentDetails {
  readonly assessedAt: string;
  readonly model: {
    readonly artifact: string;
    readonly artifactSha256: string;
    readonly modelSha256: string | null;
    readonly objective: string;
    readonly xgboostVersion: string;
    readonly trees: number;
  };
  readonly spec: { readonly path: string; readonly sha256: string; readonly name: string };
  readonly rows: {
    readonly path: string;
    readonly sha256: string;
    readonly read: number;
    readonly assessed: number;
    readonly rejected: number;
    readonly firstRejections: readonly { readonly row: number; readonly message: string }[];
  };
  readonly settings: AssessmentSettings;
  readonly perturbation: PerturbationResult;
  readonly monotonicity: MonotonicityResult;
  readonly bounds: BoundsResult;
  readonly extraction: ExtractionResult;
}

export interface RobustnessAssessment {
  readonly kind: typeof ASSESSMENT_KIND;
  readonly version: typeof ASSESSMENT_VERSION;
  readonly summary: AssessmentSummary;
  readonly details: AssessmentDetails;
}

function resolveSettings(given: AssessmentInput['settings']): AssessmentSettings {
  const settings = {
    ...DEFAULT_SETTINGS,
    ...given,
    extraction: { ...DEFAULT_SETTINGS.extraction, ...given?.extraction },
  };
  if (!(settings.relativeStep > 0))
    throw new RangeError(`the perturbation step must be positive, got ${settings.relativeStep}`);
  if (!(Number.isInteger(settings.gridPoints) && settings.gridPoints >= 2)) {
    throw new RangeError(`the monotonicity grid needs at least 2 points, got ${settings.gridPoints}`);
  }
  if (!(Number.isInteger(settings.boundsRows) && settings.boundsRows >= 1)) {
    throw new RangeError(`the bounds probes need at least 1 row, got ${settings.boundsRows}`);
  }
  return settings;
}

/** The digest recorded as `reportSha256`: SHA-256 of the details as `JSON.stringify` writes them. */
export function detailsSha256(details: AssessmentDetails): string {
  return createHash('sha256').update(JSON.stringify(details)).digest('hex');
}

/** The recorded figures, derived from the details (never edited on their own). */
export function summarise(details: AssessmentDetails): AssessmentSummary {
  return {
    artifactSha256: details.model.artifactSha256,
    decisionThreshold: details.settings.threshold,
    rows: details.rows.assessed,
    maxFlipRate: details.perturbation.maxFlipRate,
    maxFlipFeature: details.perturbation.maxFlipFeature,
    maxProbabilityChange: details.perturbation.maxProbabilityChange,
    monotonicityViolations: details.monotonicity.violations,
    monotonicityPairs: details.monotonicity.pairs,
    invalidOutputs: details.bounds.invalidOutputs,
    validationGaps: details.bounds.validationGaps,
    extractionQueries: details.extraction.queries,
    extractionReached: details.extraction.reached,
    reportSha256: detailsSha256(details),
    assessedAt: details.assessedAt,
  };
}

/**
 * Measures a model's robustness on real rows (MODEL-7): perturbation stability of every numeric feature,
 * declared monotonicity, behaviour at and beyond the specification's bounds and with missing values, and
 * a coarse model-extraction effort. Deterministic for the same inputs, settings and seed.
 */
export function assessRobustness(input: AssessmentInput): RobustnessAssessment {
  const settings = resolveSettings(input.settings);
  const { context, rejected } = buildContext(input.model, input.spec, input.records, settings.threshold);
  const details: AssessmentDetails = {
    assessedAt: input.assessedAt ?? new Date().toISOString(),
    model: {
      artifact: input.sources.artifact,
      artifactSha256: input.artifactSha256.toLowerCase(),
      modelSha256: input.model.sha256 ?? null,
      objective: input.model.objective,
      xgboostVersion: input.model.xgboostVersion,
      trees: input.model.numTrees,
    },
    spec: { path: input.sources.spec, sha256: input.sources.specSha256, name: input.spec.name },
    rows: {
      path: input.sources.rows,
      sha256: input.sources.rowsSha256,
      read: input.records.length,
      assessed: context.vectors.length,
      rejected: rejected.length,
      firstRejections: rejected.slice(0, 10),
    },
    settings,
    perturbation: perturbationStability(context, settings.relativeStep),
    monotonicity: monotonicity(context, settings.gridPoints),
    bounds: boundsBehaviour(context, settings.boundsRows),
    extraction: extractionEffort(context, settings.extraction),
  };
  return { kind: ASSESSMENT_KIND, version: ASSESSMENT_VERSION, summary: summarise(details), details };
}

/**
 * Reads an assessment file back and re-derives its summary from the details, so a figure edited in the
 * summary alone is refused. Throws an Error naming what is wrong.
 */
export function parseAssessment(text: string, source: string): RobustnessAssessment {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const doc = document as Partial<RobustnessAssessment> | null;
  if (typeof doc !== 'object' || doc === null || doc.kind !== ASSESSMENT_KIND) {
    throw new Error(
      `${source} is not a robustness assessment (kind '${ASSESSMENT_KIND}'); make one with npm run model -- assess`,
    );
  }
  if (doc.version !== ASSESSMENT_VERSION) {
    throw new Error(
      `${source} has assessment version ${String(doc.version)}; this code reads version ${ASSESSMENT_VERSION}`,
    );
  }
  const details = doc.details as AssessmentDetails | undefined;
  let derived: AssessmentSummary;
  try {
    derived = summarise(details as AssessmentDetails);
  } catch {
    throw new Error(`${source} has no complete details block`);
  }
  if (JSON.stringify(derived) !== JSON.stringify(doc.summary)) {
    throw new Error(
      `${source}: the summary does not match the details it should be derived from (edited by hand?)`,
    );
  }
  return {
    kind: ASSESSMENT_KIND,
    version: ASSESSMENT_VERSION,
    summary: derived,
    details: details as AssessmentDetails,
  };
}
