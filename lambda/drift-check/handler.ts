import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { parseBaseline } from '../../src/drift/baseline';
import { bundledFile } from '../shared/env';
import { createLogger } from '../shared/observability';
import { runScheduledDriftCheck, ScheduledDriftSettings } from './core';
import { BUNDLED_BASELINE_FILE, driftCheckEnvironment } from './environment';

const env = driftCheckEnvironment.read();
const settings: ScheduledDriftSettings = {
  bucket: env.dataBucket,
  capturePrefix: env.capturePrefix,
  reportPrefix: env.reportPrefix,
  lookbackHours: env.lookbackHours,
  reportKmsKeyId: env.reportKmsKeyId,
  metricNamespace: env.metricNamespace,
  dimensions: { Environment: env.environmentName },
  options: {
    alpha: env.significanceLevel,
    minCategoricalPsi: env.psiThreshold,
    minConcentratedShare: env.minConcentratedShare,
    maxConcentratedCallers: env.maxConcentratedCallers,
  },
};
// The baseline ships inside the function bundle, so a check never runs without one.
const baseline = parseBaseline(
  JSON.parse(readFileSync(bundledFile(BUNDLED_BASELINE_FILE, env.taskRoot), 'utf8')),
);

const s3 = new S3Client({});
const cloudwatch = new CloudWatchClient({});
const logger = createLogger('drift-check');

/** Scheduled by EventBridge. Failures throw, so the function's Errors alarm fires. */
export async function handler(): Promise<{ status: string; reportKey: string }> {
  const result = await runScheduledDriftCheck(settings, { s3, cloudwatch, baseline, now: () => new Date() });
  logger.info(result.summary, { status: result.report.status, metricsPublished: result.metricsPublished });
  return { status: result.report.status, reportKey: result.reportKey };
}
