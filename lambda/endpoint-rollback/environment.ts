import {
  environmentContract,
  integer,
  list,
  POWERTOOLS_VARIABLES,
  SHARED_VARIABLES,
  text,
} from '../shared/environment-contract';

/** Set by EndpointRollback, read by the endpoint-rollback handler at cold start. */
export const endpointRollbackEnvironment = environmentContract({
  ...POWERTOOLS_VARIABLES,
  endpointName: SHARED_VARIABLES.endpointName,
  watchedAlarmNames: list('WATCHED_ALARM_NAMES'),
  maxConsecutiveFailures: integer('MAX_CONSECUTIVE_FAILURES'),
  metricNamespace: SHARED_VARIABLES.metricNamespace,
  stateBucket: text('STATE_BUCKET'),
  stateKey: text('STATE_KEY'),
});
