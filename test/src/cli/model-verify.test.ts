import { LambdaClient } from '@aws-sdk/client-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { answerGoldenRecords } from '../../../lambda/inference/answer-check';
import { budgetOf } from '../../../lambda/inference/deadline';
import { goldenRowsFor } from '../../../src/registry';
import type { AnswerCheckEvent, AnswerCheckReply } from '../../../src/registry/function-check-event';
import { CONTRACT, EMBEDDED, recorders, SPEC } from '../../lambda/inference/fixtures';
import { mockClient } from 'aws-sdk-client-mock';
import { EXAMPLE_CONFIG_PATH, loadConfig } from '../../../lib/config';
import { runModelCli, type CliDeps } from '../../../src/cli/model';
import { buildProvenance, goldenRowsFromModel, provenanceLocation } from '../../../src/registry';
import { loadModel } from '../../../src/scorer';
import {
  ARTIFACT_BYTES,
  ARTIFACT_KEY,
  ARTIFACT_SHA256,
  ARTIFACT_URL,
  BUCKET,
  s3Error,
} from '../registry/aws-fakes';

const ssm = mockClient(SSMClient);
const s3 = mockClient(S3Client);
const runtime = mockClient(SageMakerRuntimeClient);
const lambda = mockClient(LambdaClient);
const modelJson = readFileSync(join(__dirname, '../../../models/sample-churn/model.json'), 'utf8');
const model = loadModel(modelJson);
const provenance = Buffer.from(
  JSON.stringify(
    buildProvenance({
      model,
      modelFile: { name: 'xgboost-model', bytes: Buffer.from(modelJson) },
      artifactSha256: ARTIFACT_SHA256,
      goldenRows: goldenRowsFromModel(model, 50).map((r) => r.map((v, i) => (i === 4 ? 24 : v))),
      goldenSource: 'baseline models/sample-churn/baseline.json',
    }),
  ),
);

function record(version: string) {
  const prefix = '/churn/prod/served-model/';
  return {
    Parameters: [
      { Name: `${prefix}version`, Value: version },
      { Name: `${prefix}model-data-url`, Value: ARTIFACT_URL },
      { Name: `${prefix}artifact-sha256`, Value: ARTIFACT_SHA256 },
    ],
  };
}

/** The endpoint scores each CSV row with the model; `wrong` shifts one answer. */
function endpoint(wrong?: number) {
  runtime.on(InvokeEndpointCommand).callsFake((input: { Body: string }) => {
    const rows = input.Body.split('\n').map((l) => l.split(',').map((c) => (c === '' ? NaN : Number(c))));
    const answers = rows.map((r, i) => model.predict(r) + (i === wrong ? 0.03 : 0));
    return { Body: new TextEncoder().encode(answers.map((a) => a.toPrecision(9)).join('\n')) };
  });
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const regions: string[] = [];
  const deps: CliDeps = {
    clients: () => ({ sagemaker: new SageMakerClient({}), s3: new S3Client({}) }),
    readTextFile: () => Promise.reject(new Error('not used')),
    writeTextFile: () => Promise.reject(new Error('not used')),
    loadConfig: (path) => loadConfig(path ?? EXAMPLE_CONFIG_PATH),
    verifyClients: (region) => {
      regions.push(region);
      return {
        ssm: new SSMClient({}),
        s3: new S3Client({}),
        runtime: new SageMakerRuntimeClient({}),
        lambda: new LambdaClient({}),
      };
    },
  };
  const code = await runModelCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, deps);
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), regions };
}

beforeEach(() => {
  lambda.reset();
  ssm.reset();
  s3.reset();
  runtime.reset();
  ssm.on(GetParametersCommand).resolves(record('4'));
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: ARTIFACT_KEY }).resolves({
    Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(ARTIFACT_BYTES)) } as never,
  });
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: `${ARTIFACT_KEY}.provenance.json` }).resolves({
    Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(provenance)) } as never,
  });
});

describe('npm run model -- verify (MODEL-6): the deployed endpoint answers the golden rows as recorded', () => {
  it('MODEL-6 reads the served record, sends the golden and split-point rows to the environment endpoint, and reports the worst difference', async () => {
    endpoint();
    const result = await run(['verify', '--env', 'prod']);
    expect(result).toMatchObject({ code: 0, stderr: '', regions: ['eu-west-1'] });
    expect(result.stdout).toContain("Endpoint churn-prod answers like version 4 of 'churn-prod'");
    expect(result.stdout).toContain(
      '  rows      250: 50 golden rows from baseline models/sample-churn/baseline.json and 200 split-point rows',
    );
    expect(ssm.commandCalls(GetParametersCommand)[0].args[0].input.Names).toEqual([
      '/churn/prod/served-model/version',
      '/churn/prod/served-model/model-data-url',
      '/churn/prod/served-model/artifact-sha256',
    ]);
    expect(runtime.commandCalls(InvokeEndpointCommand)[0].args[0].input).toMatchObject({
      EndpointName: 'churn-prod',
      ContentType: 'text/csv',
    });
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      ARTIFACT_KEY,
      provenanceLocation(ARTIFACT_KEY),
    ]);
    const json = await run(['verify', '--env', 'prod', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      endpoint: 'churn-prod',
      modelVersion: '4',
      rows: 250,
      tolerance: 1e-5,
    });
  });

  it('MODEL-6 exits 12 naming the first differing row when the endpoint answers wrong', async () => {
    endpoint(12);
    const result = await run(['verify', '--env', 'prod']);
    expect(result.code).toBe(12);
    expect(result.stderr).toMatch(
      /^error: served-answer check failed: endpoint churn-prod answered 250 values for 250 rows, and row 13 \(golden row 13 \(recorded at publish from baseline models\/sample-churn\/baseline\.json\)\) differs/,
    );
  });

  it('refuses an unknown environment, one serving nothing, and reports a missing artifact', async () => {
    endpoint();
    const unknown = await run(['verify', '--env', 'staging']);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain(
      "--env 'staging' is not an environment of the configuration (dev, test, prod)",
    );
    expect((await run(['verify'])).stderr).toContain('verify needs --env');
    ssm.on(GetParametersCommand).resolves(record('none'));
    expect(await run(['verify', '--env', 'prod'])).toMatchObject({
      code: 4,
      stderr: "error: 'prod' serves no model yet (no Approved version was deployed)",
    });
    ssm.on(GetParametersCommand).resolves({ Parameters: [] });
    expect((await run(['verify', '--env', 'prod'])).stderr).toContain('the environment is not deployed yet');
    ssm.on(GetParametersCommand).resolves(record('4'));
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: ARTIFACT_KEY }).rejects(
      s3Error('AccessDenied', 'Access Denied', 403),
    );
    const denied = await run(['verify', '--env', 'prod']);
    expect(denied.code).toBe(7);
    expect(denied.stderr).toContain('access denied while checking endpoint churn-prod');
  });
});

