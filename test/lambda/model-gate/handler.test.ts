import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { CloudFormationCustomResourceCreateEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ARTIFACT_BYTES,
  ARTIFACT_SHA256,
  describedPackage,
  GROUP,
  GROUP_ARN,
  objectBody,
  packageArn,
  GATE_ROBUSTNESS_PROPS,
} from '../../src/registry/aws-fakes';

// Mocking the client classes (not instances) reaches the clients the handler creates at module scope.
const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);

type Handler = typeof import('../../../lambda/model-gate/handler').handler;
let handler: Handler;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  ({ handler } = await import('../../../lambda/model-gate/handler'));
});

const event: CloudFormationCustomResourceCreateEvent = {
  RequestType: 'Create',
  ServiceToken: 'token',
  ResponseURL: 'https://example.invalid/response',
  StackId: 'stack',
  RequestId: 'req',
  LogicalResourceId: 'ModelGate',
  ResourceType: 'Custom::ModelGate',
  ResourceProperties: {
    ServiceToken: 'token',
    ModelPackageGroupName: GROUP,
    ModelVersion: '4',
    RequireApproval: 'true',
    ...GATE_ROBUSTNESS_PROPS,
  },
};

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  sagemaker
    .on(DescribeModelPackageGroupCommand)
    .resolves({ ModelPackageGroupArn: GROUP_ARN, ModelPackageGroupStatus: 'Completed' });
  s3.on(GetObjectCommand).callsFake(() => ({ Body: objectBody(ARTIFACT_BYTES), VersionId: 'ver-1' }));
});

describe('model gate handler', () => {
  it('answers the Provider framework with the resolved model', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(describedPackage(4));
    const response = await handler(event);
    expect(response.PhysicalResourceId).toBe(packageArn(4));
    expect(response.Data?.ArtifactSha256).toBe(ARTIFACT_SHA256);
  });

  it('throws (failing the deployment) with the reason when the gate refuses', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .resolves(describedPackage(4, { ModelApprovalStatus: 'Rejected' }));
    await expect(handler(event)).rejects.toThrow(
      /^model gate refused the deployment: version 4 of 'churn-prod' was Rejected/,
    );
  });
});
