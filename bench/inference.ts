/**
 * Inference function benchmark (printed, never asserted):
 *  - single-request handler latency p50/p99, in-process: the real `handleInference` with the embedded sample
 *    model (validation, pseudonymisation through an in-process HMAC standing in for KMS, scoring, TreeSHAP
 *    explanation, response JSON); also a batch of 100;
 *  - cold initialisation: the handler bundled by esbuild exactly as SecureFunction bundles it, loaded by a
 *    fresh `node` process (without --enable-source-maps, as deployed) that then answers its first request;
 *    S3 (model artifact) and KMS (GenerateMac) are a local HTTP stand-in, so the figure is bundle load +
 *    client set-up + artifact fetch, SHA-256 check and model parse + first scoring, without network latency
 *    to AWS;
 *  - bundle sizes: with the SDK bundled (what is deployed) and with the SDK taken from the runtime.
 * Targets on the 2-core dev machine: p99 < 1 ms, cold init < 150 ms, bundle < 1 MB.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { KMSClient } from '@aws-sdk/client-kms';
import { embeddedBackend, handleInference, type InferenceDeps } from '../lambda/inference/core';
import { budgetOf, KMS_CALL_POLICY } from '../lambda/inference/deadline';
import { Pseudonymiser } from '../lambda/inference/pseudonyms';
import { modelFromArtifact } from '../lambda/inference/model-source';
import { inferenceRequestSchema } from '../lambda/inference/request-schema';
import { compileRequestValidator, writeRequestValidatorModule } from '../lib/build/request-validator';
import { FeatureEncoder, parseFeatureSpec } from '../src/features';
import { EXAMPLE_CONFIG_PATH, loadConfig } from '../lib/config';
import { startFakeAws, type FakeAws } from '../test/helpers/fake-aws';
import { seededRandom } from '../src/seeded-random';

const ROOT = join(__dirname, '..');
const MODEL_DIR = join(ROOT, 'models', 'sample-churn');
const MODEL_BYTES = readFileSync(join(MODEL_DIR, 'model.json'));
const MODEL_SHA256 = readFileSync(join(MODEL_DIR, 'model.sha256'), 'utf8').split(/\s+/)[0];
const SPEC = parseFeatureSpec(JSON.parse(readFileSync(join(MODEL_DIR, 'feature-spec.json'), 'utf8')));
const SECRET = 'bench-hmac-secret';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Holdout rows as API records (numbers as JSON numbers, blanks omitted). */
function holdoutRecords(): Record<string, unknown>[] {
  const [header, ...lines] = readFileSync(join(MODEL_DIR, 'holdout.csv'), 'utf8').trim().split('\n');
  const names = header.split(',');
  const numeric = new Set(SPEC.fields.filter((f) => f.type === 'numeric').map((f) => f.name));
  const known = new Set(SPEC.fields.map((f) => f.name));
  return lines.map((line) => {
    const values = line.split(',');
    const record: Record<string, unknown> = {};
    names.forEach((name, i) => {
      if (name === 'customerID') record.customerId = values[i];
      else if (known.has(name) && values[i] !== '')
        record[name] = numeric.has(name) ? Number(values[i]) : values[i];
    });
    return record;
  });
}

