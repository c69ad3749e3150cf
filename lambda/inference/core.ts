import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { formatCaptureRecord } from '../../src/capture';
import { FeatureEncoder, modelEncoderOptions, type FeatureSpec } from '../../src/features';
import type { TreeEnsembleModel } from '../../src/scorer';
import { NOTHING_SERVED } from '../../src/registry/served-model';
import { inferenceIdFor } from './caller';
export { CALLER_DIMENSION, CALLER_REQUESTS_METRIC, PREDICTED_PROBABILITY_METRIC } from './metric-names';
import type { CaptureShipper } from './capture-shipper';
import { callWithin, withinBudget, type Budget, type CallPolicy } from './deadline';
import {
  errorName,
  NO_MODEL_DEPLOYED,
  publicError,
  type Dependency,
  type ErrorCode,
  type PublicError,
} from './errors';
import type { Pseudonymiser } from './pseudonyms';
import {
  parseInferenceRequest,
  type RawRequest,
  type RequestContract,
  type RequestLimits,
  type ValidCustomer,
} from './request';
import type { RequestProblem } from './request-contract';

export type RiskLevel = 'High' | 'Medium' | 'Low';

export interface RiskThresholds {
  /** Probability above which a customer is High risk. */
  readonly high: number;
  /** Probability above which a customer is Medium risk. */
  readonly medium: number;
}

export interface CaptureSettings {
  /** Share of requests captured, 0..100. */
  readonly percent: number;
}

export interface InferenceSettings {
  readonly limits: RequestLimits;
  readonly riskThresholds: RiskThresholds;
  /** KMS HMAC key (id or ARN) that pseudonymises customer ids (DATA-1, DATA-4). */
  readonly pseudonymKeyId: string;
  readonly modelVersion: string;
  /** How many source-field contributions an explanation lists. */
  readonly topContributions: number;
  /**
   * Set when the function writes capture records, on both paths: on the SageMaker path too, because the
   * endpoint's own capture publishes no count of records it fails to write (REL-2).
   */
  readonly capture?: CaptureSettings;
}

/** Where probabilities come from; `explainer`, when present, gives TreeSHAP contributions. */
export interface ScoringBackend {
  readonly kind: 'embedded' | 'sagemaker';
  /** Validates records and encodes them in the served model's column order. */
  readonly encoder: FeatureEncoder;
  readonly explainer?: TreeEnsembleModel;
  /**
   * Scores inside the request's budget (the SageMaker path's calls carry its abort signal). `caller` is the
   * request's caller label, recorded with the endpoint's data capture (MON-6).
   */
  score(vectors: readonly Float64Array[], budget: Budget, caller?: string): Promise<ArrayLike<number>>;
}

