import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { answerGoldenRecords } from '../../../lambda/inference/answer-check';
import { budgetOf } from '../../../lambda/inference/deadline';
import { buildProvenance, goldenRowsFor } from '../../../src/registry';
import type { AnswerCheckEvent, AnswerCheckReply } from '../../../src/registry/function-check-event';
import {
  ARTIFACT_BYTES,
  ARTIFACT_KEY,
  ARTIFACT_SHA256,
  ARTIFACT_URL,
  BUCKET,
  s3Error,
} from '../../src/registry/aws-fakes';
import { CONTRACT, EMBEDDED, MODEL, recorders, SPEC } from '../inference/fixtures';

// Mocking the client classes reaches the clients the handler creates at module scope.
const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);

type Handler = typeof import('../../../lambda/function-answer-check/handler').handler;
let handler: Handler;

const VERSION_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:Dev-Api-InferenceHandler-abc:7';
const properties = {
  ServiceToken: 'token',
  FunctionArn: VERSION_ARN,
  ModelVersion: '3',
  ModelDataUrl: ARTIFACT_URL,
  ArtifactSha256: ARTIFACT_SHA256,
};
const event = (
  RequestType: 'Create' | 'Update' | 'Delete',
  props = properties,
): CloudFormationCustomResourceEvent =>
  ({
    RequestType,
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'stack',
    RequestId: 'req',
    LogicalResourceId: 'AnswerCheck',
    PhysicalResourceId:
      'function-answer-check:arn:aws:lambda:eu-west-1:111122223333:function:Dev-Api-InferenceHandler-abc',
    ResourceType: 'Custom::ServedFunctionAnswerCheck',
    ResourceProperties: props,
    OldResourceProperties: props,
  }) as CloudFormationCustomResourceEvent;

let provenance: Buffer;
let plainProvenance: Buffer;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  ({ handler } = await import('../../../lambda/function-answer-check/handler'));
  const document = async (withSpec: boolean) => {
    const golden = await goldenRowsFor(
      { kind: 'model' },
      MODEL,
      withSpec ? { name: 'feature-spec.json', spec: SPEC, sha256: 'f'.repeat(64) } : undefined,
    );
    return Buffer.from(
      JSON.stringify(
        buildProvenance({
          model: MODEL,
          modelFile: { name: 'xgboost-model', bytes: Buffer.from('{}') },
          artifactSha256: ARTIFACT_SHA256,
          goldenRows: golden.rows,
          goldenSource: golden.source,
          ...(golden.records && golden.featureSpec
            ? { goldenRecords: golden.records, featureSpec: golden.featureSpec }
            : {}),
        }),
      ),
    );
  };
  provenance = await document(true);
  plainProvenance = await document(false);
});

function storeProvenance(bytes: Buffer | undefined): void {
  const key = { Bucket: BUCKET, Key: `${ARTIFACT_KEY}.provenance.json` };
  if (bytes === undefined) {
    s3.on(GetObjectCommand, key).rejects(s3Error('NoSuchKey', 'The specified key does not exist.', 404));
  } else {
    s3.on(GetObjectCommand, key).resolves({
      Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(bytes)) } as never,
    });
  }
}

/**
 * The inference function behind the fake Lambda client: the real check path (encoder, embedded model),
 * with its answer shifted by `offset` from row `from` on, as a function serving a wrong model would.
 */
function functionAnswers(offset = 0, from = 0, modelVersion = '3') {
  lambda.on(InvokeCommand).callsFake(async (input: { Payload: Uint8Array }) => {
    const checkEvent = JSON.parse(new TextDecoder().decode(input.Payload)) as AnswerCheckEvent;
    const budget = budgetOf(10_000);
    const reply = await answerGoldenRecords(checkEvent, {
      modelVersion,
      contract: CONTRACT,
      backend: () => Promise.resolve(EMBEDDED),
      budget,
      log: recorders().log,
    });
    budget.dispose();
    const answered: AnswerCheckReply = reply.ok
      ? { ...reply, probabilities: reply.probabilities.map((p, i) => (i >= from ? p + offset : p)) }
      : reply;
    return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(answered)) as never };
  });
}