async function inProcess(): Promise<void> {
  const fakeKms = {
    send: (command: { input: { Message: Uint8Array } }) =>
      Promise.resolve({ Mac: createHmac('sha256', SECRET).update(command.input.Message).digest() }),
  } as unknown as Pick<KMSClient, 'send'>;
  const model = await modelFromArtifact(MODEL_BYTES, MODEL_SHA256, 'model.json');
  const backend = embeddedBackend(model, SPEC);
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const deps: InferenceDeps = {
    settings: {
      limits: { maxBodyBytes: 65_536 },
      riskThresholds: { high: 0.7, medium: 0.4 },
      pseudonymKeyId: 'bench',
      modelVersion: '1',
      topContributions: 5,
    },
    contract: {
      validate: compileRequestValidator(BENCH_SCHEMA),
      encoder: new FeatureEncoder(SPEC),
    },
    backend: () => Promise.resolve(backend),
    // No cache: every request pays its (in-process) MAC, as the figure has always meant.
    pseudonymiser: new Pseudonymiser(fakeKms, {
      keyId: 'bench',
      cacheSize: 0,
      cacheTtlMs: 0,
      concurrency: 25,
      policy: KMS_CALL_POLICY,
    }),
    budget: budgetOf(3_600_000),
    log: silent,
    metrics: {
      count: () => undefined,
      milliseconds: () => undefined,
      probability: () => undefined,
      callerRequest: () => undefined,
    },
    requestId: 'bench',
  };
  const bodies = holdoutRecords().map((r) => JSON.stringify(r));
  const run = async (body: string) => {
    const answer = await handleInference({ body, contentType: 'application/json' }, deps);
    if (answer.statusCode !== 200) throw new Error(`bench request failed: ${answer.body}`);
  };
  for (let i = 0; i < 2000; i++) await run(bodies[i % bodies.length]);
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const body = bodies[i % bodies.length];
    const c = process.cpuUsage();
    const t = performance.now();
    await run(body);
    samples.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpuSamples.push((used.user + used.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  cpuSamples.sort((a, b) => a - b);
  console.log(
    `single request (validate + HMAC + score + TreeSHAP top-5 + JSON), ${samples.length} requests: ` +
      `p50 ${(percentile(samples, 50) * 1000).toFixed(0)} µs, p99 ${(percentile(samples, 99) * 1000).toFixed(0)} µs, ` +
      `max ${samples[samples.length - 1].toFixed(2)} ms (target p99 < 1 ms); CPU time per request ` +
      `p50 ${(percentile(cpuSamples, 50) * 1000).toFixed(0)} µs, p99 ${(percentile(cpuSamples, 99) * 1000).toFixed(0)} µs`,
  );
  const batch = JSON.stringify(holdoutRecords().slice(0, 100));
  const batchSamples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await run(batch);
    batchSamples.push(performance.now() - t);
  }
  batchSamples.sort((a, b) => a - b);
  console.log(
    `batch of 100: p50 ${percentile(batchSamples, 50).toFixed(2)} ms, p99 ${percentile(batchSamples, 99).toFixed(2)} ms`,
  );
  const parse: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    modelFromArtifact(MODEL_BYTES, MODEL_SHA256, 'model.json');
    parse.push(performance.now() - t);
  }
  parse.sort((a, b) => a - b);
  console.log(
    `model artifact verify + parse + compile (${(MODEL_BYTES.length / 1024).toFixed(0)} KiB JSON), warm: median ${percentile(parse, 50).toFixed(1)} ms`,
  );
}

