import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';

// Class-level mocks also cover the clients the handler creates at module scope.
const s3 = mockClient(S3Client);
const cloudwatch = mockClient(CloudWatchClient);

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:444455556666:function:churn-prod-mfa-delete-check';
const event = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as ScheduledEvent;
const context = { invokedFunctionArn: FUNCTION_ARN } as Context;

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
  jest.resetModules();
  s3.reset();
  cloudwatch.reset();
});

function configure(env: Record<string, string>): void {
  process.env = { ...savedEnv, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env };
}

test('reads BUCKET_NAME and METRIC_NAMESPACE and takes the account id from the function ARN', async () => {
  // Prepare
  configure({ BUCKET_NAME: 'churn-prod-models-444455556666', METRIC_NAMESPACE: 'Churn/prod/Compliance' });
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled', MFADelete: 'Disabled' });
  cloudwatch.on(PutMetricDataCommand).resolves({});
  const { handler } = await import('../../../lambda/mfa-delete-check/handler');

  // Act
  const result = await handler(event, context);

  // Assess
  expect(s3.commandCalls(GetBucketVersioningCommand)[0]?.args[0].input).toEqual({
    Bucket: 'churn-prod-models-444455556666',
    ExpectedBucketOwner: '444455556666',
  });
  expect(cloudwatch.commandCalls(PutMetricDataCommand)[0]?.args[0].input.Namespace).toBe(
    'Churn/prod/Compliance',
  );
  expect(result.remediation?.command).toContain(
    'arn:aws:iam::444455556666:mfa/root-account-mfa-device <code>',
  );
});

test('a missing BUCKET_NAME fails at cold start, naming the variable', async () => {
  configure({ METRIC_NAMESPACE: 'Churn/prod/Compliance' });
  delete process.env['BUCKET_NAME'];
  await expect(import('../../../lambda/mfa-delete-check/handler')).rejects.toThrow(
    'environment variable BUCKET_NAME is required but not set',
  );
});

test('an unreadable function ARN is refused rather than guessed', async () => {
  configure({ BUCKET_NAME: 'b', METRIC_NAMESPACE: 'n' });
  const { accountIdOf } = await import('../../../lambda/mfa-delete-check/handler');
  expect(accountIdOf(FUNCTION_ARN)).toBe('444455556666');
  expect(() => accountIdOf('not-an-arn')).toThrow(
    "cannot read the account id from the function ARN 'not-an-arn'",
  );
});
