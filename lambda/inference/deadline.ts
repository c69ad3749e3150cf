import { setMaxListeners } from 'node:events';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/**
 * Request deadlines (REL-1). Every request gets a budget: the Lambda's remaining time minus a margin to
 * format the answer and flush metrics. Every AWS call runs through `callWithin`, which gives each attempt
 * an abort signal and a timeout inside that budget and retries only while the budget still fits another
 * attempt; `withinBudget` makes sure the handler moves on at the deadline even if a call ignores its signal.
 * Clients are built with `maxAttempts: 1`: the SDK's own retries know nothing of the deadline (their backoff
 * sleeps are not abortable), so the retries live here.
 */

/** The request's time ran out; answered as 503 ScoringTimeout with Retry-After. */
export class DeadlineExceededError extends Error {
  constructor(readonly dependency?: string) {
    super('the request deadline passed');
    this.name = 'DeadlineExceeded';
  }
}

/** One attempt took longer than its own timeout (retryable while the budget allows). */
export class AttemptTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

export interface Budget {
  /** Aborts at the deadline. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the deadline (0 once passed). */
  remainingMs(): number;
  /** Stops the deadline timer; call when the request is answered. */
  dispose(): void;
}

/** A budget that ends `budgetMs` from now. */
export function budgetOf(budgetMs: number, clock: () => number = () => performance.now()): Budget {
  const end = clock() + Math.max(0, budgetMs);
  const controller = new AbortController();
  // Every attempt of every call of the request listens to this one signal (25 KMS calls at a time).
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError()), Math.max(0, budgetMs));
  // A pending deadline must not keep a process (a test, the bench) alive.
  timer.unref?.();
  return {
    signal: controller.signal,
    remainingMs: () => Math.max(0, end - clock()),
    dispose: () => clearTimeout(timer),
  };
}

/**
 * The request's budget from the Lambda context: remaining time minus `marginMs` (time kept to format the
 * answer and publish metrics before the platform's timeout).
 */
export function requestBudget(remainingTimeMs: number, marginMs: number): Budget {
  return budgetOf(remainingTimeMs - marginMs);
}

function abortReason(signal: AbortSignal, fallback: () => Error): Error {
  return signal.reason instanceof Error ? signal.reason : fallback();
}

/** Settles with `work`, or rejects with the signal's reason as soon as the signal aborts. */
export function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  // Promise.resolve: test doubles of SDK clients may answer synchronously.
  const work = Promise.resolve(pending);
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortReason(signal, () => new DeadlineExceededError()));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal, () => new DeadlineExceededError()));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** `work`, or DeadlineExceededError at the budget's deadline, whichever comes first. */
export function withinBudget<T>(budget: Budget, work: Promise<T>, dependency?: string): Promise<T> {
  return untilAborted(work, budget.signal).catch((error: unknown) => {
    if (budget.signal.aborted) throw new DeadlineExceededError(dependency);
    throw error;
  });
}

export interface CallPolicy {
  /** Longest wait for one attempt. */
  readonly attemptTimeoutMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Shortest attempt worth starting: below this much budget, the call gives up instead. */
  readonly minAttemptMs: number;
  /** Backoff before retry n is uniform in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))] ("full jitter"). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Whether a failed attempt is worth repeating: throttling, 5xx, network and timeout errors. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AttemptTimeoutError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Parameters<typeof isTransientError>[0];
  return isThrottlingError(e) || isTransientError(e) || isServerError(e);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return untilAborted(new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.()), signal);
}

/**
 * Runs `attempt` (an AWS call given its abort signal) inside the budget: each attempt is aborted at its own
 * timeout or at the deadline, whichever is first; retryable failures are retried with jittered backoff
 * while the budget still holds `minAttemptMs` after the backoff. Rejects with the last failure, or with
 * DeadlineExceededError when the deadline passed.
 */
export async function callWithin<T>(
  budget: Budget,
  policy: CallPolicy,
  attempt: (signal: AbortSignal) => Promise<T>,
  dependency: string,
  random: () => number = Math.random,
): Promise<T> {
  let lastError: unknown = new DeadlineExceededError(dependency);
  for (let n = 1; n <= policy.maxAttempts; n++) {
    const remaining = budget.remainingMs();
    if (budget.signal.aborted || remaining < policy.minAttemptMs) break;
    const timeoutMs = Math.min(policy.attemptTimeoutMs, remaining);
    const attemptController = new AbortController();
    const timer = setTimeout(() => attemptController.abort(new AttemptTimeoutError(timeoutMs)), timeoutMs);
    const signal = AbortSignal.any([budget.signal, attemptController.signal]);
    try {
      return await untilAborted(attempt(signal), signal);
    } catch (error) {
      if (budget.signal.aborted) throw new DeadlineExceededError(dependency);
      lastError = attemptController.signal.aborted ? new AttemptTimeoutError(timeoutMs) : error;
      if (!isRetryable(lastError) || n === policy.maxAttempts) throw lastError;
      const delay = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      if (budget.remainingMs() - delay < policy.minAttemptMs) throw lastError;
      await sleep(delay, budget.signal).catch(() => {
        throw new DeadlineExceededError(dependency);
      });
    } finally {
      clearTimeout(timer);
    }
  }
  throw lastError;
}

/**
 * GenerateMac answers in milliseconds; an attempt without an answer in 2 s is retried (a KMS slowed to
 * 800 ms a call still answers; a hung one costs three attempts, about 6 s, and the answer is a 503).
 */
export const KMS_CALL_POLICY: CallPolicy = {
  attemptTimeoutMs: 2_000,
  maxAttempts: 3,
  minAttemptMs: 50,
  baseDelayMs: 50,
  maxDelayMs: 400,
};

/** InvokeEndpoint of a batch of 100 rows takes tens of milliseconds; 3 s per attempt leaves room for a slow one. */
export const SAGEMAKER_CALL_POLICY: CallPolicy = {
  attemptTimeoutMs: 3_000,
  maxAttempts: 3,
  minAttemptMs: 100,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
};

/** The served artifact is fetched once per container, outside any request: bounded on its own. */
export const MODEL_LOAD_TIMEOUT_MS = 8_000;
