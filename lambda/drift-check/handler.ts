import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseBaseline } from '../../src/drift/baseline';
import { numberEnv, optionalEnv, requiredEnv } from '../shared/env';
import { createLogger } from '../shared/observability';
import { runScheduledDriftCheck, ScheduledDriftSettings } from './core';

/** The baseline ships inside the function bundle, next to this file, so a check never runs without one. */
export const BUNDLED_BASELINE_FILE = 'baseline.json';

const settings: ScheduledDriftSettings = {
  bucket: requiredEnv('DATA_BUCKET'),
  capturePrefix: requiredEnv('CAPTURE_PREFIX'),
  reportPrefix: requiredEnv('REPORT_PREFIX'),
  lookbackHours: numberEnv('LOOKBACK_HOURS', 24),
  reportKmsKeyId: requiredEnv('REPORT_KMS_KEY_ID'),
  metricNamespace: requiredEnv('METRIC_NAMESPACE'),
  dimensions: { Environment: requiredEnv('ENVIRONMENT_NAME') },
  options: {
    alpha: numberEnv('SIGNIFICANCE_LEVEL', 0.01),
    minCategoricalPsi: numberEnv('PSI_THRESHOLD', 0.2),
  },
};
// ESM bundles have no __dirname; Lambda puts the bundle in LAMBDA_TASK_ROOT.
const baselinePath = optionalEnv(
  'BASELINE_PATH',
  path.join(optionalEnv('LAMBDA_TASK_ROOT', process.cwd()), BUNDLED_BASELINE_FILE),
);
const baseline = parseBaseline(JSON.parse(readFileSync(baselinePath, 'utf8')));

const s3 = new S3Client({});
const cloudwatch = new CloudWatchClient({});
const logger = createLogger('drift-check');

/** Scheduled by EventBridge. Failures throw, so the function's Errors alarm fires. */
export async function handler(): Promise<{ status: string; reportKey: string }> {
  const result = await runScheduledDriftCheck(settings, { s3, cloudwatch, baseline, now: () => new Date() });
  logger.info(result.summary, { status: result.report.status, metricsPublished: result.metricsPublished });
  return { status: result.report.status, reportKey: result.reportKey };
}
