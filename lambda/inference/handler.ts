import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { FeatureEncoder, parseFeatureSpec } from '../../src/features';
import { bundledFile, numberEnv, optionalEnv, requiredEnv, requiredNumberEnv } from '../shared/env';
import { observability } from '../shared/observability';
import {
  embeddedBackend,
  handleInference,
  sageMakerBackend,
  type InferenceSettings,
  type ScoringBackend,
} from './core';
import { CaptureShipper, s3CaptureSink } from './capture-shipper';
import { KMS_CALL_POLICY, MODEL_LOAD_TIMEOUT_MS, requestBudget, SAGEMAKER_CALL_POLICY } from './deadline';
import { BUNDLED_FEATURE_SPEC_FILE } from './contract';
import { errorName } from './errors';
import { Pseudonymiser } from './pseudonyms';
import { loadServedModel } from './model-source';
import { BUNDLED_REQUEST_VALIDATOR_FILE, loadRequestValidator } from './request-contract';
import { NOTHING_SERVED } from '../../src/registry/served-model';

// Configuration is read once, at cold start: a missing variable fails the first invocation by name.
const mode = requiredEnv('SERVING_MODE');
if (mode !== 'embedded' && mode !== 'sagemaker') {
  throw new Error(`environment variable SERVING_MODE must be 'embedded' or 'sagemaker', got '${mode}'`);
}
// The environment's serving.featureSpecFile, bundled beside the handler; the API's request model (compiled
// below) is built from the same file, so the edge and the function validate alike.
const spec = parseFeatureSpec(
  JSON.parse(readFileSync(optionalEnv('FEATURE_SPEC_PATH', bundledFile(BUNDLED_FEATURE_SPEC_FILE)), 'utf8')),
);
const validatorPath = optionalEnv('REQUEST_VALIDATOR_PATH', bundledFile(BUNDLED_REQUEST_VALIDATOR_FILE));
const contract = { validate: loadRequestValidator(validatorPath), encoder: new FeatureEncoder(spec) };
const captureBucket = optionalEnv('CAPTURE_BUCKET', '');
const settings: InferenceSettings = {
  limits: { maxBodyBytes: numberEnv('MAX_BODY_BYTES', 65_536) },
  riskThresholds: { high: numberEnv('RISK_HIGH', 0.7), medium: numberEnv('RISK_MEDIUM', 0.4) },
  pseudonymKeyId: requiredEnv('PSEUDONYM_KEY_ID'),
  modelVersion: requiredEnv('MODEL_VERSION'),
  topContributions: numberEnv('TOP_CONTRIBUTIONS', 5),
  ...(captureBucket !== '' ? { capture: { percent: numberEnv('CAPTURE_PERCENT', 100) } } : {}),
};
// REL-1 settings; their defaults live in the configuration schema (api.inference), the stack sets them all.
const deadlineMarginMs = requiredNumberEnv('DEADLINE_MARGIN_MS');
const captureWaitMs = requiredNumberEnv('CAPTURE_WAIT_MS');
const modelDataUrl = optionalEnv('MODEL_DATA_URL', '');
const modelSha256 = optionalEnv('MODEL_SHA256', '');

const { logger, metrics } = observability('inference');

// One client each per container, with one SDK attempt each: the retries are the request's own
// (deadline.ts), inside its budget. The socket timeouts below are a backstop to the abort signals, and
// throwOnRequestTimeout makes them errors (the SDK only warns by default).
const kms = new KMSClient({
  maxAttempts: 1,
  requestHandler: {
    connectionTimeout: KMS_CALL_POLICY.attemptTimeoutMs,
    requestTimeout: KMS_CALL_POLICY.attemptTimeoutMs,
    throwOnRequestTimeout: true,
  },
});
const s3 = new S3Client({
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
});
const captureS3 = new S3Client({
  maxAttempts: 1,
  requestHandler: {
    connectionTimeout: captureWaitMs,
    requestTimeout: captureWaitMs,
    throwOnRequestTimeout: true,
  },
});
const sagemaker =
  mode === 'sagemaker'
    ? new SageMakerRuntimeClient({
        maxAttempts: 1,
        requestHandler: {
          connectionTimeout: 1_000,
          requestTimeout: SAGEMAKER_CALL_POLICY.attemptTimeoutMs,
          throwOnRequestTimeout: true,
        },
      })
    : undefined;

