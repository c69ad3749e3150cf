import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { join } from 'node:path';
import { writeRequestValidatorModule } from '../../../lib/build/request-validator';
import { inferenceRequestSchema } from '../../../lambda/inference/request-schema';
import { FeatureEncoder, modelEncoderOptions } from '../../../src/features';
import type { AnswerCheckEvent, AnswerCheckReply } from '../../../src/registry/function-check-event';
import {
  CUSTOMER_ID_PATTERN,
  expectedPseudonym,
  macFor,
  MODEL,
  MODEL_BYTES,
  MODEL_SHA256,
  s3Body,
  SPEC,
  validRecord,
} from './fixtures';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const kmsMock = mockClient(KMSClient);
const s3Mock = mockClient(S3Client);

const ENV = {
  SERVING_MODE: 'embedded',
  PSEUDONYM_KEY_ID: 'arn:aws:kms:eu-west-1:111111111111:key/pseudonym',
  MODEL_VERSION: '7',
  MODEL_DATA_URL: 's3://churn-dev-model-111111111111-eu-west-1/models/sha256/abc/model.json',
  MODEL_SHA256,
  CAPTURE_BUCKET: 'churn-dev-data-111111111111-eu-west-1',
  CAPTURE_PREFIX: 'capture/',
  CAPTURE_SOURCE: 'churn-dev-api',
  CAPTURE_PERCENT: '100',
  CAPTURE_WAIT_MS: '200',
  CAPTURE_MAX_PARKED_RECORDS: '1000',
  DEADLINE_MARGIN_MS: '500',
  PSEUDONYM_CACHE_SIZE: '1000',
  PSEUDONYM_CACHE_TTL_SECONDS: '3600',
  KMS_CONCURRENCY: '25',
  MAX_BODY_BYTES: '65536',
  RISK_HIGH: '0.7',
  RISK_MEDIUM: '0.4',
  POWERTOOLS_SERVICE_NAME: 'inference',
  POWERTOOLS_METRICS_NAMESPACE: 'churn/dev',
  POWERTOOLS_TRACE_ENABLED: 'false',
  AWS_REGION: 'eu-west-1',
};

const CONTEXT = {
  awsRequestId: 'lambda-req',
  functionName: 'inference',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:inference',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

function event(body: string | null, contentType = 'application/json'): APIGatewayProxyEvent {
  return {
    body,
    isBase64Encoded: false,
    headers: { 'Content-Type': contentType },
    requestContext: { requestId: 'api-req' },
  } as unknown as APIGatewayProxyEvent;
}

let handler: Handler;
let output: string[];
const saved = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, ENV, {
    // The specification and the compiled request model, as the stack bundles them.
    FEATURE_SPEC_PATH: join(__dirname, '..', '..', '..', 'models', 'sample-churn', 'feature-spec.json'),
    REQUEST_VALIDATOR_PATH: writeRequestValidatorModule(
      inferenceRequestSchema(SPEC, { maxBatchSize: 10, customerIdPattern: CUSTOMER_ID_PATTERN }),
    ),
  });
  // The module starts fetching the model at import (cold start), so the artifact must be there already.
  s3Mock.on(GetObjectCommand).resolves({ Body: s3Body(MODEL_BYTES) });
  handler = (await import('../../../lambda/inference/handler')).handler;
});

afterAll(() => {
  process.env = saved;
});

beforeEach(() => {
  kmsMock.reset();
  s3Mock.reset();
  kmsMock
    .on(GenerateMacCommand)
    .callsFake((input: { Message: Uint8Array }) => ({ Mac: macFor(input.Message) }));
  s3Mock.on(GetObjectCommand).resolves({ Body: s3Body(MODEL_BYTES) });
  s3Mock.on(PutObjectCommand).resolves({});
  output = [];
  const capture = (chunk: unknown) => {
    output.push(String(chunk));
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest
      .spyOn(console, level)
      .mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(' ')));
  }
});

afterEach(() => jest.restoreAllMocks());

