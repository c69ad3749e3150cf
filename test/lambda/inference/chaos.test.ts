import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { writeRequestValidatorModule } from '../../../lib/build/request-validator';
import { KMS_CALL_POLICY } from '../../../lambda/inference/deadline';
import { inferenceRequestSchema } from '../../../lambda/inference/request-schema';
import { OK, startFakeAws, type Behaviour, type FakeAws } from '../../helpers/fake-aws';
import {
  CUSTOMER_ID_PATTERN,
  expectedPseudonym,
  MAC_SECRET,
  MODEL_BYTES,
  MODEL_DIR,
  MODEL_SHA256,
  SPEC,
  validRecord,
} from './fixtures';

/**
 * REL-1, REL-2 chaos tests: the real handler with its real SDK clients, pointed at a fake AWS on loopback
 * that answers, slows down, hangs, throttles, fails or answers garbage. Every answer must come before the
 * (pretend) platform timeout, with the right status and Retry-After, and the capture must be written,
 * parked and retried, never lost and never on the customer's time.
 */

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** What Lambda reports as remaining: the platform kills the function after this. */
const PLATFORM_TIMEOUT_MS = 5_000;
const MARGIN_MS = 800;
const BUDGET_MS = PLATFORM_TIMEOUT_MS - MARGIN_MS;
const CAPTURE_WAIT_MS = 200;

jest.setTimeout(30_000);

function context(): Context {
  return {
    awsRequestId: 'lambda-req',
    functionName: 'inference',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:inference',
    memoryLimitInMB: '1024',
    getRemainingTimeInMillis: () => PLATFORM_TIMEOUT_MS,
  } as unknown as Context;
}

function event(body: unknown): APIGatewayProxyEvent {
  return {
    body: JSON.stringify(body),
    isBase64Encoded: false,
    headers: { 'content-type': 'application/json' },
    requestContext: { requestId: 'api-req' },
  } as unknown as APIGatewayProxyEvent;
}

const ids = (n: number, offset = 0) =>
  Array.from(
    { length: n },
    (_, i) => `${String(1000 + offset + i)}-${String.fromCharCode(65 + (i % 26)).repeat(5)}`,
  );

let aws: FakeAws;
let output: string[];
const saved = { ...process.env };

function loadHandler(mode: 'embedded' | 'sagemaker', keep = false): Handler {
  if (!keep) aws.reset();
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDCHAOS',
    AWS_SECRET_ACCESS_KEY: 'chaos',
    AWS_ENDPOINT_URL_KMS: aws.url,
    AWS_ENDPOINT_URL_S3: aws.url,
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: aws.url,
    SERVING_MODE: mode,
    MAX_BODY_BYTES: '65536',
    RISK_HIGH: '0.7',
    RISK_MEDIUM: '0.4',
    PSEUDONYM_KEY_ID: 'arn:aws:kms:eu-west-1:111111111111:key/chaos',
    MODEL_VERSION: '7',
    MODEL_DATA_URL:
      mode === 'embedded' ? 's3://churn-dev-model-111111111111-eu-west-1/models/sha256/x/model.json' : '',
    MODEL_SHA256,
    ENDPOINT_NAME: 'churn-test',
    CAPTURE_BUCKET: 'churn-dev-data-111111111111-eu-west-1',
    CAPTURE_PREFIX: 'capture/',
    CAPTURE_SOURCE: 'churn-dev-api',
    CAPTURE_PERCENT: '100',
    CAPTURE_WAIT_MS: String(CAPTURE_WAIT_MS),
    CAPTURE_MAX_PARKED_RECORDS: '1000',
    DEADLINE_MARGIN_MS: String(MARGIN_MS),
    // No cache: every request asks KMS, so KMS's behaviour is what the request meets.
    PSEUDONYM_CACHE_SIZE: '0',
    PSEUDONYM_CACHE_TTL_SECONDS: '60',
    KMS_CONCURRENCY: '25',
    FEATURE_SPEC_PATH: join(MODEL_DIR, 'feature-spec.json'),
    REQUEST_VALIDATOR_PATH: writeRequestValidatorModule(
      inferenceRequestSchema(SPEC, { maxBatchSize: 100, customerIdPattern: CUSTOMER_ID_PATTERN }),
    ),
    POWERTOOLS_SERVICE_NAME: 'inference',
    POWERTOOLS_METRICS_NAMESPACE: 'churn/chaos',
  });
  let loaded: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = (require('../../../lambda/inference/handler') as { handler: Handler }).handler;
  });
  return loaded as Handler;
}

async function timed(
  handler: Handler,
  body: unknown,
): Promise<{ status: number; retryAfter?: string; code?: string; ms: number }> {
  const started = performance.now();
  const answer = await handler(event(body), context());
  const ms = performance.now() - started;
  const parsed = JSON.parse(answer.body) as { error?: { code: string } };
  return {
    status: answer.statusCode,
    retryAfter: answer.headers?.['Retry-After'] as string,
    code: parsed.error?.code,
    ms,
  };
}

