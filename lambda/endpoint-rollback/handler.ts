import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createLogger } from '../shared/observability';
import { handleRollbackEvent, InvalidRollbackEventError, parseRollbackEvent, RollbackSettings } from './core';
import { endpointRollbackEnvironment } from './environment';
import { S3StateStore } from './s3-state-store';

const env = endpointRollbackEnvironment.read();
const settings: RollbackSettings = {
  endpointName: env.endpointName,
  watchedAlarmNames: env.watchedAlarmNames,
  maxConsecutiveFailures: env.maxConsecutiveFailures,
  metricNamespace: env.metricNamespace,
};
const { stateBucket, stateKey } = env;

const sagemaker = new SageMakerClient({});
const cloudwatch = new CloudWatchClient({});
const s3 = new S3Client({});
const store = new S3StateStore(s3, stateBucket, stateKey, settings.endpointName);
const logger = createLogger('endpoint-rollback');

/** EventBridge (alarm state changes, schedule) and manual `{ "action": "reset", "requestedBy": ... }`. */
export async function handler(event: unknown): Promise<{ action: string; detail: string }> {
  let parsed;
  try {
    parsed = parseRollbackEvent(event);
  } catch (error) {
    if (error instanceof InvalidRollbackEventError) {
      logger.error('ignoring an event the rollback function does not understand', { reason: error.message });
      return { action: 'skipped', detail: error.message };
    }
    throw error;
  }
  const outcome = await handleRollbackEvent(parsed, settings, {
    sagemaker,
    cloudwatch,
    store,
    now: () => new Date(),
  });
  const log =
    outcome.action === 'failed' || outcome.action === 'disabled'
      ? logger.error.bind(logger)
      : logger.info.bind(logger);
  log('endpoint rollback', {
    action: outcome.action,
    detail: outcome.detail,
    endpoint: settings.endpointName,
  });
  return { action: outcome.action, detail: outcome.detail };
}
