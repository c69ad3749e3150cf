import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { CaptureShipper, s3CaptureSink } from '../../../lambda/inference/capture-shipper';
import { budgetOf, KMS_CALL_POLICY } from '../../../lambda/inference/deadline';
import { Pseudonymiser, type PseudonymiserOptions } from '../../../lambda/inference/pseudonyms';
import {
  embeddedBackend,
  type InferenceDeps,
  type InferenceSettings,
  type LogSink,
  type InferenceMetricSink,
  type ScoringBackend,
} from '../../../lambda/inference/core';
import { compileRequestValidator } from '../../../lib/build/request-validator';
import type { RequestContract } from '../../../lambda/inference/request';
import { inferenceRequestSchema } from '../../../lambda/inference/request-schema';
import { FeatureEncoder, parseFeatureSpec, type FeatureSpec } from '../../../src/features';
import { loadModel, type TreeEnsembleModel } from '../../../src/scorer';

export const MODEL_DIR = join(__dirname, '..', '..', '..', 'models', 'sample-churn');
export const MODEL_BYTES = readFileSync(join(MODEL_DIR, 'model.json'));
export const MODEL_SHA256 = readFileSync(join(MODEL_DIR, 'model.sha256'), 'utf8').split(/\s+/)[0];
export const SPEC: FeatureSpec = parseFeatureSpec(
  JSON.parse(readFileSync(join(MODEL_DIR, 'feature-spec.json'), 'utf8')),
);
export const MODEL: TreeEnsembleModel = loadModel(MODEL_BYTES, { expectedSha256: MODEL_SHA256 });
export const KEY_ID = 'arn:aws:kms:eu-west-1:111111111111:key/0000-pseudonym';
export const MAC_SECRET = 'test-hmac-secret';

/** What the fake KMS key answers: a real HMAC with a test secret, so pseudonyms are stable and distinct. */
export function expectedPseudonym(customerId: string): string {
  return createHmac('sha256', MAC_SECRET).update(customerId).digest('hex');
}

export function macFor(message: Uint8Array): Uint8Array {
  return createHmac('sha256', MAC_SECRET).update(message).digest();
}

/** A valid customer record of the sample specification (a holdout row). */
export function validRecord(customerId = '9393-PPCEA'): Record<string, unknown> {
  return {
    customerId,
    gender: 'Male',
    SeniorCitizen: 1,
    Partner: 'Yes',
    Dependents: 'No',
    tenure: 49,
    PhoneService: 'No',
    MultipleLines: 'No phone service',
    InternetService: 'Fiber optic',
    OnlineSecurity: 'No',
    OnlineBackup: 'No',
    DeviceProtection: 'No',
    TechSupport: 'Yes',
    StreamingTV: 'Yes',
    StreamingMovies: 'Yes',
    Contract: 'One year',
    PaperlessBilling: 'Yes',
    PaymentMethod: 'Credit card (automatic)',
    MonthlyCharges: 73.72,
    TotalCharges: 3552.24,
  };
}

export const SETTINGS: InferenceSettings = {
  limits: { maxBodyBytes: 65_536 },
  riskThresholds: { high: 0.7, medium: 0.4 },
  pseudonymKeyId: KEY_ID,
  modelVersion: '3',
  topContributions: 5,
};

export interface Recorded {
  readonly logs: Array<{ level: string; message: string; extra: Record<string, unknown> }>;
  readonly metrics: Array<{ name: string; value: number; caller?: string }>;
}

export function recorders(): { log: LogSink; metrics: InferenceMetricSink; recorded: Recorded } {
  const recorded: Recorded = { logs: [], metrics: [] };
  const at = (level: string) => (message: string, extra: Record<string, unknown>) =>
    recorded.logs.push({ level, message, extra });
  return {
    log: { info: at('info'), warn: at('warn'), error: at('error') },
    metrics: {
      count: (name, value = 1) => recorded.metrics.push({ name, value }),
      milliseconds: (name, value) => recorded.metrics.push({ name, value }),
      probability: (value) => recorded.metrics.push({ name: 'PredictedProbability', value }),
      callerRequest: (caller) => recorded.metrics.push({ name: 'CallerRequests', value: 1, caller }),
    },
    recorded,
  };
}

