import {
  environmentContract,
  integer,
  number,
  oneOf,
  optional,
  POWERTOOLS_VARIABLES,
  SHARED_VARIABLES,
  text,
} from '../shared/environment-contract';

/** The configured `serving.featureSpecFile`, bundled beside the handler under this name. */
export const BUNDLED_FEATURE_SPEC_FILE = 'feature-spec.json';

/** Set by InferenceFunction, read by the inference handler at cold start. */
export const inferenceEnvironment = environmentContract({
  ...POWERTOOLS_VARIABLES,
  servingMode: oneOf('SERVING_MODE', ['embedded', 'sagemaker']),
  pseudonymKeyId: text('PSEUDONYM_KEY_ID'),
  modelVersion: text('MODEL_VERSION'),
  /** The served artifact and its digest: needed in embedded mode; in sagemaker mode they add explanations. */
  modelDataUrl: optional(text('MODEL_DATA_URL')),
  modelSha256: optional(text('MODEL_SHA256')),
  maxBodyBytes: integer('MAX_BODY_BYTES'),
  riskHigh: number('RISK_HIGH'),
  riskMedium: number('RISK_MEDIUM'),
  /** REL-1: the function's remaining time kept to format the answer (configuration: api.inference). */
  deadlineMarginMs: integer('DEADLINE_MARGIN_MS'),
  pseudonymCacheSize: integer('PSEUDONYM_CACHE_SIZE'),
  pseudonymCacheTtlSeconds: integer('PSEUDONYM_CACHE_TTL_SECONDS'),
  kmsConcurrency: integer('KMS_CONCURRENCY'),
  /** sagemaker mode only. */
  endpointName: optional(SHARED_VARIABLES.endpointName),
  /** embedded mode only: where capture records go; the other capture variables come with it. */
  captureBucket: optional(text('CAPTURE_BUCKET')),
  capturePrefix: optional(SHARED_VARIABLES.capturePrefix),
  captureSource: optional(text('CAPTURE_SOURCE')),
  capturePercent: optional(integer('CAPTURE_PERCENT')),
  /** REL-2: the longest an answer waits for its capture write, and the records kept for retry. */
  captureWaitMs: optional(integer('CAPTURE_WAIT_MS')),
  captureMaxParkedRecords: optional(integer('CAPTURE_MAX_PARKED_RECORDS')),
  taskRoot: SHARED_VARIABLES.taskRoot,
  /** Tests and the bench only, where there is no bundle: the files the construct bundles. */
  featureSpecPath: optional(text('FEATURE_SPEC_PATH')),
  requestValidatorPath: optional(text('REQUEST_VALIDATOR_PATH')),
});
