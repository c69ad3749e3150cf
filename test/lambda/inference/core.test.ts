import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { columnOrder, handleInference, riskLevel, sageMakerBackend } from '../../../lambda/inference/core';
import { SAGEMAKER_CALL_POLICY } from '../../../lambda/inference/deadline';
import { captureCaller, decodeCaptureLine, type CaptureSink } from '../../../src/drift/capture';
import { FeatureEncoder } from '../../../src/features';
import {
  deps,
  EMBEDDED,
  expectedPseudonym,
  jsonRequest,
  KEY_ID,
  macFor,
  MODEL,
  SETTINGS,
  SPEC,
  validRecord,
} from './fixtures';

const kmsMock = mockClient(KMSClient);
const s3Mock = mockClient(S3Client);
const sageMakerMock = mockClient(SageMakerRuntimeClient);
const kms = new KMSClient({});
const s3 = new S3Client({});
const runtime = new SageMakerRuntimeClient({});

function sdkError(
  name: string,
  message = 'internal detail: arn:aws:sagemaker:eu-west-1:1:endpoint/secret-ep',
  status?: number,
) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

beforeEach(() => {
  kmsMock.reset();
  s3Mock.reset();
  sageMakerMock.reset();
  kmsMock
    .on(GenerateMacCommand)
    .callsFake((input: { Message: Uint8Array }) => ({ Mac: macFor(input.Message) }));
});

function encoded(record: Record<string, unknown>): Float64Array {
  const { customerId: _id, ...features } = record;
  const result = new FeatureEncoder(SPEC, { modelFeatureNames: MODEL.featureNames }).encode(features);
  if (!result.ok) throw new Error('fixture record is invalid');
  return result.vector;
}

describe('embedded scoring (DATA-1, DATA-5)', () => {
  test('a valid customer gets the model probability, a risk level, the model version, a pseudonym and top contributions', async () => {
    const answer = await handleInference(jsonRequest(validRecord()), deps(kms));
    expect(answer.statusCode).toBe(200);
    const body = JSON.parse(answer.body);
    const expected = MODEL.predict(encoded(validRecord()));
    expect(body.probability).toBeCloseTo(expected, 6);
    expect(body.riskLevel).toBe(riskLevel(expected, SETTINGS.riskThresholds));
    expect(body.modelVersion).toBe('3');
    expect(body.pseudonymousId).toBe(expectedPseudonym('9393-PPCEA'));
    expect(body.explanation.method).toBe('TreeSHAP');
    const top = body.explanation.topContributions as Array<{ feature: string; contribution: number }>;
    expect(top).toHaveLength(5);
    const magnitudes = top.map((c) => Math.abs(c.contribution));
    expect(magnitudes).toEqual([...magnitudes].sort((a, b) => b - a));
    for (const c of top) expect(SPEC.fields.map((f) => f.name)).toContain(c.feature);
    expect(answer.body).not.toContain('9393-PPCEA');
    expect(answer.headers['Cache-Control']).toBe('no-store');
  });

  test('the pseudonym is a KMS GenerateMac (HMAC_SHA_256) of the id with the configured key', async () => {
    await handleInference(jsonRequest(validRecord()), deps(kms));
    const calls = kmsMock.commandCalls(GenerateMacCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input.KeyId).toBe(KEY_ID);
    expect(calls[0].args[0].input.MacAlgorithm).toBe('HMAC_SHA_256');
    expect(Buffer.from(calls[0].args[0].input.Message as Uint8Array).toString()).toBe('9393-PPCEA');
  });

  test('a batch answers per customer in request order and computes each distinct pseudonym once', async () => {
    const records = [
      validRecord('1111-AAAAA'),
      { ...validRecord('2222-BBBBB'), tenure: 1 },
      validRecord('1111-AAAAA'),
    ];
    const answer = await handleInference(jsonRequest(records), deps(kms));
    expect(answer.statusCode).toBe(200);
    const body = JSON.parse(answer.body);
    expect(body.results.map((r: { pseudonymousId: string }) => r.pseudonymousId)).toEqual([
      expectedPseudonym('1111-AAAAA'),
      expectedPseudonym('2222-BBBBB'),
      expectedPseudonym('1111-AAAAA'),
    ]);
    expect(body.results[1].probability).toBeCloseTo(MODEL.predict(encoded(records[1])), 6);
    expect(kmsMock.commandCalls(GenerateMacCommand)).toHaveLength(2);
  });

  test('risk levels follow the configured thresholds (strictly above)', () => {
    const t = { high: 0.7, medium: 0.4 };
    expect([0.71, 0.7, 0.41, 0.4, 0].map((p) => riskLevel(p, t))).toEqual([
      'High',
      'Medium',
      'Medium',
      'Low',
      'Low',
    ]);
  });
});