/** Bundles the handler as SecureFunction does (esbuild, ESM, minified, node24) into `dir`. */
function bundle(dir: string, sdkExternal: boolean): string {
  const out = join(dir, sdkExternal ? 'external-sdk' : 'bundled-sdk', 'index.mjs');
  execFileSync(
    join(ROOT, 'node_modules', '.bin', 'esbuild'),
    [
      join(ROOT, 'lambda', 'inference', 'handler.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node24',
      '--minify',
      '--sourcemap',
      '--main-fields=module,main',
      "--banner:js=import { createRequire } from 'module';const require = createRequire(import.meta.url);",
      `--outfile=${out}`,
      '--log-level=error',
      ...(sdkExternal ? ['--external:@aws-sdk/*'] : []),
    ],
    { cwd: ROOT },
  );
  return out;
}

const CHILD = `
const t0 = performance.now();
const { handler } = await import(process.argv[1]);
const t1 = performance.now();
const event = { body: process.argv[2], isBase64Encoded: false, headers: { 'content-type': 'application/json' }, requestContext: { requestId: 'r' } };
const context = { awsRequestId: 'a', functionName: 'inference', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:inference', getRemainingTimeInMillis: () => 10000 };
const first = await handler(event, context);
const t2 = performance.now();
const cpu = process.cpuUsage();
const second = await handler(event, context);
const t3 = performance.now();
if (first.statusCode !== 200 || second.statusCode !== 200) throw new Error(first.body);
console.log(JSON.stringify({ processStartToImport: t0, importMs: t1 - t0, firstInvocationMs: t2 - t1, warmInvocationMs: t3 - t2, readyAt: t2, cpuToReadyMs: (cpu.user + cpu.system) / 1000 }));
`;

function apiInferenceDefaults() {
  const dev = loadConfig(EXAMPLE_CONFIG_PATH).environments.find((e) => e.name === 'dev');
  if (!dev) throw new Error('config/example.json has no dev environment');
  return dev.api.inference;
}

/** The configuration's defaults (api.inference), as the stack writes them into the function's environment. */
const TUNING = apiInferenceDefaults();
const TUNING_ENV = {
  DEADLINE_MARGIN_MS: String(TUNING.deadlineMarginMs),
  PSEUDONYM_CACHE_SIZE: String(TUNING.pseudonymCacheSize),
  PSEUDONYM_CACHE_TTL_SECONDS: String(TUNING.pseudonymCacheTtlSeconds),
  KMS_CONCURRENCY: String(TUNING.kmsConcurrency),
  CAPTURE_WAIT_MS: String(TUNING.captureWaitMs),
  CAPTURE_MAX_PARKED_RECORDS: String(TUNING.captureMaxParkedRecords),
};

const BENCH_SCHEMA = inferenceRequestSchema(SPEC, {
  maxBatchSize: 100,
  customerIdPattern: '^[0-9]{4}-[A-Z]{5}$',
});

function runChild(file: string, body: string, endpoint: string): Promise<Record<string, number>> {
  const env = {
    REQUEST_VALIDATOR_PATH: writeRequestValidatorModule(BENCH_SCHEMA),
    FEATURE_SPEC_PATH: join(MODEL_DIR, 'feature-spec.json'),
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_KMS: endpoint,
    SERVING_MODE: 'embedded',
    MAX_BODY_BYTES: '65536',
    RISK_HIGH: '0.7',
    RISK_MEDIUM: '0.4',
    PSEUDONYM_KEY_ID: 'arn:aws:kms:eu-west-1:111111111111:key/bench',
    MODEL_VERSION: '1',
    MODEL_DATA_URL: 's3://churn-dev-model-111111111111-eu-west-1/models/sha256/x/model.json',
    MODEL_SHA256,
    POWERTOOLS_SERVICE_NAME: 'inference',
    POWERTOOLS_METRICS_NAMESPACE: 'bench',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...TUNING_ENV,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, file, body], {
      env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`cold-start child failed (${code}): ${err}${out}`));
      else resolve(JSON.parse(line) as Record<string, number>);
    });
  });
}