const pseudonymiser = new Pseudonymiser(kms, {
  keyId: settings.pseudonymKeyId,
  cacheSize: requiredNumberEnv('PSEUDONYM_CACHE_SIZE'),
  cacheTtlMs: requiredNumberEnv('PSEUDONYM_CACHE_TTL_SECONDS') * 1000,
  concurrency: requiredNumberEnv('KMS_CONCURRENCY'),
  policy: KMS_CALL_POLICY,
});

const capture =
  captureBucket !== ''
    ? new CaptureShipper(
        s3CaptureSink(captureS3, {
          bucket: captureBucket,
          prefix: requiredEnv('CAPTURE_PREFIX'),
          source: requiredEnv('CAPTURE_SOURCE'),
        }),
        { waitMs: captureWaitMs, maxParkedRecords: requiredNumberEnv('CAPTURE_MAX_PARKED_RECORDS') },
        {
          count: (name: string, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
          milliseconds: (name: string, value: number) =>
            metrics.addMetric(name, MetricUnit.Milliseconds, value),
        },
        logger,
      )
    : undefined;

async function createBackend(): Promise<ScoringBackend> {
  if (mode === 'embedded') {
    // MODEL-3: the artifact the model gate approved, verified against the registry's digest before parsing.
    const model = await loadServedModel(
      s3,
      requiredEnv('MODEL_DATA_URL'),
      requiredEnv('MODEL_SHA256'),
      AbortSignal.timeout(MODEL_LOAD_TIMEOUT_MS),
    );
    return embeddedBackend(model, spec);
  }
  // Explanations on the SageMaker path when the served artifact is an XGBoost model this function can read;
  // without it the endpoint still scores, and answers carry no explanation.
  let model;
  if (modelDataUrl !== '' && modelSha256 !== '') {
    try {
      model = await loadServedModel(
        s3,
        modelDataUrl,
        modelSha256,
        AbortSignal.timeout(MODEL_LOAD_TIMEOUT_MS),
      );
    } catch (error) {
      logger.warn('served model not loadable in the function; answering without explanations', {
        errorName: errorName(error),
      });
    }
  }
  return sageMakerBackend(sagemaker as SageMakerRuntimeClient, spec, {
    endpointName: requiredEnv('ENDPOINT_NAME'),
    policy: SAGEMAKER_CALL_POLICY,
    ...(model ? { model } : {}),
  });
}

// Loaded once per container; a failed load (S3 unreachable, digest mismatch) is retried by the next request.
let backendPromise: Promise<ScoringBackend> | undefined;
function backend(): Promise<ScoringBackend> {
  if (!backendPromise) {
    backendPromise = createBackend().catch((error: unknown) => {
      backendPromise = undefined;
      logger.error('model load failed', { errorName: errorName(error) });
      throw error;
    });
  }
  return backendPromise;
}

// Start fetching and verifying the model while the runtime finishes initialising; the first request awaits
// the same promise. A failure is logged above and retried by that request, which then answers 503. With
// nothing served yet (a new environment) there is nothing to load: every request answers NoModelDeployed.
if (settings.modelVersion !== NOTHING_SERVED) void backend().catch(() => undefined);

const metricSink = {
  count: (name: string, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
  milliseconds: (name: string, value: number) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
};

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key] ?? undefined;
  return undefined;
}

/** API Gateway (REST, Lambda proxy) entry point. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  logger.addContext(context);
  // REL-1: the request's budget is what Lambda has left minus the margin to answer; every dependency is
  // awaited within it, so the answer (a 503 at worst) always beats the platform's timeout.
  const budget = requestBudget(context.getRemainingTimeInMillis(), deadlineMarginMs);
  try {
    const result = await handleInference(
      {
        body: event.body,
        isBase64Encoded: event.isBase64Encoded,
        contentType: header(event, 'content-type'),
      },
      {
        settings,
        contract,
        backend,
        pseudonymiser,
        ...(capture ? { capture } : {}),
        budget,
        log: logger,
        metrics: metricSink,
        requestId: event.requestContext?.requestId ?? context.awsRequestId,
      },
    );
    return { statusCode: result.statusCode, headers: { ...result.headers }, body: result.body };
  } finally {
    budget.dispose();
    metrics.publishStoredMetrics();
  }
}
