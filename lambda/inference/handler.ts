import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { FeatureEncoder, parseFeatureSpec } from '../../src/features';
import { bundledFile } from '../shared/env';
import { observability } from '../shared/observability';
import { callerLabel, type CallerContext } from './caller';
import {
  CALLER_DIMENSION,
  CALLER_REQUESTS_METRIC,
  embeddedBackend,
  handleInference,
  PREDICTED_PROBABILITY_METRIC,
  sageMakerBackend,
  type InferenceMetricSink,
  type InferenceSettings,
  type ScoringBackend,
} from './core';
import { CaptureShipper, s3CaptureSink } from './capture-shipper';
import { KMS_CALL_POLICY, MODEL_LOAD_TIMEOUT_MS, requestBudget, SAGEMAKER_CALL_POLICY } from './deadline';
import { BUNDLED_FEATURE_SPEC_FILE, inferenceEnvironment } from './environment';
import { errorName } from './errors';
import { Pseudonymiser } from './pseudonyms';
import { loadServedModel } from './model-source';
import { BUNDLED_REQUEST_VALIDATOR_FILE, loadRequestValidator } from './request-contract';
import { NOTHING_SERVED } from '../../src/registry/served-model';
import {
  isAnswerCheckEvent,
  type AnswerCheckEvent,
  type AnswerCheckReply,
} from '../../src/registry/function-check-event';
import { answerGoldenRecords } from './answer-check';

// Configuration is read once, at cold start: a missing variable fails the first invocation by name.
const env = inferenceEnvironment.read();
const mode = env.servingMode;
const endpointName =
  mode === 'sagemaker' ? inferenceEnvironment.need(env, 'endpointName', 'in sagemaker mode') : undefined;
// The environment's serving.featureSpecFile, bundled beside the handler; the API's request model (compiled
// below) is built from the same file, so the edge and the function validate alike.
const spec = parseFeatureSpec(
  JSON.parse(
    readFileSync(env.featureSpecPath ?? bundledFile(BUNDLED_FEATURE_SPEC_FILE, env.taskRoot), 'utf8'),
  ),
);
const validatorPath = env.requestValidatorPath ?? bundledFile(BUNDLED_REQUEST_VALIDATOR_FILE, env.taskRoot);
const contract = { validate: loadRequestValidator(validatorPath), encoder: new FeatureEncoder(spec) };
const withCapture = `with ${inferenceEnvironment.variables.captureBucket.name} set`;
const captureSettings =
  env.captureBucket !== undefined
    ? {
        bucket: env.captureBucket,
        prefix: inferenceEnvironment.need(env, 'capturePrefix', withCapture),
        source: inferenceEnvironment.need(env, 'captureSource', withCapture),
        percent: inferenceEnvironment.need(env, 'capturePercent', withCapture),
        waitMs: inferenceEnvironment.need(env, 'captureWaitMs', withCapture),
        maxParkedRecords: inferenceEnvironment.need(env, 'captureMaxParkedRecords', withCapture),
      }
    : undefined;
/** Contributions in each explanation: enough to act on, few enough to read. */
const TOP_CONTRIBUTIONS = 5;
const settings: InferenceSettings = {
  limits: { maxBodyBytes: env.maxBodyBytes },
  riskThresholds: { high: env.riskHigh, medium: env.riskMedium },
  pseudonymKeyId: env.pseudonymKeyId,
  modelVersion: env.modelVersion,
  topContributions: TOP_CONTRIBUTIONS,
  ...(captureSettings ? { capture: { percent: captureSettings.percent } } : {}),
};
const { modelDataUrl, modelSha256, deadlineMarginMs } = env;

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
const captureS3 = captureSettings
  ? new S3Client({
      maxAttempts: 1,
      requestHandler: {
        connectionTimeout: captureSettings.waitMs,
        requestTimeout: captureSettings.waitMs,
        throwOnRequestTimeout: true,
      },
    })
  : undefined;
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
  cacheSize: env.pseudonymCacheSize,
  cacheTtlMs: env.pseudonymCacheTtlSeconds * 1000,
  concurrency: env.kmsConcurrency,
  policy: KMS_CALL_POLICY,
});

const capture =
  captureSettings && captureS3
    ? new CaptureShipper(
        s3CaptureSink(captureS3, {
          bucket: captureSettings.bucket,
          prefix: captureSettings.prefix,
          source: captureSettings.source,
          variant: mode,
        }),
        { waitMs: captureSettings.waitMs, maxParkedRecords: captureSettings.maxParkedRecords },
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
      inferenceEnvironment.need(env, 'modelDataUrl', 'in embedded mode'),
      inferenceEnvironment.need(env, 'modelSha256', 'in embedded mode'),
      AbortSignal.timeout(MODEL_LOAD_TIMEOUT_MS),
    );
    return embeddedBackend(model, spec);
  }
  // Explanations on the SageMaker path when the served artifact is an XGBoost model this function can read;
  // without it the endpoint still scores, and answers carry no explanation.
  let model;
  if (modelDataUrl !== undefined && modelSha256 !== undefined) {
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
    // Read at cold start: required in sagemaker mode, the only mode that reaches this line.
    endpointName: endpointName as string,
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

const metricSink: InferenceMetricSink = {
  count: (name: string, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
  milliseconds: (name: string, value: number) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
  probability: (value: number) => metrics.addMetric(PREDICTED_PROBABILITY_METRIC, MetricUnit.NoUnit, value),
  callerRequest: (caller: string) => {
    // Its own EMF record: the Caller dimension applies to this metric only.
    const single = metrics.singleMetric();
    single.addDimension(CALLER_DIMENSION, caller);
    single.addMetric(CALLER_REQUESTS_METRIC, MetricUnit.Count, 1);
  },
};

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key] ?? undefined;
  return undefined;
}

function withCaller(caller: string | undefined): { caller?: string } {
  return caller !== undefined ? { caller } : {};
}

/**
 * API Gateway (REST, Lambda proxy) entry point, and the served-answer check's direct invoke (MODEL-6): an
 * event API Gateway cannot produce (src/registry/function-check-event.ts) is answered by the same encoder
 * and model without capture, pseudonyms or traffic metrics; every other event is an API request.
 */
export function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult>;
export function handler(event: AnswerCheckEvent, context: Context): Promise<AnswerCheckReply>;
export async function handler(
  event: APIGatewayProxyEvent | AnswerCheckEvent,
  context: Context,
): Promise<APIGatewayProxyResult | AnswerCheckReply> {
  logger.addContext(context);
  if (isAnswerCheckEvent(event)) {
    const checkBudget = requestBudget(context.getRemainingTimeInMillis(), deadlineMarginMs);
    try {
      return await answerGoldenRecords(event, {
        modelVersion: settings.modelVersion,
        contract,
        backend,
        budget: checkBudget,
        log: logger,
      });
    } finally {
      checkBudget.dispose();
    }
  }
  return answerApi(event as APIGatewayProxyEvent, context);
}

async function answerApi(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
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
        ...withCaller(callerLabel(event.requestContext as CallerContext | undefined)),
      },
    );
    return { statusCode: result.statusCode, headers: { ...result.headers }, body: result.body };
  } finally {
    budget.dispose();
    metrics.publishStoredMetrics();
  }
}