async function coldStart(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'inference-bench-'));
  const aws = await startFakeAws({ macSecret: SECRET, object: MODEL_BYTES });
  try {
    const bundled = bundle(dir, false);
    const external = bundle(dir, true);
    const size = (file: string) => {
      const bytes = readFileSync(file);
      return `${(bytes.length / 1024).toFixed(0)} KiB (${(gzipSync(bytes).length / 1024).toFixed(0)} KiB gzipped)`;
    };
    console.log(
      `bundle, SDK bundled (deployed): ${size(bundled)}; source map ${(statSync(`${bundled}.map`).size / 1024).toFixed(0)} KiB beside it (not read: the function runs without --enable-source-maps)`,
    );
    console.log(`bundle, SDK from the runtime (for comparison): ${size(external)}`);
    const body = JSON.stringify(holdoutRecords()[0]);
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const runs: Array<Record<string, number>> = [];
    for (let i = 0; i < 7; i++) runs.push(await runChild(bundled, body, aws.url));
    const median = (key: string) => {
      const values = runs.map((r) => r[key]).sort((a, b) => a - b);
      return values[Math.floor(values.length / 2)];
    };
    console.log(
      `cold init (fresh node, median of ${runs.length}): bundle load ${median('importMs').toFixed(1)} ms + ` +
        `first request ${median('firstInvocationMs').toFixed(1)} ms (artifact fetch from local S3 stand-in, SHA-256, parse, ` +
        `first scoring) = ${(median('importMs') + median('firstInvocationMs')).toFixed(1)} ms (target < 150 ms); ` +
        `then warm request ${median('warmInvocationMs').toFixed(2)} ms; node's own start before the import ${median('processStartToImport').toFixed(1)} ms`,
    );
    console.log(
      `cold init CPU time (user + system, whole process from start to first answer, median): ${median('cpuToReadyMs').toFixed(1)} ms ` +
        '(less sensitive than wall-clock to other load on the machine)',
    );
  } finally {
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The real handler module (embedded mode, real SDK clients) against the fake AWS, in this process. */
async function inProcessHandler(aws: FakeAws) {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_S3: aws.url,
    AWS_ENDPOINT_URL_KMS: aws.url,
    SERVING_MODE: 'embedded',
    PSEUDONYM_KEY_ID: 'arn:aws:kms:eu-west-1:111111111111:key/bench',
    MODEL_VERSION: '1',
    MODEL_DATA_URL: 's3://churn-dev-model-111111111111-eu-west-1/models/sha256/x/model.json',
    MODEL_SHA256,
    CAPTURE_BUCKET: 'churn-dev-data-111111111111-eu-west-1',
    CAPTURE_PREFIX: 'capture/',
    CAPTURE_SOURCE: 'churn-dev-api',
    CAPTURE_PERCENT: '100',
    REQUEST_VALIDATOR_PATH: writeRequestValidatorModule(BENCH_SCHEMA),
    POWERTOOLS_SERVICE_NAME: 'inference',
    POWERTOOLS_METRICS_NAMESPACE: 'bench',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    ...TUNING_ENV,
  });
  const { handler } = await import('../lambda/inference/handler');
  return async (body: unknown, timeoutMs = FUNCTION_TIMEOUT_MS) => {
    const started = performance.now();
    const answer = await handler(
      {
        body: JSON.stringify(body),
        isBase64Encoded: false,
        headers: { 'content-type': 'application/json' },
        requestContext: { requestId: 'bench' },
      } as never,
      {
        awsRequestId: 'bench',
        functionName: 'inference',
        invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:inference',
        getRemainingTimeInMillis: () => timeoutMs,
      } as never,
    );
    return {
      status: answer.statusCode,
      retryAfter: answer.headers?.['Retry-After'],
      ms: performance.now() - started,
    };
  };
}

/** The deployed function's timeout (InferenceFunction's default). */
const FUNCTION_TIMEOUT_MS = 10_000;

/** REL-1: time to answer and status when KMS is slow or hangs (issue 13, defects 1 and 2). */
async function deadlines(): Promise<void> {
  const aws = await startFakeAws({ macSecret: SECRET, object: MODEL_BYTES });
  try {
    const call = await inProcessHandler(aws);
    const customers = holdoutRecords();
    let next = 0;
    // Fresh customers each time, so the pseudonym cache does not hide KMS.
    const batch = (n: number) => customers.slice(next, (next += n)).map((r) => ({ ...r }));
    const warm = await call(batch(1));
    if (warm.status !== 200) throw new Error(`warm-up answered ${warm.status}`);
    const line = (what: string, r: { status: number; retryAfter?: unknown; ms: number }) =>
      console.log(
        `${what}: ${r.status}${r.retryAfter ? ` (Retry-After ${String(r.retryAfter)})` : ''} after ${r.ms.toFixed(0)} ms ` +
          `(function timeout ${FUNCTION_TIMEOUT_MS} ms, deadline margin ${TUNING.deadlineMarginMs} ms${r.ms < FUNCTION_TIMEOUT_MS ? ', answered before the timeout' : ', AFTER THE TIMEOUT'})`,
      );
    aws.set('kms', { kind: 'slow', ms: 800 });
    aws.calls.kms = 0;
    line(
      `batch of 100 new customers, KMS 800 ms per call, ${TUNING.kmsConcurrency} calls at a time`,
      await call(batch(100)),
    );
    console.log(`  KMS calls for it: ${aws.calls.kms}`);
    aws.set('kms', { kind: 'hang' });
    line('batch of 100 new customers, KMS hung (accepts, never answers)', await call(batch(100)));
    line('one new customer, KMS hung', await call(batch(1)));
    aws.set('kms', { kind: 'ok' });
    aws.set('s3put', { kind: 'hang' });
    line(
      `one customer, KMS fine, capture write to S3 hung (capture wait ${TUNING.captureWaitMs} ms)`,
      await call(batch(1)),
    );
    aws.set('s3put', { kind: 'throttle' });
    line('one customer, capture write answered SlowDown', await call(batch(1)));
    aws.set('s3put', { kind: 'ok' });
    const healthy: number[] = [];
    for (let i = 0; i < 50; i++) healthy.push((await call(batch(1))).ms);
    healthy.sort((a, b) => a - b);
    console.log(
      `one customer, everything healthy (loopback fake AWS, capture written): median ${percentile(healthy, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(healthy, 99).toFixed(1)} ms over 50 requests; parked capture records written with them: ${aws.stored.length} objects`,
    );
  } finally {
    await aws.close();
  }
}