describe('inference handler (API Gateway proxy, embedded model)', () => {
  test('loads the model from the gate-resolved artifact once, verifies it, scores and captures', async () => {
    const first = await handler(event(JSON.stringify(validRecord())), CONTEXT);
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({
      modelVersion: '7',
      pseudonymousId: expectedPseudonym('9393-PPCEA'),
    });
    await handler(event(JSON.stringify(validRecord())), CONTEXT);
    // The model was loaded once, at import (cold start); requests reuse it.
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(2);
    expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Key).toMatch(
      /^capture\/churn-dev-api\/embedded\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.jsonl$/,
    );
    expect(output.join('\n')).toContain('"message":"scored"');
  });

  test('MON-5, MON-6: the caller from the request context is captured and published per caller', async () => {
    const signed = {
      ...event(JSON.stringify(validRecord())),
      requestContext: {
        requestId: 'api-req',
        identity: { apiKeyId: null, userArn: 'arn:aws:sts::111122223333:assumed-role/churn-api-client/s1' },
      },
    } as unknown as APIGatewayProxyEvent;
    expect((await handler(signed, CONTEXT)).statusCode).toBe(200);
    const line = String(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body);
    expect(JSON.parse(line).eventMetadata.caller).toBe('role:churn-api-client');
    const emf = output.filter((o) => o.includes('"CallerRequests"')).map((o) => JSON.parse(o));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      Caller: 'role:churn-api-client',
      service: 'inference',
      CallerRequests: 1,
    });
    expect(output.join('\n')).toContain('"PredictedProbability"');
  });

  test('DATA-1/DATA-4: no raw customer id or raw feature value appears in any log line', async () => {
    const ids = ['4821-QWERT', '7733-ZXCVB', '1009-PLMOK', '5555-SECRT', '8080-NEWID'];
    const distinctive = {
      ...validRecord(ids[0]),
      MonthlyCharges: 87.6543,
      TotalCharges: 4321.987,
      PaymentMethod: 'Bank transfer (automatic)',
      InternetService: 'Fiber optic',
      tenure: 37,
    };
    const answers = [
      await handler(event(JSON.stringify(distinctive)), CONTEXT),
      await handler(event(JSON.stringify([distinctive, { ...distinctive, customerId: ids[1] }])), CONTEXT),
      // invalid value, an id sent as a field name, and an id in the wrong place
      await handler(
        event(JSON.stringify({ ...distinctive, customerId: ids[2], InternetService: 'Satellite-XJ9' })),
        CONTEXT,
      ),
      await handler(event(JSON.stringify({ ...distinctive, [ids[3]]: 1 })), CONTEXT),
      await handler(event(JSON.stringify({ ...distinctive, customerId: 'alice@example.com' })), CONTEXT),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 400, 400, 400]);
    kmsMock
      .on(GenerateMacCommand)
      .rejects(Object.assign(new Error(`cannot MAC ${ids[0]}`), { name: 'AccessDeniedException' }));
    // A customer the pseudonym cache has not seen, so KMS is asked (and fails).
    expect(
      (await handler(event(JSON.stringify({ ...distinctive, customerId: ids[4] })), CONTEXT)).statusCode,
    ).toBe(502);

    const logged = output.join('\n');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged).toContain(expectedPseudonym(ids[0]));
    for (const secret of [
      ...ids,
      'alice@example.com',
      '87.6543',
      '4321.987',
      'Bank transfer (automatic)',
      'Fiber optic',
      'Satellite-XJ9',
    ]) {
      expect({ secret, found: logged.includes(secret) }).toEqual({ secret, found: false });
    }
  });

  test('one contract: text where the model types a number is refused, not coerced (issue 13, defect 3)', async () => {
    const cases: Array<[string, unknown]> = [
      ['tenure', '49'],
      ['tenure', ' 49 '],
      ['tenure', '+1'],
      ['MonthlyCharges', '.5'],
      ['MonthlyCharges', '4.9e1'],
      ['TotalCharges', ''],
    ];
    for (const [field, value] of cases) {
      const answer = await handler(event(JSON.stringify({ ...validRecord(), [field]: value })), CONTEXT);
      expect({ field, value, status: answer.statusCode }).toEqual({ field, value, status: 400 });
      expect(JSON.parse(answer.body).error.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    // The same bodies without the JSON content type (which skips the edge model) are refused too.
    const answer = await handler(event(JSON.stringify({ ...validRecord(), tenure: '49' }), ''), CONTEXT);
    expect(answer.statusCode).toBe(400);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('DATA-4: a client-chosen key never reaches a log line, however it is shaped (issue 13, defect 4)', async () => {
    const keys = ['[5551234567]', '[5551234567].tenure', '[0].5551234567', '5551234567', '(body)5551234567'];
    for (const key of keys) {
      const single = await handler(event(JSON.stringify({ ...validRecord(), [key]: 1 })), CONTEXT);
      const batch = await handler(
        event(JSON.stringify([validRecord('1111-AAAAA'), { ...validRecord('2222-BBBBB'), [key]: 1 }])),
        CONTEXT,
      );
      expect([single.statusCode, batch.statusCode]).toEqual([400, 400]);
      // The client sees its own key named; the log only the position and '(unknown field)'.
      expect(JSON.parse(batch.body).error.errors).toEqual([
        { field: `[1].${key}`, message: 'is not a field of the feature specification' },
      ]);
    }
    const logged = output.join('\n');
    expect(logged).toContain('(unknown field)');
    expect(logged).not.toContain('5551234567');
  });
});

describe("served-answer check event (MODEL-6): the check's direct invoke is answered like the API, and is not traffic", () => {
  type CheckHandler = (event: AnswerCheckEvent, context: Context) => Promise<AnswerCheckReply>;
  const check = (event: AnswerCheckEvent) => (handler as unknown as CheckHandler)(event, CONTEXT);
  const { customerId: _id, ...features } = validRecord() as Record<string, string | number>;
  const records = [features, { ...features, tenure: 3, Contract: 'Month-to-month' }];

  test('MODEL-6 the check event is scored by the same encoder and model, unrounded, with no capture, no pseudonym, no traffic metric', async () => {
    const reply = await check({ servedAnswerCheck: { records } });
    const encoder = new FeatureEncoder(SPEC, modelEncoderOptions(MODEL));
    expect(reply).toEqual({
      ok: true,
      modelVersion: '7',
      probabilities: records.map((r) =>
        MODEL.predict((encoder.encode(r) as { vector: Float64Array }).vector),
      ),
    });
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(kmsMock.commandCalls(GenerateMacCommand)).toHaveLength(0);
    const logged = output.join('\n');
    expect(logged).toContain('"message":"served-answer check answered"');
    for (const metric of ['"Requests"', '"CallerRequests"', '"PredictedProbability"', '"ScoredCustomers"']) {
      expect({ metric, found: logged.includes(metric) }).toEqual({ metric, found: false });
    }
  });

  test('MODEL-6 a record the specification refuses is named by row and field, not scored', async () => {
    const reply = await check({
      servedAnswerCheck: { records: [features, { ...features, Contract: 'Weekly' }] },
    });
    expect(reply).toMatchObject({ ok: false, refused: [{ row: 2, field: 'Contract' }] });
  });

  test('MODEL-6 an API caller cannot forge the check: the same event as a body, or beside the request context, is an API request (captured, counted)', async () => {
    const forgedBody = await handler(event(JSON.stringify({ servedAnswerCheck: { records } })), CONTEXT);
    expect(forgedBody.statusCode).toBe(400);
    const merged = {
      ...event(JSON.stringify(validRecord())),
      servedAnswerCheck: { records },
    } as unknown as APIGatewayProxyEvent;
    const answer = await handler(merged, CONTEXT);
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ pseudonymousId: expectedPseudonym('9393-PPCEA') });
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(output.join('\n')).toContain('"Requests"');
  });
});
