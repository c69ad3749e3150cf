import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { runScheduledDriftCheck, ScheduledDriftSettings } from '../../../lambda/drift-check/core';
import { baselineFrom, csvCaptureLine, generateRows } from '../../src/drift/synthetic';

const s3 = mockClient(S3Client);
const cloudwatch = mockClient(CloudWatchClient);
const NOW = new Date('2026-11-23T12:00:00Z');
const baseline = baselineFrom(generateRows(1, 4000));

const settings: ScheduledDriftSettings = {
  bucket: 'churn-prod-data',
  capturePrefix: 'capture/',
  reportPrefix: 'reports/drift/',
  lookbackHours: 24,
  reportKmsKeyId: 'arn:aws:kms:eu-west-1:333333333333:key/data',
  metricNamespace: 'churn/prod',
  dimensions: { Environment: 'prod' },
  options: { alpha: 0.01 },
};

function deps() {
  return { s3: new S3Client({}), cloudwatch: new CloudWatchClient({}), baseline, now: () => NOW };
}

function captureFile(seed: number, n: number, shift = {}): string {
  return (
    generateRows(seed, n, shift)
      .map((row, i) => csvCaptureLine(row, i))
      .join('\n') + '\n'
  );
}

/** Serves objects by key; each body is a fresh stream, as S3 returns it. */
function serve(objects: Record<string, { body: string; lastModified: Date }>, pageSize = 2) {
  const keys = Object.keys(objects);
  s3.on(ListObjectsV2Command).callsFake((input: { ContinuationToken?: string }) => {
    const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
    const page = keys.slice(start, start + pageSize);
    const more = start + pageSize < keys.length;
    return {
      Contents: page.map((Key) => ({ Key, LastModified: objects[Key].lastModified })),
      IsTruncated: more,
      NextContinuationToken: more ? String(start + pageSize) : undefined,
    };
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({
    Body: Readable.from([Buffer.from(objects[input.Key].body)]),
  }));
  s3.on(PutObjectCommand).resolves({});
  cloudwatch.on(PutMetricDataCommand).resolves({});
}

beforeEach(() => {
  s3.reset();
  cloudwatch.reset();
});

const recent = new Date('2026-11-23T06:00:00Z');
const old = new Date('2026-11-20T06:00:00Z');

test('MON-1, MON-2: a shifted window is reported as drift, with metrics, a KMS-encrypted report and a one-line summary', async () => {
  serve({
    'capture/churn-prod/live/2026/11/23/05/a.jsonl': {
      body: captureFile(2, 1500, { tenure: 25, monthToMonth: 0.2 }),
      lastModified: recent,
    },
    'capture/churn-prod/live/2026/11/23/06/b.jsonl': {
      body: captureFile(3, 1500, { tenure: 25, monthToMonth: 0.2 }),
      lastModified: recent,
    },
    'capture/churn-prod/live/2026/11/23/07/c.jsonl': { body: captureFile(4, 10), lastModified: recent },
  });
  const result = await runScheduledDriftCheck(settings, deps());
  expect(result.report.status).toBe('drift');
  expect(result.report.decision.driftedFeatures).toEqual(expect.arrayContaining(['tenure', 'contract']));
  expect(result.report.input.objects).toBe(3);

  const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
  expect(put).toMatchObject({
    Bucket: 'churn-prod-data',
    Key: 'reports/drift/2026/11/23/drift-2026-11-23T12-00-00-000Z.json',
    ServerSideEncryption: 'aws:kms',
    SSEKMSKeyId: settings.reportKmsKeyId,
    ContentType: 'application/json',
  });
  expect(JSON.parse(put.Body as string).status).toBe('drift');

  const datums = cloudwatch
    .commandCalls(PutMetricDataCommand)
    .flatMap((c) => c.args[0].input.MetricData ?? []);
  expect(
    cloudwatch.commandCalls(PutMetricDataCommand).every((c) => c.args[0].input.Namespace === 'churn/prod'),
  ).toBe(true);
  expect(datums.find((d) => d.MetricName === 'DriftDetected')).toMatchObject({
    Value: 1,
    Dimensions: [{ Name: 'Environment', Value: 'prod' }],
  });
  expect(
    datums.find(
      (d) => d.MetricName === 'FeatureKsStatistic' && d.Dimensions?.some((x) => x.Value === 'tenure'),
    ),
  ).toBeDefined();
  expect(result.metricsPublished).toBe(datums.length);
  expect(result.summary).toMatch(
    /^drift check drift: 3010 records from 3 objects .*drifted features: .*tenure.*report s3:\/\/churn-prod-data\/reports\/drift\//,
  );
});

test('MON-6: a drift from one caller is reported as concentrated, in the summary and as the ConcentratedDrift metric', async () => {
  const lines = (seed: number, n: number, caller: string, shift = {}) =>
    generateRows(seed, n, shift)
      .map((row, i) => csvCaptureLine(row, i, caller))
      .join('\n') + '\n';
  serve({
    'capture/churn-prod/live/2026/11/23/05/a.jsonl': {
      body: lines(5, 1200, 'role:churn-api-client') + lines(6, 1200, 'api-key:k7'),
      lastModified: recent,
    },
    'capture/churn-prod/live/2026/11/23/06/b.jsonl': {
      body: lines(7, 600, 'api-key:probe', { tenure: 40 }),
      lastModified: recent,
    },
  });
  const result = await runScheduledDriftCheck(settings, deps());
  expect(result.report.status).toBe('drift');
  expect(result.report.attribution.callers.sort()).toEqual([
    'api-key:k7',
    'api-key:probe',
    'role:churn-api-client',
  ]);
  expect(result.report.attribution.concentratedFeatures).toContain('tenure');
  expect(result.summary).toContain('concentrated in few callers: tenure in api-key:probe');
  const datums = cloudwatch
    .commandCalls(PutMetricDataCommand)
    .flatMap((c) => c.args[0].input.MetricData ?? []);
  expect(datums.find((d) => d.MetricName === 'ConcentratedDrift')).toMatchObject({
    Value: 1,
    Dimensions: [{ Name: 'Environment', Value: 'prod' }],
  });
});

test('a stable window is not flagged', async () => {
  serve({ 'capture/x/a.jsonl': { body: captureFile(7, 3000), lastModified: recent } });
  const result = await runScheduledDriftCheck(settings, deps());
  expect(result.report.status).toBe('no-drift');
  expect(result.report.decision.driftedFeatures).toEqual([]);
});

test('objects outside the look-back window are not read, and an empty window says so', async () => {
  serve({ 'capture/x/old.jsonl': { body: captureFile(2, 500), lastModified: old } });
  const result = await runScheduledDriftCheck(settings, deps());
  expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  expect(result.report.status).toBe('empty');
  expect(result.summary).toContain('drift check empty: 0 records from 0 objects');
  const datums = cloudwatch
    .commandCalls(PutMetricDataCommand)
    .flatMap((c) => c.args[0].input.MetricData ?? []);
  expect(datums.find((d) => d.MetricName === 'WindowEmpty')?.Value).toBe(1);
});

test('malformed lines are counted and skipped, never fatal', async () => {
  serve({
    'capture/x/a.jsonl': {
      body: captureFile(7, 500) + 'not json at all\n{"captureData":\n',
      lastModified: recent,
    },
  });
  const result = await runScheduledDriftCheck(settings, deps());
  expect(result.report.input.malformedLines).toBe(2);
  expect(result.report.input.records).toBe(500);
});

test('more metrics than one PutMetricData call takes are sent in batches', async () => {
  serve({ 'capture/x/a.jsonl': { body: captureFile(7, 500), lastModified: recent } });
  const result = await runScheduledDriftCheck({ ...settings, metricBatchSize: 10 }, deps());
  const calls = cloudwatch.commandCalls(PutMetricDataCommand);
  expect(result.metricsPublished).toBeGreaterThan(20);
  expect(calls).toHaveLength(Math.ceil(result.metricsPublished / 10));
  for (const call of calls) expect(call.args[0].input.MetricData!.length).toBeLessThanOrEqual(10);
  await expect(runScheduledDriftCheck({ ...settings, metricBatchSize: 1001 }, deps())).rejects.toThrow(
    'metricBatchSize must be an integer from 1 to 1000',
  );
});

test('a non-positive look-back is refused', async () => {
  await expect(runScheduledDriftCheck({ ...settings, lookbackHours: 0 }, deps())).rejects.toThrow(
    'lookbackHours must be a positive number',
  );
});
