/**
 * Names of the inference function's metrics that alarms are built on (MON-5). Free of runtime imports, so
 * the CDK code reads the same names the function publishes.
 */

/** One value per scored customer; its Average over a period is the mean predicted probability. */
export const PREDICTED_PROBABILITY_METRIC = 'PredictedProbability';
/** One per request that names a caller, with the caller label as the `Caller` dimension. */
export const CALLER_REQUESTS_METRIC = 'CallerRequests';
export const CALLER_DIMENSION = 'Caller';
