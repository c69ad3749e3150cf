import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetBucketVersioningCommand, NoSuchBucket, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  MfaDeleteCheckError,
  checkMfaDelete,
  enableMfaDeleteCommand,
} from '../../../lambda/mfa-delete-check/core';

const BUCKET = 'churn-prod-models-444455556666';
const ACCOUNT = '444455556666';
const NAMESPACE = 'Churn/prod/Compliance';
const NOW = new Date('2026-11-23T06:00:00.000Z');
const ROOT_COMMAND =
  'aws s3api put-bucket-versioning --bucket churn-prod-models-444455556666 ' +
  '--versioning-configuration Status=Enabled,MFADelete=Enabled ' +
  '--mfa "arn:aws:iam::444455556666:mfa/root-account-mfa-device <code>"';

const s3Client = new S3Client({ region: 'eu-west-1' });
const cloudwatchClient = new CloudWatchClient({ region: 'eu-west-1' });
const s3 = mockClient(s3Client);
const cloudwatch = mockClient(cloudwatchClient);

const config = { bucketName: BUCKET, accountId: ACCOUNT, metricNamespace: NAMESPACE };
const deps = { s3: s3Client, cloudwatch: cloudwatchClient, now: () => NOW };

beforeEach(() => {
  s3.reset();
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

function publishedValues(): Record<string, number | undefined> {
  const calls = cloudwatch.commandCalls(PutMetricDataCommand);
  expect(calls).toHaveLength(1);
  return Object.fromEntries(
    (calls[0]?.args[0].input.MetricData ?? []).map((datum) => [datum.MetricName ?? '?', datum.Value]),
  );
}

test('versioning and MFA Delete enabled: compliant, metric 1, no remediation', async () => {
  // Prepare
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled', MFADelete: 'Enabled' });

  // Act
  const result = await checkMfaDelete(config, deps);

  // Assess
  expect(s3.commandCalls(GetBucketVersioningCommand).map((c) => c.args[0].input)).toEqual([
    { Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT },
  ]);
  expect(cloudwatch.commandCalls(PutMetricDataCommand)[0]?.args[0].input).toEqual({
    Namespace: NAMESPACE,
    MetricData: [
      {
        MetricName: 'MfaDeleteEnabled',
        Dimensions: [{ Name: 'BucketName', Value: BUCKET }],
        Timestamp: NOW,
        Value: 1,
        Unit: 'None',
      },
      {
        MetricName: 'VersioningEnabled',
        Dimensions: [{ Name: 'BucketName', Value: BUCKET }],
        Timestamp: NOW,
        Value: 1,
        Unit: 'None',
      },
    ],
  });
  expect(result).toEqual({
    control: 'MODEL-1',
    bucketName: BUCKET,
    accountId: ACCOUNT,
    versioning: 'Enabled',
    mfaDelete: 'Enabled',
    compliant: true,
    metrics: { namespace: NAMESPACE, values: { MfaDeleteEnabled: 1, VersioningEnabled: 1 } },
    checkedAt: '2026-11-23T06:00:00.000Z',
  });
});

test('versioning enabled without MFA Delete: metric 0 and the exact root command', async () => {
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled', MFADelete: 'Disabled' });

  const result = await checkMfaDelete(config, deps);

  expect(publishedValues()).toEqual({ MfaDeleteEnabled: 0, VersioningEnabled: 1 });
  expect(result.compliant).toBe(false);
  expect(result.mfaDelete).toBe('Disabled');
  expect(result.remediation?.command).toBe(ROOT_COMMAND);
  expect(result.remediation?.note).toMatch(/versioning is Enabled, MFA Delete is Disabled/);
  expect(enableMfaDeleteCommand(BUCKET, ACCOUNT)).toBe(ROOT_COMMAND);
});

test('suspended versioning is not compliant even if MFA Delete is still Enabled', async () => {
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Suspended', MFADelete: 'Enabled' });

  const result = await checkMfaDelete(config, deps);

  expect(publishedValues()).toEqual({ MfaDeleteEnabled: 0, VersioningEnabled: 0 });
  expect(result).toMatchObject({ versioning: 'Suspended', mfaDelete: 'Enabled', compliant: false });
  expect(result.remediation?.command).toBe(ROOT_COMMAND);
});

test('a bucket that never had versioning (empty answer) reports NeverEnabled and Disabled', async () => {
  s3.on(GetBucketVersioningCommand).resolves({});

  const result = await checkMfaDelete(config, deps);

  expect(publishedValues()).toEqual({ MfaDeleteEnabled: 0, VersioningEnabled: 0 });
  expect(result).toMatchObject({ versioning: 'NeverEnabled', mfaDelete: 'Disabled', compliant: false });
});

test('access denied throws a message naming the permission and publishes nothing', async () => {
  s3.on(GetBucketVersioningCommand).rejects(
    new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: {},
      message: 'Access Denied',
    }),
  );

  const attempt = checkMfaDelete(config, deps);

  await expect(attempt).rejects.toBeInstanceOf(MfaDeleteCheckError);
  await expect(attempt).rejects.toThrow(/needs s3:GetBucketVersioning.*owned by account 444455556666/);
  expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
});

test('a missing bucket throws a message naming BUCKET_NAME and publishes nothing', async () => {
  s3.on(GetBucketVersioningCommand).rejects(
    new NoSuchBucket({ $metadata: {}, message: 'The bucket does not exist' }),
  );

  await expect(checkMfaDelete(config, deps)).rejects.toThrow(
    `model bucket ${BUCKET} does not exist; check the BUCKET_NAME`,
  );
  expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
});

test('a failed metric publication is an error, not a silent pass', async () => {
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled', MFADelete: 'Enabled' });
  cloudwatch
    .on(PutMetricDataCommand)
    .rejects(new Error('not authorized to perform cloudwatch:PutMetricData'));

  await expect(checkMfaDelete(config, deps)).rejects.toThrow(
    /could not publish MfaDeleteEnabled to namespace/,
  );
});