/** Structured log sink; Powertools' Logger satisfies it. */
export interface LogSink {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/** Count and millisecond metrics; the handler adapts Powertools' Metrics (EMF). */
export interface MetricSink {
  count(name: string, value?: number): void;
  milliseconds(name: string, value: number): void;
}

/** The inference function's own metrics besides counts and times (MON-5). */
export interface InferenceMetricSink extends MetricSink {
  /** One predicted probability; the metric's Average is the mean predicted probability. */
  probability(value: number): void;
  /** One request by a caller, as the per-client request metric (dimension Caller). */
  callerRequest(caller: string): void;
}

export interface InferenceDeps {
  readonly settings: InferenceSettings;
  /** The request model and the encoder of accepted records (no model needed). */
  readonly contract: RequestContract;
  /** Resolves the backend, loading the model on first use; a rejection answers 503. */
  readonly backend: () => Promise<ScoringBackend>;
  /** Customer id to pseudonym (KMS GenerateMac behind an LRU cache). */
  readonly pseudonymiser: Pick<Pseudonymiser, 'pseudonymise'>;
  /** Writes capture records off the answer path. */
  readonly capture?: Pick<CaptureShipper, 'ship'>;
  /** The request's time: every dependency is awaited within it (REL-1). */
  readonly budget: Budget;
  readonly log: LogSink;
  readonly metrics: InferenceMetricSink;
  readonly requestId: string;
  /** The request's caller label (lambda/inference/caller.ts); @default none: the request is unattributed */
  readonly caller?: string;
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly random?: () => number;
}

export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface Contribution {
  readonly feature: string;
  /** Log-odds contribution of the field (one-hot columns summed), from TreeSHAP. */
  readonly contribution: number;
}

export interface CustomerScore {
  readonly pseudonymousId: string;
  readonly probability: number;
  readonly riskLevel: RiskLevel;
  readonly explanation?: {
    readonly method: 'TreeSHAP';
    readonly units: 'log-odds';
    readonly baseValue: number;
    readonly topContributions: readonly Contribution[];
  };
}

const BASE_HEADERS = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

function answer(statusCode: number, body: unknown, extraHeaders: Record<string, string> = {}): HttpAnswer {
  return { statusCode, headers: { ...BASE_HEADERS, ...extraHeaders }, body: JSON.stringify(body) };
}

function errorAnswer(error: PublicError, requestId: string): HttpAnswer {
  return answer(
    error.status,
    { error: { code: error.code, message: error.message, requestId } },
    error.retryAfterSeconds !== undefined ? { 'Retry-After': String(error.retryAfterSeconds) } : {},
  );
}

function rejection(
  status: 400 | 413 | 415,
  problems: readonly RequestProblem[],
  requestId: string,
): HttpAnswer {
  const code: ErrorCode =
    status === 413 ? 'PayloadTooLarge' : status === 415 ? 'UnsupportedMediaType' : 'InvalidRequest';
  const message =
    status === 400 ? `${problems.length} problem(s) with the request; see errors` : problems[0].message;
  const errors = problems.map(({ field, message }) => ({ field, message }));
  return answer(status, { error: { code, message, requestId, errors } });
}

export function riskLevel(probability: number, thresholds: RiskThresholds): RiskLevel {
  if (probability > thresholds.high) return 'High';
  if (probability > thresholds.medium) return 'Medium';
  return 'Low';
}

function explain(
  model: TreeEnsembleModel,
  encoder: FeatureEncoder,
  vector: Float64Array,
  top: number,
): CustomerScore['explanation'] {
  const contributions = model.contributions(vector);
  const byField = encoder.sumBySourceField(contributions.values);
  const ranked = Object.entries(byField)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, top)
    .map(([feature, value]) => ({ feature, contribution: round(value) }));
  return {
    method: 'TreeSHAP',
    units: 'log-odds',
    baseValue: round(contributions.bias),
    topContributions: ranked,
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

const IDENTITY = (v: Float64Array) => v;
const orders = new WeakMap<FeatureEncoder, WeakMap<FeatureEncoder, (v: Float64Array) => Float64Array>>();

/**
 * Maps a vector from the validator's column order (the specification's) to the served model's. Both
 * encoders come from the same specification, so the columns are the same set; usually also the same order.
 */
export function columnOrder(from: FeatureEncoder, to: FeatureEncoder): (v: Float64Array) => Float64Array {
  let byTarget = orders.get(from);
  if (!byTarget) orders.set(from, (byTarget = new WeakMap()));
  let mapping = byTarget.get(to);
  if (!mapping) {
    const position = new Map(from.columns.map((c, i) => [c, i]));
    const source = Int32Array.from(to.columns, (c) => {
      const i = position.get(c);
      if (i === undefined) throw new Error(`model column '${c}' is not produced by the specification`);
      return i;
    });
    const same = source.every((s, i) => s === i) && from.columns.length === to.columns.length;
    mapping = same
      ? IDENTITY
      : (v) => {
          const out = new Float64Array(source.length);
          for (let i = 0; i < source.length; i++) out[i] = v[source[i]];
          return out;
        };
    byTarget.set(to, mapping);
  }
  return mapping;
}

class DependencyFailure extends Error {
  constructor(
    readonly dependency: Dependency,
    readonly failure: unknown,
  ) {
    super(`${dependency} failed`);
  }
}

async function guarded<T>(dependency: Dependency, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ModelOutputError) throw error;
    throw new DependencyFailure(dependency, error);
  }
}

/**
 * Handles one inference request: validate (nothing invalid reaches the model), pseudonymise the ids, score,
 * explain, capture, answer. Never throws: every failure becomes an HTTP answer whose body
 * carries no internal detail, and nothing logged carries a raw customer id or feature value.
 */