describe('cold start: validation needs no model, pseudonymisation overlaps the model load', () => {
  test('an invalid request gets 400 even while the model cannot be loaded', async () => {
    const answer = await handleInference(
      jsonRequest({ ...validRecord(), tenure: -5 }),
      deps(kms, { backend: () => Promise.reject(new Error('S3 unreachable')) }),
    );
    expect(answer.statusCode).toBe(400);
  });

  test('GenerateMac is called before the model has finished loading', async () => {
    let release: (b: typeof EMBEDDED) => void = () => undefined;
    const loading = new Promise<typeof EMBEDDED>((resolve) => (release = resolve));
    const pending = handleInference(jsonRequest(validRecord()), deps(kms, { backend: () => loading }));
    await new Promise((r) => setTimeout(r, 10));
    expect(kmsMock.commandCalls(GenerateMacCommand)).toHaveLength(1);
    release(EMBEDDED);
    expect((await pending).statusCode).toBe(200);
  });

  test('vectors are reordered from the specification columns to the served model columns', () => {
    const specOrder = new FeatureEncoder(SPEC);
    const reversed = new FeatureEncoder(SPEC, { modelFeatureNames: [...specOrder.columns].reverse() });
    const { customerId: _id, ...features } = validRecord();
    const spec = specOrder.encode(features);
    const model = reversed.encode(features);
    if (!spec.ok || !model.ok) throw new Error('fixture record is invalid');
    expect(Array.from(columnOrder(specOrder, reversed)(spec.vector))).toEqual(Array.from(model.vector));
    expect(columnOrder(specOrder, new FeatureEncoder(SPEC))(spec.vector)).toBe(spec.vector);
  });
});

