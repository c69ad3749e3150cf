import {
  environmentContract,
  integer,
  number,
  POWERTOOLS_VARIABLES,
  SHARED_VARIABLES,
  text,
} from '../shared/environment-contract';

/** The configured `monitoring.baselineFile`, bundled beside the handler under this name. */
export const BUNDLED_BASELINE_FILE = 'baseline.json';

/** Set by DriftMonitor, read by the drift-check handler at cold start. */
export const driftCheckEnvironment = environmentContract({
  ...POWERTOOLS_VARIABLES,
  dataBucket: text('DATA_BUCKET'),
  capturePrefix: SHARED_VARIABLES.capturePrefix,
  reportPrefix: text('REPORT_PREFIX'),
  lookbackHours: integer('LOOKBACK_HOURS'),
  reportKmsKeyId: text('REPORT_KMS_KEY_ID'),
  metricNamespace: SHARED_VARIABLES.metricNamespace,
  environmentName: text('ENVIRONMENT_NAME'),
  significanceLevel: number('SIGNIFICANCE_LEVEL'),
  psiThreshold: number('PSI_THRESHOLD'),
  /** MON-6: monitoring.concentratedDriftShare and concentratedDriftCallers. */
  minConcentratedShare: number('MIN_CONCENTRATED_SHARE'),
  maxConcentratedCallers: integer('MAX_CONCENTRATED_CALLERS'),
  taskRoot: SHARED_VARIABLES.taskRoot,
});