export const EMBEDDED: ScoringBackend = embeddedBackend(MODEL, SPEC);
export const CUSTOMER_ID_PATTERN = '^[0-9]{4}-[A-Z]{5}$';
/** The request model of the tests: batches of at most 5. */
export const REQUEST_SCHEMA = inferenceRequestSchema(SPEC, {
  maxBatchSize: 5,
  customerIdPattern: CUSTOMER_ID_PATTERN,
});
export const CONTRACT: RequestContract = {
  validate: compileRequestValidator(REQUEST_SCHEMA),
  encoder: new FeatureEncoder(SPEC),
};

/** The contract with another batch limit. */
export function contractFor(maxBatchSize: number): RequestContract {
  return {
    validate: compileRequestValidator(
      inferenceRequestSchema(SPEC, { maxBatchSize, customerIdPattern: CUSTOMER_ID_PATTERN }),
    ),
    encoder: CONTRACT.encoder,
  };
}

/** The pseudonymiser of a test: no cache unless asked, so every request's KMS calls are visible. */
export function pseudonymiserOf(
  kms: Pick<KMSClient, 'send'>,
  options: Partial<PseudonymiserOptions> = {},
): Pseudonymiser {
  return new Pseudonymiser(kms, {
    keyId: KEY_ID,
    cacheSize: 0,
    cacheTtlMs: 60_000,
    concurrency: 8,
    policy: KMS_CALL_POLICY,
    ...options,
  });
}

export interface TestDepsOptions extends Partial<InferenceDeps> {
  /** Embedded capture to this S3 client (bucket 'data-bucket', prefix 'capture/', source 'churn-dev-api'). */
  readonly s3?: Pick<S3Client, 'send'>;
  readonly captureWaitMs?: number;
  readonly maxParkedRecords?: number;
}

export function deps(
  kms: Pick<KMSClient, 'send'>,
  overrides: TestDepsOptions = {},
): InferenceDeps & { recorded: Recorded } {
  const { log, metrics, recorded } = recorders();
  const { s3, captureWaitMs, maxParkedRecords, ...rest } = overrides;
  return {
    settings: SETTINGS,
    contract: CONTRACT,
    backend: () => Promise.resolve(EMBEDDED),
    pseudonymiser: pseudonymiserOf(kms),
    budget: budgetOf(5_000),
    log,
    metrics,
    requestId: 'req-1',
    recorded,
    ...(s3
      ? {
          capture: new CaptureShipper(
            s3CaptureSink(s3, {
              bucket: 'data-bucket',
              prefix: 'capture/',
              source: 'churn-dev-api',
              variant: 'embedded',
              ...(overrides.now ? { now: overrides.now } : {}),
              ...(overrides.newId ? { newId: overrides.newId } : {}),
            }),
            { waitMs: captureWaitMs ?? 1_000, maxParkedRecords: maxParkedRecords ?? 1_000 },
            metrics,
            log,
          ),
        }
      : {}),
    ...rest,
  };
}

export function jsonRequest(body: unknown): { body: string; contentType: string } {
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

/** The part of the SDK's streaming body the artifact reader uses. */
export function s3Body(bytes: Uint8Array): GetObjectCommandOutput['Body'] {
  return {
    transformToByteArray: () => Promise.resolve(new Uint8Array(bytes)),
  } as unknown as GetObjectCommandOutput['Body'];
}

/** A minimal ustar archive, enough for the artifact reader (SageMaker model.tar.gz holds one file). */
export function tarOf(files: Record<string, Uint8Array>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const header = Buffer.alloc(512);
    header.write(name, 0, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(header, Buffer.from(content), Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
