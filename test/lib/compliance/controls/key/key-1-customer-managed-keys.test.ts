import { KEY_1 } from '../../../../../lib/compliance/controls/key/key-1-customer-managed-keys';
import { bucket, kmsKey, lambdaFunction, logGroup, TAGS } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, ref, Resources } from '../harness';

const stores: Resources = {
  DataKey: kmsKey(),
  LogsKey: kmsKey(),
  DataAlias: {
    Type: 'AWS::KMS::Alias',
    Properties: { AliasName: 'alias/churn/prod/data', TargetKeyId: ref('DataKey') },
  },
  Bucket: bucket('churn-prod-data'),
  Logs: logGroup(),
  Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: getAtt('LogsKey', 'Arn'), Tags: TAGS } },
  Function: lambdaFunction(),
  Config: {
    Type: 'AWS::SageMaker::EndpointConfig',
    Properties: {
      KmsKeyId: ref('DataKey'),
      DataCaptureConfig: { KmsKeyId: ref('DataKey'), InitialSamplingPercentage: 20 },
    },
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Data: r } }));

describeControl(KEY_1, {
  compliant: [
    {
      name: 'a bucket, log group, topic, function and endpoint configuration each name a key of the environment',
      context: ctx(stores),
      evidence: [
        'S3 Bucket churn-prod-data → alias/churn/prod/data',
        'SNS Topic → Prod/Data/LogsKey',
        'SageMaker EndpointConfig (data capture) → alias/churn/prod/data',
      ],
    },
    {
      name: 'the access-log bucket on SSE-S3, acknowledged with its reason',
      context: ctx({
        AccessLogs: {
          Type: 'AWS::S3::Bucket',
          Metadata: {
            cdk_nag: {
              rules_to_suppress: [
                { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: 'log delivery needs SSE-S3' },
              ],
            },
          },
          Properties: {
            BucketName: 'access-logs',
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [
                { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
              ],
            },
          },
        },
      }),
      evidence: ['S3 Bucket access-logs: SSE-S3, reviewed exception (see acknowledgments)'],
    },
  ],
  nonCompliant: [
    {
      name: 'a bucket on SSE-S3 without a reviewed exception',
      context: ctx(
        changed(
          stores,
          (r) =>
            (r.Bucket.Properties!.BucketEncryption = {
              ServerSideEncryptionConfiguration: [
                { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
              ],
            }),
        ),
      ),
      problem: 'S3 Bucket churn-prod-data: SSE-S3, no customer-managed key',
    },
    {
      name: 'a topic on the AWS-managed key',
      context: ctx(changed(stores, (r) => (r.Topic.Properties!.KmsMasterKeyId = 'alias/aws/sns'))),
      problem:
        'SNS Topic KmsMasterKeyId is not encrypted with a customer-managed key (AWS-managed alias/aws/sns)',
    },
    {
      name: 'a log group without a key',
      context: ctx(changed(stores, (r) => delete r.Logs.Properties!.KmsKeyId)),
      problem: 'Logs LogGroup KmsKeyId is not encrypted with a customer-managed key',
    },
    {
      name: 'data capture without a key',
      context: ctx(
        changed(
          stores,
          (r) => delete (r.Config.Properties!.DataCaptureConfig as Record<string, unknown>).KmsKeyId,
        ),
      ),
      problem: 'SageMaker EndpointConfig data capture is not encrypted with a customer-managed key',
    },
    {
      name: 'a queue on SQS-managed encryption',
      context: ctx({
        ...stores,
        Queue: { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } },
      }),
      problem: 'queue uses SQS-managed encryption',
    },
  ],
});