describe('validation: nothing invalid reaches KMS or the model', () => {
  test.each([
    ['a wrong category', { InternetService: 'Satellite' }, 'InternetService'],
    ['a number out of range', { tenure: 500 }, 'tenure'],
    ['a string for a number', { MonthlyCharges: 'lots' }, 'MonthlyCharges'],
    ['a malformed customer id', { customerId: 'not-an-id' }, 'customerId'],
    ['a missing customer id', { customerId: undefined }, 'customerId'],
    ['an unknown field', { favouriteColour: 'blue' }, 'favouriteColour'],
  ])('%s gets 400 naming the field', async (_what, change, field) => {
    const score = jest.fn();
    const answer = await handleInference(
      jsonRequest({ ...validRecord(), ...change }),
      deps(kms, { backend: () => Promise.resolve({ ...EMBEDDED, score }) }),
    );
    expect(answer.statusCode).toBe(400);
    const body = JSON.parse(answer.body);
    expect(body.error.code).toBe('InvalidRequest');
    expect(body.error.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(score).not.toHaveBeenCalled();
    expect(kmsMock.commandCalls(GenerateMacCommand)).toHaveLength(0);
  });

  test('a rejected customer id is not echoed back', async () => {
    const answer = await handleInference(
      jsonRequest({ ...validRecord(), customerId: 'ALICE-SMITH-42' }),
      deps(kms),
    );
    expect(answer.statusCode).toBe(400);
    expect(answer.body).not.toContain('ALICE-SMITH-42');
  });

  test('batch errors are located by index, every problem is listed', async () => {
    const records = [validRecord('1111-AAAAA'), { ...validRecord('bad'), tenure: -1 }, 'nope'];
    const answer = await handleInference(jsonRequest(records), deps(kms));
    expect(answer.statusCode).toBe(400);
    const fields = JSON.parse(answer.body).error.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(['[1].customerId', '[1].tenure', '[2]']);
  });

  test.each([
    ['no body', 400, '(body)', { body: null }],
    ['an empty batch', 400, '(body)', jsonRequest([])],
    [
      'more customers than maxBatchSize',
      400,
      '(body)',
      jsonRequest(Array.from({ length: 6 }, () => validRecord())),
    ],
    ['invalid JSON', 400, '(body)', { body: '{"customerId":', contentType: 'application/json' }],
    ['a body over the size limit', 413, '(body)', { body: JSON.stringify({ pad: 'x'.repeat(70_000) }) }],
    ['a non-JSON content type', 415, 'Content-Type', { body: 'a,b', contentType: 'text/csv' }],
  ])('%s gets %s naming %s', async (_what, status, field, request) => {
    const answer = await handleInference(request, deps(kms));
    expect(answer.statusCode).toBe(status);
    expect(JSON.parse(answer.body).error.errors[0].field).toBe(field);
  });

  test('a base64-encoded body (binary media types) is decoded first', async () => {
    const body = Buffer.from(JSON.stringify(validRecord())).toString('base64');
    const answer = await handleInference({ body, isBase64Encoded: true }, deps(kms));
    expect(answer.statusCode).toBe(200);
  });
});

describe('dependency failures map to status codes without internal detail', () => {
  const sageMakerDeps = (withModel = false) =>
    deps(kms, {
      backend: () =>
        Promise.resolve(
          sageMakerBackend(runtime, SPEC, {
            endpointName: 'secret-ep',
            policy: SAGEMAKER_CALL_POLICY,
            ...(withModel ? { model: MODEL } : {}),
          }),
        ),
    });

  test('the SageMaker path sends CSV rows in model column order and reads CSV scores', async () => {
    sageMakerMock
      .on(InvokeEndpointCommand)
      .resolves({ Body: new TextEncoder().encode('0.91\n0.12\n') as never });
    const answer = await handleInference(
      jsonRequest([validRecord('1111-AAAAA'), validRecord('2222-BBBBB')]),
      sageMakerDeps(),
    );
    expect(answer.statusCode).toBe(200);
    const body = JSON.parse(answer.body);
    expect(body.results.map((r: { riskLevel: string }) => r.riskLevel)).toEqual(['High', 'Low']);
    expect(body.results[0].explanation).toBeUndefined();
    const input = sageMakerMock.commandCalls(InvokeEndpointCommand)[0].args[0].input;
    expect(input.ContentType).toBe('text/csv');
    const rows = new TextDecoder().decode(input.Body as Uint8Array).split('\n');
    expect(rows).toHaveLength(2);
    expect(rows[0].split(',').map(Number)).toEqual(Array.from(encoded(validRecord())));
    // The call carries its own deadline, shorter than the function's timeout.
    expect((sageMakerMock.commandCalls(InvokeEndpointCommand)[0].args as unknown[])[1]).toHaveProperty(
      'abortSignal',
    );
  });

  test('the SageMaker path explains with TreeSHAP when the function holds the served model', async () => {
    sageMakerMock.on(InvokeEndpointCommand).resolves({ Body: new TextEncoder().encode('0.5') as never });
    const answer = await handleInference(jsonRequest(validRecord()), sageMakerDeps(true));
    expect(JSON.parse(answer.body).explanation.topContributions).toHaveLength(5);
  });

  test.each([
    ['ThrottlingException', 429, 'Throttled'],
    ['TimeoutError', 503, 'ScoringTimeout'],
    ['ModelNotReadyException', 503, 'ScoringUnavailable'],
    ['ServiceUnavailable', 503, 'ScoringUnavailable'],
    ['AccessDeniedException', 502, 'ScoringFailed'],
    ['ModelError', 502, 'ScoringFailed'],
    ['InternalFailure', 503, 'ScoringUnavailable'],
  ])('InvokeEndpoint %s -> %s %s', async (name, status, code) => {
    sageMakerMock.on(InvokeEndpointCommand).rejects(sdkError(name));
    const d = sageMakerDeps();
    const answer = await handleInference(jsonRequest(validRecord()), d);
    expect(answer.statusCode).toBe(status);
    const body = JSON.parse(answer.body);
    expect(body.error.code).toBe(code);
    expect(body.error.requestId).toBe('req-1');
    expect(answer.body).not.toMatch(/secret-ep|arn:|internal detail/);
    const logged = JSON.stringify(d.recorded.logs);
    expect(logged).toContain(name);
    expect(logged).not.toContain('internal detail');
  });

  test('a missing endpoint (ValidationException naming it) is 503, not a client error', async () => {
    sageMakerMock
      .on(InvokeEndpointCommand)
      .rejects(sdkError('ValidationException', 'Endpoint secret-ep of account 1 not found.', 400));
    const answer = await handleInference(jsonRequest(validRecord()), sageMakerDeps());
    expect(answer.statusCode).toBe(503);
    expect(answer.body).not.toContain('secret-ep');
  });

  test('a socket timeout (ETIMEDOUT) is 503 ScoringTimeout with Retry-After', async () => {
    sageMakerMock
      .on(InvokeEndpointCommand)
      .rejects(Object.assign(new Error('socket'), { code: 'ETIMEDOUT' }));
    const answer = await handleInference(jsonRequest(validRecord()), sageMakerDeps());
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['Retry-After']).toBe('2');
  });

  test('an answer that is not one probability per customer is 502', async () => {
    sageMakerMock.on(InvokeEndpointCommand).resolves({ Body: new TextEncoder().encode('1.7') as never });
    expect((await handleInference(jsonRequest(validRecord()), sageMakerDeps())).statusCode).toBe(502);
    sageMakerMock.on(InvokeEndpointCommand).resolves({ Body: new TextEncoder().encode('<html>') as never });
    expect((await handleInference(jsonRequest(validRecord()), sageMakerDeps())).statusCode).toBe(502);
  });

  test.each([
    ['ThrottlingException', 429],
    ['KMSInternalException', 503],
    ['DisabledException', 502],
    ['AccessDeniedException', 502],
    ['NotFoundException', 502],
  ])('GenerateMac %s -> %s, and nothing is scored', async (name, status) => {
    kmsMock.on(GenerateMacCommand).rejects(sdkError(name, `key ${KEY_ID} problem`));
    const score = jest.fn();
    const answer = await handleInference(
      jsonRequest(validRecord()),
      deps(kms, { backend: () => Promise.resolve({ ...EMBEDDED, score }) }),
    );
    expect(answer.statusCode).toBe(status);
    expect(answer.body).not.toContain(KEY_ID);
    expect(score).not.toHaveBeenCalled();
  });

  test('a model that cannot be loaded (S3 down, digest mismatch) answers 503', async () => {
    const failing = Object.assign(new Error('digest mismatch for s3://bucket/key'), {
      name: 'DigestMismatchError',
    });
    const answer = await handleInference(
      jsonRequest(validRecord()),
      deps(kms, { backend: () => Promise.reject(failing) }),
    );
    expect(answer.statusCode).toBe(503);
    expect(answer.body).not.toContain('s3://');
  });
});

