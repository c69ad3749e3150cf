import {
  environmentContract,
  POWERTOOLS_VARIABLES,
  SHARED_VARIABLES,
  text,
} from '../shared/environment-contract';

/** Metrics the check publishes and the construct's alarm watches. */
export const MFA_DELETE_METRIC = 'MfaDeleteEnabled';
export const VERSIONING_METRIC = 'VersioningEnabled';

/** Set by MfaDeleteCheck, read by the mfa-delete-check handler at cold start. */
export const mfaDeleteCheckEnvironment = environmentContract({
  ...POWERTOOLS_VARIABLES,
  bucketName: text('BUCKET_NAME'),
  metricNamespace: SHARED_VARIABLES.metricNamespace,
});
