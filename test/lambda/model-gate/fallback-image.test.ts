import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { onGateEvent, parseGateProperties } from '../../../lambda/model-gate/core';
import { RegistryError } from '../../../src/registry';
import {
  ARTIFACT_BYTES,
  ARTIFACT_URL,
  describedPackage,
  GROUP,
  GROUP_ARN,
  IMAGE,
  objectBody,
  GATE_ROBUSTNESS_PROPS,
} from '../../src/registry/aws-fakes';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const clients = { sagemaker: new SageMakerClient({}), s3: new S3Client({}) };
const FALLBACK = '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1';

function create(props: Record<string, string>): CloudFormationCustomResourceEvent {
  return {
    RequestType: 'Create',
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/serving/1',
    RequestId: 'req-1',
    LogicalResourceId: 'ModelGate',
    ResourceType: 'Custom::ModelGate',
    ResourceProperties: { ServiceToken: 'token', ...props },
  };
}

const props = {
  ModelPackageGroupName: GROUP,
  ModelVersion: '4',
  RequireApproval: 'true',
  ...GATE_ROBUSTNESS_PROPS,
};

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  sagemaker.on(DescribeModelPackageGroupCommand).resolves({
    ModelPackageGroupName: GROUP,
    ModelPackageGroupArn: GROUP_ARN,
    ModelPackageGroupStatus: 'Completed',
  });
  s3.on(GetObjectCommand).callsFake(() => ({ Body: objectBody(ARTIFACT_BYTES), VersionId: 'ver-1' }));
});

const withoutImage = () =>
  describedPackage(4, {
    InferenceSpecification: {
      Containers: [{ ModelDataUrl: ARTIFACT_URL } as { Image: string; ModelDataUrl: string }],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['text/csv'],
    },
  });

describe('model gate: which container image is served', () => {
  it('prefers the image recorded in the registry over the fallback, because that is what was approved', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(describedPackage(4));
    const response = await onGateEvent(create({ ...props, FallbackImage: FALLBACK }), clients);
    expect(response.Data?.Image).toBe(IMAGE);
  });

  it('serves the fallback image when the registered container records none', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(withoutImage());
    const response = await onGateEvent(create({ ...props, FallbackImage: FALLBACK }), clients);
    expect(response.Data?.Image).toBe(FALLBACK);
  });

  it('refuses a package without an image when no fallback is configured', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(withoutImage());
    const error = await onGateEvent(create(props), clients).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(
      /refused the deployment: .*version 4 of 'churn-prod' records no container image and no FallbackImage/,
    );
  });

  it('treats an empty FallbackImage as none, so a blank value never reaches the model resource', () => {
    expect(parseGateProperties({ ...props, FallbackImage: '  ' }).fallbackImage).toBeUndefined();
    expect(parseGateProperties({ ...props, FallbackImage: FALLBACK }).fallbackImage).toBe(FALLBACK);
  });
});