describe('embedded capture (DATA-3, DATA-4)', () => {
  const capture = { percent: 100 };
  const captureDeps = () =>
    deps(kms, {
      settings: { ...SETTINGS, capture },
      s3,
      now: () => new Date('2026-11-23T05:06:07Z'),
      newId: () => 'id-1',
    });

  test('writes one SageMaker-shaped line per customer that the drift decoder reads, without the raw id', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    const answer = await handleInference(
      jsonRequest([validRecord('1111-AAAAA'), validRecord('2222-BBBBB')]),
      captureDeps(),
    );
    expect(answer.statusCode).toBe(200);
    const put = s3Mock.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put.Bucket).toBe('data-bucket');
    expect(put.Key).toBe('capture/churn-dev-api/embedded/2026/11/23/05/id-1.jsonl');
    expect(put).not.toHaveProperty('SSEKMSKeyId');
    const text = put.Body as string;
    expect(text).not.toMatch(/1111-AAAAA|2222-BBBBB/);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const records: Array<Record<string, unknown>> = [];
    const scores: unknown[] = [];
    const sink: CaptureSink = {
      csvRow: () => undefined,
      positionalRow: () => undefined,
      namedRecord: (r) => records.push({ ...r }),
      score: (s) => scores.push(s),
    };
    for (const line of lines) decodeCaptureLine(line, sink);
    const { customerId: _drop, ...features } = validRecord();
    expect(records).toEqual([features, features]);
    expect(scores).toEqual(
      JSON.parse(answer.body).results.map((r: { probability: number }) => r.probability),
    );
    expect(JSON.parse(lines[0]).eventMetadata.inferenceId).toBe(expectedPseudonym('1111-AAAAA'));
  });

  test('a failed capture write still answers 200 and is counted', async () => {
    s3Mock.on(PutObjectCommand).rejects(sdkError('AccessDenied'));
    const d = captureDeps();
    const answer = await handleInference(jsonRequest(validRecord()), d);
    expect(answer.statusCode).toBe(200);
    expect(d.recorded.metrics.map((m) => m.name)).toContain('CaptureWriteFailures');
  });

  test('sampling: 0 percent writes nothing; the SageMaker path writes the capture of record too (REL-2)', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    await handleInference(
      jsonRequest(validRecord()),
      deps(kms, { settings: { ...SETTINGS, capture: { ...capture, percent: 0 } }, s3 }),
    );
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    sageMakerMock.on(InvokeEndpointCommand).resolves({ Body: new TextEncoder().encode('0.5') as never });
    const viaEndpoint = await handleInference(
      jsonRequest(validRecord()),
      deps(kms, {
        settings: { ...SETTINGS, capture },
        s3,
        backend: () =>
          Promise.resolve(
            sageMakerBackend(runtime, SPEC, { endpointName: 'ep', policy: SAGEMAKER_CALL_POLICY }),
          ),
      }),
    );
    expect(viaEndpoint.statusCode).toBe(200);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });
});