beforeEach(() => {
  s3.reset();
  lambda.reset();
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: ARTIFACT_KEY }).resolves({
    Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(ARTIFACT_BYTES)) } as never,
  });
  storeProvenance(provenance);
});

describe('served-answer check of the inference function (MODEL-6, embedded serving)', () => {
  test('MODEL-6 a deliberately wrong function answer fails the Create/Update naming the first differing row, so CloudFormation rolls back', async () => {
    functionAnswers(0.02, 41);
    for (const type of ['Create', 'Update'] as const) {
      await expect(handler(event(type))).rejects.toThrow(
        new RegExp(
          `^served-answer check failed: ${VERSION_ARN} answered 200 values for 200 golden records recorded at ` +
            "publish from the model's split points \\(as API records\\), and row 42 \\(golden record 42\\) differs: " +
            'expected 0\\.\\d+ \\(the exact scorer on s3://.*\\), got 0\\.\\d+ \\(tolerance 0\\.00001\\); row 42 = \\{"gender":',
        ),
      );
    }
  });

  test('MODEL-6 invokes exactly the version just published with the check event, and right answers let the deployment continue, naming the version that passed', async () => {
    functionAnswers();
    await expect(handler(event('Update'))).resolves.toEqual({
      PhysicalResourceId:
        'function-answer-check:arn:aws:lambda:eu-west-1:111122223333:function:Dev-Api-InferenceHandler-abc',
      Data: { Checked: 'true', Version: VERSION_ARN.split(':').pop() },
    });
    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toMatchObject({
      FunctionName: VERSION_ARN,
      InvocationType: 'RequestResponse',
    });
    const sent = JSON.parse(
      new TextDecoder().decode(calls[0].args[0].input.Payload as Uint8Array),
    ) as AnswerCheckEvent;
    expect(Object.keys(sent)).toEqual(['servedAnswerCheck']);
    expect(sent.servedAnswerCheck.records).toHaveLength(200);
  });

  test('MODEL-6 a function serving another model version, or refusing a golden record, fails the deployment', async () => {
    functionAnswers(0, 0, '2');
    await expect(handler(event('Update'))).rejects.toThrow(/serves model version 2, not 3 as deployed/);
    lambda.reset();
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: new TextEncoder().encode(
        JSON.stringify({
          ok: false,
          modelVersion: '3',
          refused: [{ row: 5, field: 'Contract', message: 'must be one of ...' }],
        }),
      ) as never,
    });
    await expect(handler(event('Update'))).rejects.toThrow(
      /refused 1 field\(s\) of the 200 golden records .*row 5 \(field Contract must be one of \.\.\.\); row 5 = \{/,
    );
  });

  test('MODEL-6 an unhandled function error fails the deployment with its message', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: new TextEncoder().encode('{"errorMessage":"Task timed out"}') as never,
    });
    await expect(handler(event('Create'))).rejects.toThrow(
      /failed \(Unhandled\): \{"errorMessage":"Task timed out"\}/,
    );
  });

  test('MODEL-6 embedded mode refuses a golden set published without API records (still fine for SageMaker), and a missing provenance document, saying what to do', async () => {
    functionAnswers();
    storeProvenance(plainProvenance);
    await expect(handler(event('Create'))).rejects.toThrow(
      /records golden rows in model columns only \(published without --feature-spec\).*publish the artifact again with --feature-spec/,
    );
    storeProvenance(undefined);
    await expect(handler(event('Create'))).rejects.toThrow(/no provenance document at .* --feature-spec/);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('MODEL-6 a Delete calls nothing, so a failed first deploy rolls back and the retry starts clean', async () => {
    functionAnswers(0.5);
    await expect(handler(event('Delete'))).resolves.toMatchObject({ Data: { Checked: 'false' } });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  test('MODEL-6 nothing served yet: nothing to check, nothing invoked', async () => {
    functionAnswers();
    await expect(handler(event('Create', { ...properties, ModelVersion: 'none' }))).resolves.toMatchObject({
      Data: { Checked: 'false' },
    });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});