/**
 * KMS calls per 1,000 requests with the pseudonym cache, on a realistic id stream: 50,000 customers whose
 * request frequency follows Zipf's law (s = 1: a few customers are scored often, most rarely), requests
 * spread round-robin over 10 warm functions (the reserved concurrency), each with its own cache of the
 * configured size and TTL; 90 % single requests, 10 % batches of 10.
 */
async function kmsCallsPerThousand(): Promise<void> {
  const customers = 50_000;
  const cdf = new Float64Array(customers);
  let sum = 0;
  for (let i = 0; i < customers; i++) cdf[i] = sum += 1 / (i + 1);
  for (let i = 0; i < customers; i++) cdf[i] /= sum;
  const random = seededRandom(13);
  const draw = () => {
    const u = random();
    let lo = 0;
    let hi = customers - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return `${String(lo % 10_000).padStart(4, '0')}-${String.fromCharCode(65 + Math.floor(lo / 10_000))}AAAA`;
  };
  let calls = 0;
  const kms = {
    send: () => {
      calls++;
      return Promise.resolve({ Mac: new Uint8Array(32).fill(1) });
    },
  } as unknown as Pick<KMSClient, 'send'>;
  const functions = Array.from(
    { length: 10 },
    () =>
      new Pseudonymiser(kms, {
        keyId: 'bench',
        cacheSize: TUNING.pseudonymCacheSize,
        cacheTtlMs: TUNING.pseudonymCacheTtlSeconds * 1000,
        concurrency: TUNING.kmsConcurrency,
        policy: KMS_CALL_POLICY,
      }),
  );
  const requests = 200_000;
  const windows: Array<[number, number]> = [];
  let windowStart = 0;
  for (let r = 0; r < requests; r++) {
    const ids = random() < 0.9 ? [draw()] : Array.from({ length: 10 }, draw);
    await functions[r % functions.length].pseudonymise(ids, budgetOf(60_000));
    if ((r + 1) % 1000 === 0) {
      windows.push([r + 1, calls - windowStart]);
      windowStart = calls;
    }
  }
  const perThousand = (from: number, to: number) => {
    const w = windows.filter(([end]) => end > from && end <= to).map(([, c]) => c);
    return (w.reduce((a, b) => a + b, 0) / w.length).toFixed(0);
  };
  console.log(
    `KMS calls per 1,000 requests (Zipf s=1 over ${customers.toLocaleString('en')} customers, 10 functions, cache ` +
      `${TUNING.pseudonymCacheSize.toLocaleString('en')} per function, TTL ${TUNING.pseudonymCacheTtlSeconds} s, 90 % single / 10 % batches of 10, ` +
      `${(1900).toLocaleString('en')} ids per 1,000 requests): first 1,000 requests ${perThousand(0, 1000)}; ` +
      `requests 100,001-200,000 (warm) ${perThousand(100_000, requests)}; without the cache every distinct id of a request is a call (TTL expiry is not simulated: the run is faster than the TTL)`,
  );
}

export async function run(): Promise<void> {
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${cpus().length} CPUs (other work skews wall-clock figures)`,
  );
  await inProcess();
  await deadlines();
  await kmsCallsPerThousand();
  await coldStart();
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