describe('MON-5, MON-6: the caller is recorded with the capture and counted; probabilities are published', () => {
  test('MON-6 embedded capture lines carry the caller label, which the drift decoder reads back', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    await handleInference(
      jsonRequest([validRecord('1111-AAAAA'), validRecord('2222-BBBBB')]),
      deps(kms, { settings: { ...SETTINGS, capture: { percent: 100 } }, s3, caller: 'api-key:k1' }),
    );
    const lines = (s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body as string)
      .trimEnd()
      .split('\n');
    expect(lines.map((l) => captureCaller(l, 0, l.length))).toEqual(['api-key:k1', 'api-key:k1']);
    expect(lines.join('\n')).not.toMatch(/1111-AAAAA|2222-BBBBB/);
  });

  test('MON-6 the SageMaker path passes the caller as InferenceId, which the endpoint capture records', async () => {
    sageMakerMock.on(InvokeEndpointCommand).resolves({ Body: new TextEncoder().encode('0.5') as never });
    const backend = sageMakerBackend(runtime, SPEC, { endpointName: 'ep', policy: SAGEMAKER_CALL_POLICY });
    await handleInference(
      jsonRequest(validRecord()),
      deps(kms, { backend: () => Promise.resolve(backend), caller: 'role:churn-api-client' }),
    );
    await handleInference(jsonRequest(validRecord()), deps(kms, { backend: () => Promise.resolve(backend) }));
    const calls = sageMakerMock.commandCalls(InvokeEndpointCommand);
    expect(calls[0].args[0].input.InferenceId).toBe('role:churn-api-client');
    expect(calls[1].args[0].input).not.toHaveProperty('InferenceId');
  });

  test('MON-5 each scored probability and each named caller is published as a metric', async () => {
    const d = deps(kms, { caller: 'api-key:k1' });
    const answer = await handleInference(
      jsonRequest([validRecord('1111-AAAAA'), validRecord('2222-BBBBB')]),
      d,
    );
    const probabilities = JSON.parse(answer.body).results.map((r: { probability: number }) => r.probability);
    const published = d.recorded.metrics.filter((m) => m.name === 'PredictedProbability').map((m) => m.value);
    expect(published.map((p) => Math.round(p * 1e6) / 1e6)).toEqual(probabilities);
    expect(d.recorded.metrics.filter((m) => m.name === 'CallerRequests')).toEqual([
      { name: 'CallerRequests', value: 1, caller: 'api-key:k1' },
    ]);
    const anonymous = deps(kms);
    await handleInference(jsonRequest(validRecord()), anonymous);
    expect(anonymous.recorded.metrics.some((m) => m.name === 'CallerRequests')).toBe(false);
  });
});

describe('no model deployed yet (ENV-4)', () => {
  const nothingServed = { ...SETTINGS, modelVersion: 'none' };

  test('answers 503 NoModelDeployed with Retry-After, without loading a model or calling KMS', async () => {
    const backend = jest.fn(() => Promise.resolve(EMBEDDED));
    const d = deps(kms, { settings: nothingServed, backend });
    const answer = await handleInference(jsonRequest(validRecord()), d);
    expect(answer.statusCode).toBe(503);
    expect(JSON.parse(answer.body).error).toEqual({
      code: 'NoModelDeployed',
      message: 'no model version has been approved and deployed in this environment yet',
      requestId: 'req-1',
    });
    expect(answer.headers['Retry-After']).toBe('300');
    expect(backend).not.toHaveBeenCalled();
    expect(kmsMock.commandCalls(GenerateMacCommand)).toHaveLength(0);
    expect(answer.body).not.toContain('9393-PPCEA');
  });

  test('an invalid request still gets its 400 first', async () => {
    const answer = await handleInference(
      jsonRequest({ ...validRecord(), tenure: -1 }),
      deps(kms, { settings: nothingServed }),
    );
    expect(answer.statusCode).toBe(400);
  });
});