export async function handleInference(request: RawRequest, deps: InferenceDeps): Promise<HttpAnswer> {
  const { settings, log, metrics, requestId } = deps;
  metrics.count('Requests');
  if (deps.caller !== undefined) metrics.callerRequest(deps.caller);
  try {
    // Validation needs only the specification, so a bad request gets its 400 even while the model is
    // unavailable, and on a cold start the ids are pseudonymised while the model is still loading.
    const parsed = parseInferenceRequest(request, deps.contract, settings.limits);
    if (!parsed.ok) {
      metrics.count('RejectedRequests');
      // logField is built from positions and specification names only: nothing a client chose.
      log.info('request rejected', { status: parsed.status, fields: parsed.errors.map((e) => e.logField) });
      return rejection(parsed.status, parsed.errors, requestId);
    }
    const { customers } = parsed;
    if (settings.modelVersion === NOTHING_SERVED) {
      // Nothing to score with: answer before any KMS call, so no pseudonym is computed for nothing.
      metrics.count('NoModelDeployed');
      log.info('no model deployed', { customers: customers.length });
      return errorAnswer(NO_MODEL_DEPLOYED, requestId);
    }
    const { budget } = deps;
    const [backend, pseudonyms] = await Promise.all([
      guarded('model', () => withinBudget(budget, deps.backend(), 'model')),
      guarded('pseudonymisation', () =>
        withinBudget(
          budget,
          deps.pseudonymiser.pseudonymise(
            customers.map((c) => c.customerId),
            budget,
          ),
          'pseudonymisation',
        ),
      ),
    ]);
    const reorder = columnOrder(deps.contract.encoder, backend.encoder);
    const vectors = customers.map((c) => reorder(c.vector));
    const started = performance.now();
    const probabilities = await guarded('scoring', () =>
      withinBudget(budget, backend.score(vectors, budget, deps.caller), 'scoring'),
    );
    checkProbabilities(probabilities, customers.length);
    for (let i = 0; i < probabilities.length; i++) metrics.probability(probabilities[i]);
    const pseudonymOf = (c: ValidCustomer) => pseudonyms.get(c.customerId) as string;
    // The capture write starts now and runs while the answer is explained and formatted; the answer waits
    // for it at most the shipper's bounded time and never changes with its outcome (REL-2).
    const captured =
      deps.capture && settings.capture
        ? deps.capture.ship(
            captureLines(deps, settings.capture, customers, probabilities, pseudonymOf),
            budget,
          )
        : undefined;
    const results: CustomerScore[] = customers.map((customer, i) => {
      const probability = probabilities[i];
      return {
        pseudonymousId: pseudonymOf(customer),
        probability: round(probability),
        riskLevel: riskLevel(probability, settings.riskThresholds),
        ...(backend.explainer
          ? {
              explanation: explain(backend.explainer, backend.encoder, vectors[i], settings.topContributions),
            }
          : {}),
      };
    });
    const scoringMs = performance.now() - started;
    metrics.count('ScoredCustomers', customers.length);
    metrics.milliseconds('ScoringLatency', scoringMs);
    log.info('scored', {
      customers: results.length,
      batch: parsed.batch,
      backend: backend.kind,
      modelVersion: settings.modelVersion,
      pseudonymousIds: results.map((r) => r.pseudonymousId),
      riskLevels: results.map((r) => r.riskLevel),
      scoringMs: round(scoringMs),
    });
    await captured;
    const body = parsed.batch
      ? { modelVersion: settings.modelVersion, results }
      : { modelVersion: settings.modelVersion, ...results[0] };
    return answer(200, body);
  } catch (error) {
    if (error instanceof DependencyFailure) {
      const mapped = publicError(error.failure, error.dependency);
      metrics.count(mapped.code === 'ScoringTimeout' ? 'DependencyTimeouts' : 'DependencyErrors');
      log.error('dependency failed', {
        dependency: error.dependency,
        errorName: errorName(error.failure),
        httpStatus: (error.failure as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode,
        status: mapped.status,
      });
      return errorAnswer(mapped, requestId);
    }
    if (error instanceof ModelOutputError) {
      metrics.count('DependencyErrors');
      log.error('model answer unusable', { reason: error.reason });
      return errorAnswer(
        {
          status: 502,
          code: 'ScoringFailed',
          message: 'the scoring service failed; the operator has been alerted',
        },
        requestId,
      );
    }
    metrics.count('InternalErrors');
    log.error('unexpected failure', { errorName: errorName(error) });
    return errorAnswer({ status: 500, code: 'InternalError', message: 'internal error' }, requestId);
  }
}

export class ModelOutputError extends Error {
  constructor(readonly reason: string) {
    super(`model output unusable: ${reason}`);
    this.name = 'ModelOutputError';
  }
}

function checkProbabilities(values: ArrayLike<number>, expected: number): void {
  if (values.length !== expected)
    throw new ModelOutputError(`expected ${expected} scores, got ${values.length}`);
  for (let i = 0; i < values.length; i++) {
    const p = values[i];
    if (!(p >= 0 && p <= 1)) throw new ModelOutputError('a score is not a probability in [0, 1]');
  }
}

/**
 * Capture lines for `capture.percent` of requests (sampled per request), each with the probability as
 * scored (unrounded), the pseudonym and no customer id.
 */
function captureLines(
  deps: InferenceDeps,
  capture: CaptureSettings,
  customers: readonly ValidCustomer[],
  probabilities: ArrayLike<number>,
  pseudonymOf: (c: ValidCustomer) => string,
): string[] {
  const random = deps.random ?? Math.random;
  if (capture.percent <= 0 || random() * 100 >= capture.percent) return [];
  const inferenceTime = (deps.now ?? (() => new Date()))();
  const newId = deps.newId ?? (() => crypto.randomUUID());
  return customers.map(
    (customer, i) =>
      `${formatCaptureRecord({
        features: customer.features,
        probability: round(probabilities[i]),
        pseudonymousId: pseudonymOf(customer),
        eventId: newId(),
        inferenceTime,
        ...(deps.caller !== undefined ? { caller: deps.caller } : {}),
      })}\n`,
  );
}

/** Scores in-process with the TypeScript XGBoost scorer; TreeSHAP explanations come from the same model. */
export function embeddedBackend(model: TreeEnsembleModel, spec: FeatureSpec): ScoringBackend {
  const encoder = new FeatureEncoder(spec, modelEncoderOptions(model));
  return {
    kind: 'embedded',
    encoder,
    explainer: model,
    score: (vectors) => Promise.resolve(vectors.map((v) => model.predict(v))),
  };
}

export interface SageMakerBackendOptions {
  readonly endpointName: string;
  /** Per-attempt timeout, attempts and backoff of InvokeEndpoint, all inside the request's budget. */
  readonly policy: CallPolicy;
  /** The served XGBoost model when the function can load it: fixes the column order and gives explanations. */
  readonly model?: TreeEnsembleModel;
}

function csvValue(x: number): string {
  // XGBoost's CSV reader takes an empty field as a missing value.
  return Number.isNaN(x) ? '' : String(x);
}

/** Parses the built-in XGBoost container's CSV answer: one number per row, newline or comma separated. */
export function parseCsvScores(text: string): number[] {
  const parts = text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return parts.map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n)) throw new ModelOutputError('the endpoint answered something other than numbers');
    return n;
  });
}

/** Scores through the SageMaker endpoint (InvokeEndpoint over PrivateLink), CSV in and out. */
export function sageMakerBackend(
  client: Pick<SageMakerRuntimeClient, 'send'>,
  spec: FeatureSpec,
  options: SageMakerBackendOptions,
): ScoringBackend {
  const encoder = new FeatureEncoder(spec, options.model ? modelEncoderOptions(options.model) : {});
  return {
    kind: 'sagemaker',
    encoder,
    ...(options.model ? { explainer: options.model } : {}),
    async score(vectors, budget, caller) {
      const inferenceId = inferenceIdFor(caller);
      const body = new TextEncoder().encode(vectors.map((v) => Array.from(v, csvValue).join(',')).join('\n'));
      const out = await callWithin(
        budget,
        options.policy,
        (abortSignal) =>
          client.send(
            new InvokeEndpointCommand({
              EndpointName: options.endpointName,
              ContentType: 'text/csv',
              Accept: 'text/csv',
              Body: body,
              ...(inferenceId !== undefined ? { InferenceId: inferenceId } : {}),
            }),
            { abortSignal },
          ),
        'scoring',
      );
      return parseCsvScores(new TextDecoder().decode(out.Body ?? new Uint8Array()));
    },
  };
}
