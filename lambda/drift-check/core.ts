import { CloudWatchClient, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Baseline } from '../../src/drift/baseline';
import type { DriftOptions } from '../../src/drift/options';
import type { DriftReport, MetricDatum } from '../../src/drift/report';
import { runDriftCheck, type CaptureObject } from '../../src/drift/run';

export interface ScheduledDriftSettings {
  readonly bucket: string;
  /** Where SageMaker and the embedded path write capture files, e.g. `capture/`. */
  readonly capturePrefix: string;
  /** Where drift reports go, e.g. `reports/drift/`. */
  readonly reportPrefix: string;
  readonly lookbackHours: number;
  /** The data key: reports are written with it explicitly, not left to whatever default applies. */
  readonly reportKmsKeyId: string;
  readonly metricNamespace: string;
  /** Added to every metric, e.g. { Environment: 'prod' }. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly options: Partial<DriftOptions>;
  /** @default 500: PutMetricData takes at most 1,000 datums per call; 500 keeps a request well under 1 MB */
  readonly metricBatchSize?: number;
}

export interface ScheduledDriftDeps {
  readonly s3: Pick<S3Client, 'send'>;
  readonly cloudwatch: Pick<CloudWatchClient, 'send'>;
  readonly baseline: Baseline;
  readonly now: () => Date;
}

export interface ScheduledDriftResult {
  readonly report: DriftReport;
  readonly reportKey: string;
  readonly metricsPublished: number;
  /** One line for the log: status, volume, drifted features, breaches, where the report is. */
  readonly summary: string;
}

/** Capture objects written within the look-back window, listed page by page. */
async function* captureKeys(
  settings: ScheduledDriftSettings,
  deps: ScheduledDriftDeps,
  since: Date,
): AsyncGenerator<string> {
  let token: string | undefined;
  do {
    const page = await deps.s3.send(
      new ListObjectsV2Command({
        Bucket: settings.bucket,
        Prefix: settings.capturePrefix,
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key && object.LastModified && object.LastModified >= since && !object.Key.endsWith('/'))
        yield object.Key;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Opens one object at a time, so memory holds one stream chunk however many objects there are. */
async function* captureObjects(
  settings: ScheduledDriftSettings,
  deps: ScheduledDriftDeps,
  since: Date,
): AsyncGenerator<CaptureObject> {
  for await (const key of captureKeys(settings, deps, since)) {
    const object = await deps.s3.send(new GetObjectCommand({ Bucket: settings.bucket, Key: key }));
    const body = object.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) continue;
    yield { name: key, body };
  }
}

function toCloudWatch(datum: MetricDatum) {
  return {
    MetricName: datum.name,
    Value: datum.value,
    Unit: datum.unit as StandardUnit,
    Dimensions: Object.entries(datum.dimensions).map(([Name, Value]) => ({ Name, Value })),
  };
}

/** `tenure in api-key:k1`, per concentrated feature (MON-6), or `none`. */
function concentratedSummary(report: DriftReport): string {
  const concentrated = report.features
    .filter((f) => report.attribution.concentratedFeatures.includes(f.name))
    .map((f) => `${f.name} in ${f.attribution?.concentratedIn.join(' + ')}`);
  return concentrated.join(', ') || 'none';
}

export async function runScheduledDriftCheck(
  settings: ScheduledDriftSettings,
  deps: ScheduledDriftDeps,
): Promise<ScheduledDriftResult> {
  if (
    settings.metricBatchSize !== undefined &&
    !(
      Number.isInteger(settings.metricBatchSize) &&
      settings.metricBatchSize >= 1 &&
      settings.metricBatchSize <= 1000
    )
  ) {
    throw new Error(`metricBatchSize must be an integer from 1 to 1000, got ${settings.metricBatchSize}`);
  }
  if (!Number.isFinite(settings.lookbackHours) || settings.lookbackHours <= 0) {
    throw new Error(`lookbackHours must be a positive number, got ${settings.lookbackHours}`);
  }
  const now = deps.now();
  const since = new Date(now.getTime() - settings.lookbackHours * 3_600_000);
  const { report, metrics } = await runDriftCheck({
    baseline: deps.baseline,
    objects: captureObjects(settings, deps, since),
    options: settings.options,
    dimensions: settings.dimensions,
    meta: { now: deps.now },
  });

  const batch = settings.metricBatchSize ?? 500;
  for (let i = 0; i < metrics.length; i += batch) {
    await deps.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: settings.metricNamespace,
        MetricData: metrics.slice(i, i + batch).map(toCloudWatch),
      }),
    );
  }

  const stamp = now.toISOString();
  const reportKey = `${settings.reportPrefix}${stamp.slice(0, 4)}/${stamp.slice(5, 7)}/${stamp.slice(8, 10)}/drift-${stamp.replace(/[:.]/g, '-')}.json`;
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: settings.bucket,
      Key: reportKey,
      Body: JSON.stringify(report, null, 2),
      ContentType: 'application/json',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: settings.reportKmsKeyId,
    }),
  );

  const summary =
    `drift check ${report.status}: ${report.input.records} records from ${report.input.objects} objects ` +
    `(${report.input.malformedLines} malformed lines skipped); drifted features: ${report.decision.driftedFeatures.join(', ') || 'none'}; ` +
    `prediction drift: ${report.decision.predictionDrift ? 'yes' : 'no'}; ` +
    `concentrated in few callers: ${concentratedSummary(report)}; ` +
    `data-quality breaches: ${report.dataQuality.breaches.length}; ` +
    `report s3://${settings.bucket}/${reportKey}`;
  return { report, reportKey, metricsPublished: metrics.length, summary };
}
