/**
 * Mapping of dependency failures (KMS, SageMaker runtime, S3) to HTTP answers. The caller learns what to
 * do (retry later, slow down, contact the operator) and nothing about the internals: no endpoint names,
 * ARNs, key ids or SDK messages cross the API boundary; the log keeps the error name for operators.
 */

export type ErrorCode =
  | 'InvalidRequest'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'Throttled'
  | 'ScoringUnavailable'
  | 'NoModelDeployed'
  | 'ScoringTimeout'
  | 'ScoringFailed'
  | 'InternalError';

export interface PublicError {
  readonly status: 429 | 500 | 502 | 503;
  readonly code: ErrorCode;
  readonly message: string;
  /** Seconds the client should wait before retrying, for 429 and 503. */
  readonly retryAfterSeconds?: number;
}

export type Dependency = 'pseudonymisation' | 'scoring' | 'model';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'SlowDown',
]);
const TIMEOUT = new Set([
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
  // The request's own deadline (lambda/inference/deadline.ts).
  'DeadlineExceeded',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNRESET', 'ESOCKETTIMEDOUT', 'ECONNREFUSED', 'EPIPE']);
const UNAVAILABLE = new Set([
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ModelNotReadyException',
  'InternalDependencyException',
  'InternalFailure',
  'InternalFailureException',
  'KMSInternalException',
  'DependencyTimeoutException',
]);

/**
 * The environment serves no model yet: no version of its registry has been approved and deployed (the
 * first deploy of a new account). Not the caller's fault and not a failure of a dependency; it lasts until
 * an operator approves a version and deploys again.
 */
export const NO_MODEL_DEPLOYED: PublicError = {
  status: 503,
  code: 'NoModelDeployed',
  message: 'no model version has been approved and deployed in this environment yet',
  retryAfterSeconds: 300,
};

/** The SDK's name for the failure, safe to log (it carries no request data). */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'NonError';
}

export function publicError(error: unknown, dependency: Dependency): PublicError {
  const name = errorName(error);
  const code = (error as { code?: unknown } | null)?.code;
  const httpStatus = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const what = dependency === 'pseudonymisation' ? 'the pseudonymisation service' : 'the scoring service';
  if (THROTTLING.has(name) || httpStatus === 429) {
    return {
      status: 429,
      code: 'Throttled',
      message: `${what} is busy; retry with exponential backoff`,
      retryAfterSeconds: 1,
    };
  }
  if (TIMEOUT.has(name) || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return {
      status: 503,
      code: 'ScoringTimeout',
      message: `${what} did not answer in time; retry later`,
      retryAfterSeconds: 2,
    };
  }
  if (dependency === 'model') {
    return {
      status: 503,
      code: 'ScoringUnavailable',
      message: 'the model is not available; retry later',
      retryAfterSeconds: 5,
    };
  }
  // SageMaker answers ValidationException both for bad input (never sent: inputs are validated) and for an
  // endpoint that does not exist (deleted, or not yet created during a deployment).
  const endpointMissing = name === 'ValidationException' && /endpoint/i.test(errorMessage(error));
  if (UNAVAILABLE.has(name) || endpointMissing || httpStatus === 503) {
    return {
      status: 503,
      code: 'ScoringUnavailable',
      message: `${what} is unavailable; retry later`,
      retryAfterSeconds: 5,
    };
  }
  // Access denied, a disabled or missing key, a model container error, anything unknown: retrying will not
  // help and the caller cannot fix it, so it is the gateway's failure.
  return { status: 502, code: 'ScoringFailed', message: `${what} failed; the operator has been alerted` };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : '';
}