describe('npm run model -- verify --env dev (MODEL-6, embedded): the inference function answers the golden records as recorded', () => {
  const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:Dev-Api-InferenceHandler-abc';
  let withRecords: Buffer;

  beforeAll(async () => {
    const golden = await goldenRowsFor({ kind: 'model' }, model, {
      name: 'models/sample-churn/feature-spec.json',
      spec: SPEC,
      sha256: 'f'.repeat(64),
    });
    withRecords = Buffer.from(
      JSON.stringify(
        buildProvenance({
          model,
          modelFile: { name: 'xgboost-model', bytes: Buffer.from(modelJson) },
          artifactSha256: ARTIFACT_SHA256,
          goldenRows: golden.rows,
          goldenSource: golden.source,
          goldenRecords: golden.records!,
          featureSpec: golden.featureSpec!,
        }),
      ),
    );
  });

  function devRecord() {
    const prefix = '/churn/dev/served-model/';
    return {
      Parameters: [
        { Name: `${prefix}version`, Value: '4' },
        { Name: `${prefix}model-data-url`, Value: ARTIFACT_URL },
        { Name: `${prefix}artifact-sha256`, Value: ARTIFACT_SHA256 },
        { Name: '/churn/dev/inference/function-arn', Value: FUNCTION_ARN },
      ],
    };
  }

  /** The inference function's real check path behind the fake Lambda client; `wrong` shifts one answer. */
  function inferenceFunction(wrong?: number) {
    lambda.on(InvokeCommand).callsFake(async (input: { Payload: Uint8Array }) => {
      const event = JSON.parse(new TextDecoder().decode(input.Payload)) as AnswerCheckEvent;
      const budget = budgetOf(10_000);
      const reply = await answerGoldenRecords(event, {
        modelVersion: '4',
        contract: CONTRACT,
        backend: () => Promise.resolve(EMBEDDED),
        budget,
        log: recorders().log,
      });
      budget.dispose();
      const answered: AnswerCheckReply = reply.ok
        ? { ...reply, probabilities: reply.probabilities.map((p, i) => (i === wrong ? p + 0.03 : p)) }
        : reply;
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(answered)) as never };
    });
  }

  beforeEach(() => {
    ssm.on(GetParametersCommand).resolves(devRecord());
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: `${ARTIFACT_KEY}.provenance.json` }).resolves({
      Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(withRecords)) } as never,
    });
  });

  it('MODEL-6 invokes the function the API invokes, named by the SSM parameter, with the golden records, not through the API', async () => {
    inferenceFunction();
    const result = await run(['verify', '--env', 'dev']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(
      `Inference function ${FUNCTION_ARN} answers like version 4 of 'churn-dev'`,
    );
    expect(result.stdout).toContain(
      "  rows      200: 200 golden records recorded at publish from the model's split points",
    );
    expect(ssm.commandCalls(GetParametersCommand)[0].args[0].input.Names).toContain(
      '/churn/dev/inference/function-arn',
    );
    const call = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(call.FunctionName).toBe(FUNCTION_ARN);
    expect(Object.keys(JSON.parse(new TextDecoder().decode(call.Payload as Uint8Array)))).toEqual([
      'servedAnswerCheck',
    ]);
    expect(runtime.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
  });

  it('MODEL-6 exits 12 naming the first differing row when the function answers wrong', async () => {
    inferenceFunction(16);
    const result = await run(['verify', '--env', 'dev']);
    expect(result.code).toBe(12);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: served-answer check failed: ${FUNCTION_ARN} answered 200 values .* row 17 \\(golden record 17\\) differs`,
      ),
    );
  });

  it('MODEL-6 a golden set published without records is refused in embedded mode, saying to publish with --feature-spec', async () => {
    inferenceFunction();
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: `${ARTIFACT_KEY}.provenance.json` }).resolves({
      Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(provenance)) } as never,
    });
    const result = await run(['verify', '--env', 'dev']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('published without --feature-spec');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});
