import type { GoldenRecord } from './golden';

/**
 * The served-answer check's direct-invoke contract with the inference function (MODEL-6, embedded
 * serving; docs/decisions: the check invokes the function version, not the API).
 *
 * The check calls `lambda:Invoke` on the version just published with this event. API Gateway (REST,
 * Lambda proxy) builds the events it sends itself, always with `httpMethod` and `requestContext` at the top
 * level, and a caller chooses only what is inside them (body, headers, query, path): no API request can
 * arrive in this shape, so no caller can use it to be scored without capture, metrics or a caller label.
 * Only principals allowed `lambda:InvokeFunction` on the function can send it (the check's role, on one
 * version; the `model verify` operator).
 */
export const ANSWER_CHECK_EVENT_KEY = 'servedAnswerCheck';

/** At most this many records per invoke (the golden set's own limit); 1,000 records fit Lambda's 6 MB. */
export const MAX_CHECK_RECORDS = 1000;

export interface AnswerCheckEvent {
  readonly servedAnswerCheck: {
    /** API records of feature fields, no customer id (the golden set's records). */
    readonly records: readonly GoldenRecord[];
  };
}

/** One record the function's encoder refused: the specification the function serves does not take it. */
export interface RefusedRecord {
  /** 1-based position in the event's records. */
  readonly row: number;
  readonly field: string;
  readonly message: string;
}

/** What the function answers the check: its model version and a probability per record, unrounded. */
export type AnswerCheckReply =
  | { readonly ok: true; readonly modelVersion: string; readonly probabilities: readonly number[] }
  | { readonly ok: false; readonly modelVersion: string; readonly refused: readonly RefusedRecord[] }
  | { readonly ok: false; readonly modelVersion: string; readonly error: string };

/**
 * True only for the check's own event: exactly one top-level key, `servedAnswerCheck`, holding a records
 * array, and none of the keys API Gateway always sets. Anything else is handled as an API request.
 */
export function isAnswerCheckEvent(event: unknown): event is AnswerCheckEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const keys = Object.keys(event);
  if (keys.length !== 1 || keys[0] !== ANSWER_CHECK_EVENT_KEY) return false;
  const body = (event as Record<string, unknown>)[ANSWER_CHECK_EVENT_KEY];
  return typeof body === 'object' && body !== null && Array.isArray((body as { records?: unknown }).records);
}

/** Parses the function's reply payload (JSON); anything else is a clear error. */
export function parseAnswerCheckReply(text: string, functionArn: string): AnswerCheckReply {
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    throw new Error(
      `served-answer check: ${functionArn} answered something other than JSON: ${text.slice(0, 200)}`,
    );
  }
  const r = reply as Partial<Record<string, unknown>> | null;
  if (
    r === null ||
    typeof r !== 'object' ||
    typeof r.ok !== 'boolean' ||
    typeof r.modelVersion !== 'string' ||
    (r.ok && !(Array.isArray(r.probabilities) && r.probabilities.every((p) => typeof p === 'number'))) ||
    (!r.ok && !Array.isArray(r.refused) && typeof r.error !== 'string')
  ) {
    throw new Error(
      `served-answer check: ${functionArn} did not answer the check's event as the inference function does ` +
        `(${text.slice(0, 200)}); is it the inference function, at a version that knows the check?`,
    );
  }
  return r as unknown as AnswerCheckReply;
}
