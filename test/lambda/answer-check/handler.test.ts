import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../../src/scorer';
import {
  ARTIFACT_BYTES,
  ARTIFACT_KEY,
  ARTIFACT_SHA256,
  ARTIFACT_URL,
  BUCKET,
  s3Error,
} from '../../src/registry/aws-fakes';

// Mocking the client classes reaches the clients the handler creates at module scope.
const s3 = mockClient(S3Client);
const sagemaker = mockClient(SageMakerClient);
const runtime = mockClient(SageMakerRuntimeClient);
const model = loadModel(readFileSync(join(__dirname, '../../../models/sample-churn/model.json'), 'utf8'));

type Handler = typeof import('../../../lambda/answer-check/handler').handler;
let handler: Handler;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  ({ handler } = await import('../../../lambda/answer-check/handler'));
});

const properties = {
  ServiceToken: 'token',
  EndpointName: 'churn-prod',
  EndpointConfigName: 'ConfigA',
  ModelDataUrl: ARTIFACT_URL,
  ArtifactSha256: ARTIFACT_SHA256,
  Image: 'image',
};
const event = (RequestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent =>
  ({
    RequestType,
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'stack',
    RequestId: 'req',
    LogicalResourceId: 'AnswerCheck',
    PhysicalResourceId: 'answer-check:churn-prod',
    ResourceType: 'Custom::ServedAnswerCheck',
    ResourceProperties: properties,
    OldResourceProperties: properties,
  }) as CloudFormationCustomResourceEvent;

/** The endpoint answers each CSV row with the model's probability, shifted by `offset` from row `from` on. */
function endpointAnswers(offset = 0, from = 0) {
  runtime.on(InvokeEndpointCommand).callsFake((input: { Body: string }) => {
    const answers = input.Body.split('\n').map((line, i) => {
      const p = model.predict(line.split(',').map((c) => (c === '' ? NaN : Number(c))));
      return (i >= from ? p + offset : p).toPrecision(9);
    });
    return { Body: new TextEncoder().encode(answers.join('\n')) };
  });
}

beforeEach(() => {
  s3.reset();
  sagemaker.reset();
  runtime.reset();
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: ARTIFACT_KEY }).resolves({
    Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(ARTIFACT_BYTES)) } as never,
  });
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: `${ARTIFACT_KEY}.provenance.json` }).rejects(
    s3Error('NoSuchKey', 'The specified key does not exist.', 404),
  );
  sagemaker.on(DescribeEndpointCommand).resolves({ EndpointConfigName: 'ConfigA' } as never);
});

describe('served-answer check handler (MODEL-6)', () => {
  test('MODEL-6 a deliberately wrong endpoint answer fails the Create/Update, so CloudFormation rolls back', async () => {
    endpointAnswers(0.02, 17);
    for (const type of ['Create', 'Update'] as const) {
      await expect(handler(event(type))).rejects.toThrow(
        /^served-answer check failed: endpoint churn-prod answered 200 values for 200 rows, and row 18 \(split-point row 18\) differs/,
      );
    }
  });

  test('MODEL-6 right answers let the deployment continue, with a stable physical id', async () => {
    endpointAnswers();
    await expect(handler(event('Update'))).resolves.toEqual({
      PhysicalResourceId: 'answer-check:churn-prod',
      Data: { Checked: 'true' },
    });
    expect(runtime.commandCalls(InvokeEndpointCommand)[0].args[0].input.EndpointName).toBe('churn-prod');
  });

  test('MODEL-6 a rollback of the check while the endpoint runs another configuration, and a Delete, call nothing', async () => {
    endpointAnswers(0.5);
    sagemaker.on(DescribeEndpointCommand).resolves({ EndpointConfigName: 'ConfigB' } as never);
    await expect(handler(event('Update'))).resolves.toMatchObject({ Data: { Checked: 'false' } });
    await expect(handler(event('Delete'))).resolves.toMatchObject({
      PhysicalResourceId: 'answer-check:churn-prod',
    });
    expect(runtime.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
  });
});
