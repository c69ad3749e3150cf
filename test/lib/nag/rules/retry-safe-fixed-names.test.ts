import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as macie from 'aws-cdk-lib/aws-macie';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { findings, newStack } from '../helpers';

describe('ChurnControls-RetrySafeFixedNames (ENV-4)', () => {
  test('fixed names kept only on delete or replacement, generated names, and deleted resources are compliant', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'NamedRetainedExceptOnCreate', {
      bucketName: 'named-retained-except-on-create',
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    new s3.Bucket(stack, 'GeneratedNameRetained', { removalPolicy: RemovalPolicy.RETAIN });
    new logs.LogGroup(stack, 'NamedDeleted', {
      logGroupName: '/aws/sagemaker/Endpoints/x',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new macie.CfnSession(stack, 'SessionExceptOnCreate').applyRemovalPolicy(
      RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    );
    expect(findings(stack)).toEqual([]);
  });

  test('a retained resource with a fixed name, an L1 or raw one, or a retained account singleton is a finding', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { bucketName: 'fixed-bucket', removalPolicy: RemovalPolicy.RETAIN });
    new logs.LogGroup(stack, 'EndpointLogs', {
      logGroupName: '/aws/sagemaker/Endpoints/x',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new sagemaker.CfnModelPackageGroup(stack, 'Registry', {
      modelPackageGroupName: 'churn-prod',
    }).applyRemovalPolicy(RemovalPolicy.RETAIN);
    new CfnResource(stack, 'RawTopic', {
      type: 'AWS::SNS::Topic',
      properties: { TopicName: 'alerts' },
    }).applyRemovalPolicy(RemovalPolicy.RETAIN);
    new macie.CfnSession(stack, 'Session').applyRemovalPolicy(RemovalPolicy.RETAIN);
    expect(findings(stack)).toEqual([
      'ChurnControls-RetrySafeFixedNames Subject/Bucket/Resource',
      'ChurnControls-RetrySafeFixedNames Subject/EndpointLogs/Resource',
      'ChurnControls-RetrySafeFixedNames Subject/RawTopic',
      'ChurnControls-RetrySafeFixedNames Subject/Registry',
      'ChurnControls-RetrySafeFixedNames Subject/Session',
    ]);
  });
});
