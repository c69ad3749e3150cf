import { environmentContract, optional, POWERTOOLS_VARIABLES, text } from '../shared/environment-contract';

/** Set by MacieScanning (and, for the region, by Lambda), read by the macie-job handler at cold start. */
export const macieJobEnvironment = environmentContract({
  ...POWERTOOLS_VARIABLES,
  /** Lambda's own: the function's region, which Macie's job ARN names. */
  region: optional(text('AWS_REGION')),
});