/** Metric names the handler published (EMF lines on stdout). */
function publishedMetrics(): string[] {
  return output.flatMap((line) => {
    const match = /"Metrics":\[(.*?)\]/.exec(line);
    return match ? [...match[1].matchAll(/"Name":"(\w+)"/g)].map((m) => m[1]) : [];
  });
}

beforeAll(async () => {
  aws = await startFakeAws({
    macSecret: MAC_SECRET,
    object: MODEL_BYTES,
    scores: (rows) => Array(rows).fill('0.25').join('\n'),
  });
});

afterAll(async () => {
  process.env = saved;
  await aws.close();
});

beforeEach(() => {
  aws.reset();
  output = [];
  const capture = (chunk: unknown) => {
    output.push(String(chunk));
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  jest.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => jest.restoreAllMocks());

describe('REL-1: KMS hangs, slows, throttles, fails or answers garbage (embedded mode)', () => {
  let handler: Handler;
  beforeAll(async () => {
    handler = loadHandler('embedded');
    // Warm: the model is loaded from the fake S3 at import.
    expect((await timed(handler, validRecord())).status).toBe(200);
  });

  test('healthy: 200, and the capture is written', async () => {
    const answer = await timed(handler, validRecord('4444-DDDDD'));
    expect(answer.status).toBe(200);
    // (A cold client's first write may have been parked: it comes along with this one.)
    const lines = aws.stored.join('').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(publishedMetrics()).not.toContain('CaptureDropped');
  });

  test.each([
    ['a single customer', 1],
    ['a batch of 30', 30],
  ])(
    'hung KMS, %s: 503 ScoringTimeout with Retry-After before the platform timeout, retried, nothing captured',
    async (_what, n) => {
      aws.set('kms', { kind: 'hang' });
      const body = n === 1 ? validRecord() : ids(n).map((id) => validRecord(id));
      const answer = await timed(handler, body);
      expect(answer).toMatchObject({ status: 503, code: 'ScoringTimeout', retryAfter: '2' });
      // At least one whole attempt (2 s) was waited for; the answer came before the platform's timeout.
      expect(answer.ms).toBeGreaterThanOrEqual(KMS_CALL_POLICY.attemptTimeoutMs);
      expect(answer.ms).toBeLessThan(PLATFORM_TIMEOUT_MS);
      // Attempts time out at 2 s each and are retried inside the budget.
      expect(aws.calls.kms).toBeGreaterThanOrEqual(2 * Math.min(n, 25));
      expect(aws.stored).toEqual([]);
      expect(publishedMetrics()).toContain('DependencyTimeouts');
    },
  );

  test('slow KMS (800 ms a call), a batch of 10 distinct customers: 200 before the platform timeout (calls in parallel; in series they would take 8 s)', async () => {
    aws.set('kms', { kind: 'slow', ms: 800 });
    const answer = await timed(
      handler,
      ids(10, 100).map((id) => validRecord(id)),
    );
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(PLATFORM_TIMEOUT_MS);
  });

  test.each<[string, Behaviour, number, string, string | undefined]>([
    ['throttling', { kind: 'throttle' }, 429, 'Throttled', '1'],
    ['a 5xx', { kind: 'error5xx' }, 503, 'ScoringUnavailable', '5'],
    ['garbage', { kind: 'garbage' }, 502, 'ScoringFailed', undefined],
  ])('KMS %s: %s %s, within the budget', async (_what, behaviour, status, code, retryAfter) => {
    aws.set('kms', behaviour);
    const answer = await timed(handler, validRecord());
    expect(answer).toMatchObject({ status, code });
    expect(answer.retryAfter).toBe(retryAfter);
    expect(answer.ms).toBeLessThan(PLATFORM_TIMEOUT_MS);
    if (behaviour.kind !== 'garbage') expect(aws.calls.kms).toBeGreaterThanOrEqual(2);
    expect(aws.stored).toEqual([]);
  });
});

describe('REL-2: the capture write hangs, throttles or fails (embedded mode)', () => {
  let handler: Handler;
  beforeAll(async () => {
    handler = loadHandler('embedded');
    expect((await timed(handler, validRecord())).status).toBe(200);
  });

  test.each<[string, Behaviour]>([
    ['hangs', { kind: 'hang' }],
    ['throttles (SlowDown)', { kind: 'throttle' }],
    ['fails with a 5xx', { kind: 'error5xx' }],
    ['is slower than the wait', { kind: 'slow', ms: 3_000 }],
  ])(
    'S3 %s: the answer is 200 after at most the capture wait, the records are parked and written with the next request',
    async (_what, behaviour) => {
      aws.set('s3put', behaviour);
      const first = await timed(handler, [validRecord('1111-AAAAA'), validRecord('2222-BBBBB')]);
      expect(first.status).toBe(200);
      // Not held by the write (the slow case answers after 3 s): the capture wait plus room for a loaded machine.
      expect(first.ms).toBeLessThan(CAPTURE_WAIT_MS + 2_000);
      expect(aws.stored).toEqual([]);
      expect(publishedMetrics()).toEqual(
        expect.arrayContaining(['CaptureWriteFailures', 'CaptureParkedRecords']),
      );
      expect(publishedMetrics()).not.toContain('CaptureDropped');

      aws.set('s3put', OK);
      const second = await timed(handler, validRecord('3333-CCCCC'));
      expect(second.status).toBe(200);
      // The parked two and the new one, in one object: nothing lost.
      const captured = new Set(
        aws.stored
          .join('')
          .trim()
          .split('\n')
          .map(
            (line) =>
              (JSON.parse(line) as { eventMetadata: { inferenceId: string } }).eventMetadata.inferenceId,
          ),
      );
      for (const id of ['1111-AAAAA', '2222-BBBBB', '3333-CCCCC'])
        expect(captured).toContain(expectedPseudonym(id));
      expect(publishedMetrics()).toContain('CaptureRecordsRetried');
    },
  );
});

describe('REL-1: SageMaker runtime hangs, slows, throttles, fails or answers garbage (sagemaker mode)', () => {
  let handler: Handler;
  beforeAll(() => {
    handler = loadHandler('sagemaker');
  });

  test('healthy: 200 with the endpoint scores', async () => {
    const answer = await timed(handler, validRecord());
    expect(answer.status).toBe(200);
    expect(aws.calls.sagemaker).toBe(1);
  });

  test.each([
    ['a single customer', 1],
    ['a batch of 20', 20],
  ])(
    'hung endpoint, %s: 503 ScoringTimeout with Retry-After before the platform timeout',
    async (_what, n) => {
      aws.set('sagemaker', { kind: 'hang' });
      const body = n === 1 ? validRecord() : ids(n).map((id) => validRecord(id));
      const answer = await timed(handler, body);
      expect(answer).toMatchObject({ status: 503, code: 'ScoringTimeout', retryAfter: '2' });
      expect(answer.ms).toBeGreaterThanOrEqual(BUDGET_MS - 50);
      expect(answer.ms).toBeLessThan(PLATFORM_TIMEOUT_MS);
    },
  );

  test('slow endpoint (1 s): 200', async () => {
    aws.set('sagemaker', { kind: 'slow', ms: 1_000 });
    const answer = await timed(handler, validRecord());
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(BUDGET_MS);
  });

  test.each<[string, Behaviour, number, string, string | undefined]>([
    ['throttling', { kind: 'throttle' }, 429, 'Throttled', '1'],
    ['a 5xx', { kind: 'error5xx' }, 503, 'ScoringUnavailable', '5'],
    ['garbage', { kind: 'garbage' }, 502, 'ScoringFailed', undefined],
  ])('endpoint %s: %s %s, within the budget', async (_what, behaviour, status, code, retryAfter) => {
    aws.set('sagemaker', behaviour);
    const answer = await timed(handler, validRecord());
    expect(answer).toMatchObject({ status, code });
    expect(answer.retryAfter).toBe(retryAfter);
    expect(answer.ms).toBeLessThan(PLATFORM_TIMEOUT_MS);
    if (behaviour.kind !== 'garbage') expect(aws.calls.sagemaker).toBeGreaterThanOrEqual(2);
  });
});

describe('REL-2: the SageMaker path writes the capture of record too (sagemaker mode)', () => {
  test('the endpoint scores and the function captures each customer once, under its own stream', async () => {
    const handler = loadHandler('sagemaker');
    const answer = await timed(handler, [validRecord('5555-EEEEE'), validRecord('6666-FFFFF')]);
    expect(answer.status).toBe(200);
    expect(aws.calls.sagemaker).toBe(1);
    // The endpoint's own capture counts no failed writes; this one is counted, parked and retried.
    expect(aws.storedPaths).toHaveLength(1);
    expect(aws.storedPaths[0]).toMatch(
      /\/capture\/churn-dev-api\/sagemaker\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.jsonl\?x-id=PutObject$/,
    );
    const pseudonyms = aws.stored[0]
      .trim()
      .split('\n')
      .map(
        (line) => (JSON.parse(line) as { eventMetadata: { inferenceId: string } }).eventMetadata.inferenceId,
      );
    expect(pseudonyms).toEqual([expectedPseudonym('5555-EEEEE'), expectedPseudonym('6666-FFFFF')]);
  });
});

describe('REL-1: the model artifact hangs at cold start', () => {
  test('requests answer 503 before the platform timeout while S3 hangs', async () => {
    aws.set('s3get', { kind: 'hang' });
    const handler = loadHandler('embedded', true);
    const answer = await timed(handler, validRecord());
    expect(answer).toMatchObject({ status: 503, code: 'ScoringTimeout', retryAfter: '2' });
    expect(answer.ms).toBeLessThan(PLATFORM_TIMEOUT_MS);
  });
});
