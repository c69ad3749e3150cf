/**
 * Small resources the control tests compose into templates. Each returns a fresh object, so a case may
 * change its copy freely. Names follow the example configuration's prod environment.
 */
import { getAtt, ref, Resource } from './harness';

export const ACCOUNT = '333333333333';
export const REGION = 'eu-west-1';
export const bucketArn = (name: string) => `arn:aws:s3:::${name}`;

export const TAGS = [
  { Key: 'data-classification', Value: 'confidential' },
  { Key: 'environment', Value: 'prod' },
  { Key: 'owner', Value: 'ml-platform-team' },
  { Key: 'source-commit', Value: '0123456789abcdef0123456789abcdef01234567' },
];

export function kmsKey(extra: Record<string, unknown> = {}): Resource {
  return { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true, Tags: TAGS, ...extra } };
}

export function bucket(name: string, keyId = 'DataKey', extra: Record<string, unknown> = {}): Resource {
  return {
    Type: 'AWS::S3::Bucket',
    DeletionPolicy: 'Retain',
    Properties: {
      BucketName: name,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: getAtt(keyId, 'Arn') },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      Tags: TAGS,
      ...extra,
    },
  };
}

/** The data bucket: recognised by its lifecycle rule on the capture prefix. */
export function dataBucket(name = `churn-prod-data-${ACCOUNT}-${REGION}`, captureDays = 90): Resource {
  return bucket(name, 'DataKey', {
    LifecycleConfiguration: {
      Rules: [{ Id: 'expire-capture', Prefix: 'capture/', ExpirationInDays: captureDays, Status: 'Enabled' }],
    },
  });
}

/** The model bucket: recognised by Object Lock (no trail delivers to it). */
export function modelBucket(name = `churn-prod-model-${ACCOUNT}-${REGION}`): Resource {
  return bucket(name, 'ModelKey', {
    ObjectLockEnabled: true,
    ObjectLockConfiguration: {
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
    },
  });
}

export function bucketPolicy(bucketId: string, statements: unknown[]): Resource {
  return {
    Type: 'AWS::S3::BucketPolicy',
    Properties: { Bucket: ref(bucketId), PolicyDocument: { Version: '2012-10-17', Statement: statements } },
  };
}

export function role(extra: Record<string, unknown> = {}): Resource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
      Tags: TAGS,
      ...extra,
    },
  };
}

export function managedPolicy(roleId: string, statements: unknown[]): Resource {
  return {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: { Roles: [ref(roleId)], PolicyDocument: { Version: '2012-10-17', Statement: statements } },
  };
}

export function logGroup(keyId = 'LogsKey', retention: number | undefined = 365): Resource {
  return {
    Type: 'AWS::Logs::LogGroup',
    Properties: { KmsKeyId: getAtt(keyId, 'Arn'), RetentionInDays: retention, Tags: TAGS },
  };
}

export function alarm(metricName: string, actions: unknown[] = [ref('Alerts')]): Resource {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: { MetricName: metricName, Namespace: 'churn/prod', AlarmActions: actions, Tags: TAGS },
  };
}

export function lambdaFunction(extra: Record<string, unknown> = {}): Resource {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Role: getAtt('FunctionRole', 'Arn'),
      KmsKeyArn: getAtt('DataKey', 'Arn'),
      VpcConfig: { SubnetIds: [ref('Subnet')], SecurityGroupIds: [getAtt('Sg', 'GroupId')] },
      Tags: TAGS,
      ...extra,
    },
  };
}

/** A REST API with one POST method invoking `Function`, and its stage. */
export function restApi(
  method: Record<string, unknown> = {},
  stage: Record<string, unknown> = {},
): Record<string, Resource> {
  return {
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'churn-prod', Tags: TAGS } },
    Validator: {
      Type: 'AWS::ApiGateway::RequestValidator',
      Properties: { RestApiId: ref('Api'), ValidateRequestBody: true },
    },
    Method: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'POST',
        RestApiId: ref('Api'),
        ResourceId: getAtt('Api', 'RootResourceId'),
        AuthorizationType: 'AWS_IAM',
        RequestValidatorId: ref('Validator'),
        RequestModels: { 'application/json': ref('RequestModel') },
        Integration: {
          Type: 'AWS_PROXY',
          Uri: {
            'Fn::Join': [
              '',
              [
                'arn:aws:apigateway:eu-west-1:lambda:path/functions/',
                getAtt('Function', 'Arn'),
                '/invocations',
              ],
            ],
          },
        },
        ...method,
      },
    },
    Stage: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: ref('Api'),
        StageName: 'prod',
        MethodSettings: [
          {
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: 50,
            ThrottlingBurstLimit: 100,
            DataTraceEnabled: false,
          },
        ],
        Tags: TAGS,
        ...stage,
      },
    },
  };
}
