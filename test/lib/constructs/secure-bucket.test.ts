import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SecureBucket } from '../../../lib/constructs/secure-bucket';
import cdkJson from '../../../cdk.json';

const env = { account: '111111111111', region: 'eu-west-1' };
const S3_LOGS_BY_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';
/** The project's flag (cdk.json) that grants access-log delivery by bucket policy rather than ACL. */
const projectApp = () =>
  new App({
    context: { [S3_LOGS_BY_POLICY]: (cdkJson.context as Record<string, unknown>)[S3_LOGS_BY_POLICY] },
  });

/** An access-log bucket in one stack and a bucket in another that logs to it, given as `target`. */
function twoStacks(target: (logs: SecureBucket, source: Stack) => s3.IBucket, accept: boolean) {
  const app = projectApp();
  const logStack = new Stack(app, 'Logs', { env });
  const logs = new SecureBucket(logStack, 'AccessLogs', {
    bucketName: 'access-logs-bucket',
    isAccessLogTarget: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  if (accept) logs.acceptAccessLogsFrom('source-bucket');
  const sourceStack = new Stack(app, 'Source', { env });
  new SecureBucket(sourceStack, 'Source', {
    bucketName: 'source-bucket',
    encryptionKey: new kms.Key(sourceStack, 'Key'),
    serverAccessLogsBucket: target(logs, sourceStack),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return { app, logStack };
}

describe('SecureBucket as an access-log target (NET-6, AUD-1)', () => {
  test('refuses a log delivery grant without aws:SourceArn and aws:SourceAccount (CDK omits them across stacks)', () => {
    const { app } = twoStacks((logs) => logs.bucket, false);
    expect(() => app.synth()).toThrow(
      /logging\.s3\.amazonaws\.com may write .*source-bucket.* without aws:SourceArn and aws:SourceAccount/s,
    );
  });

  test('acceptAccessLogsFrom grants delivery under the source prefix only to that bucket in this account', () => {
    const { app, logStack } = twoStacks(
      (_logs, source) => s3.Bucket.fromBucketName(source, 'Logs', 'access-logs-bucket'),
      true,
    );
    expect(() => app.synth()).not.toThrow();
    const statements = Template.fromStack(logStack).findResources('AWS::S3::BucketPolicy');
    const delivery = Object.values(statements)
      .flatMap((r) => (r.Properties.PolicyDocument.Statement as Record<string, unknown>[]) ?? [])
      .filter((s) => JSON.stringify(s.Principal).includes('logging.s3.amazonaws.com'));
    expect(delivery).toHaveLength(1);
    expect(delivery[0]).toMatchObject({
      Effect: 'Allow',
      Action: 's3:PutObject',
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
    expect(JSON.stringify(delivery[0].Resource)).toMatch(/"\/source-bucket\/\*"/);
    expect(JSON.stringify(delivery[0].Condition)).toMatch(
      /"ArnLike":\{"aws:SourceArn":.*:s3:::source-bucket"/,
    );
  });

  test('only an access-log target accepts access logs', () => {
    const stack = new Stack(projectApp(), 'S', { env });
    const bucket = new SecureBucket(stack, 'Data', {
      bucketName: 'data-bucket',
      encryptionKey: new kms.Key(stack, 'Key'),
      serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'access-logs-bucket'),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    expect(() => bucket.acceptAccessLogsFrom('x')).toThrow(/only an access-log target accepts access logs/);
  });
});
