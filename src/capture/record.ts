/**
 * Capture records of the embedded inference path (DATA-3, DATA-4), written in the shape SageMaker's endpoint
 * data capture uses, so the drift check (src/drift/capture.ts) reads both paths with one decoder:
 *
 *   {"captureData":{"endpointInput":{...,"mode":"INPUT","data":"{\"features\":{...}}","encoding":"JSON"},
 *                   "endpointOutput":{...,"mode":"OUTPUT","data":"{\"probability\":0.31}","encoding":"JSON"}},
 *    "eventMetadata":{"eventId":"...","inferenceId":"<pseudonymous id>","inferenceTime":"..."},"eventVersion":"0"}
 *
 * Pseudonymised by construction: a record carries the model's input features and the pseudonymous id only;
 * there is no field for a raw customer id, and `formatCaptureRecord` refuses feature names that look like one.
 */

/**
 * What a caller label may look like: `<kind>:<name>` as the inference function writes it (client:<api
 * client>, role:<IAM role>, user:<IAM user>, app-client:<Cognito app client>, api-key:<key id>,
 * account:<id>). Anything else in a capture record is ignored, so a pseudonym or free text is never read
 * as a caller.
 */
export const CALLER_LABEL = /^(client|role|user|app-client|api-key|account):[A-Za-z0-9@._+=,/-]{1,128}$/;

export interface CaptureEvent {
  /** Raw model input fields, named as the feature specification names them. */
  readonly features: Readonly<Record<string, unknown>>;
  readonly probability: number;
  /** The keyed-HMAC pseudonym of the customer id; SageMaker's `inferenceId` slot carries it. */
  readonly pseudonymousId: string;
  /** Unique per record (a UUID). */
  readonly eventId: string;
  readonly inferenceTime: Date;
  /**
   * Who called the API (MON-6): a CALLER_LABEL such as `client:partner-a` or `role:churn-api-client`, never
   * a customer's id. @default none: the record is unattributed
   */
  readonly caller?: string;
}

/** Field names that would put an identifier into stored data; the feature specification never has them. */
const IDENTIFIER_FIELDS = /^(customer[-_]?id|customerid|id)$/i;

export class CaptureRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureRecordError';
  }
}

/** One JSON line (no trailing newline). */
export function formatCaptureRecord(event: CaptureEvent): string {
  for (const name of Object.keys(event.features)) {
    if (IDENTIFIER_FIELDS.test(name)) {
      throw new CaptureRecordError(`capture features must not carry an identifier field ('${name}')`);
    }
  }
  if (!Number.isFinite(event.probability)) {
    throw new CaptureRecordError('capture probability must be a finite number');
  }
  if (event.caller !== undefined && !CALLER_LABEL.test(event.caller)) {
    throw new CaptureRecordError(`capture caller '${event.caller}' is not a caller label (<kind>:<name>)`);
  }
  return JSON.stringify({
    captureData: {
      endpointInput: {
        observedContentType: 'application/json',
        mode: 'INPUT',
        data: JSON.stringify({ features: event.features }),
        encoding: 'JSON',
      },
      endpointOutput: {
        observedContentType: 'application/json',
        mode: 'OUTPUT',
        data: JSON.stringify({ probability: event.probability }),
        encoding: 'JSON',
      },
    },
    eventMetadata: {
      eventId: event.eventId,
      inferenceId: event.pseudonymousId,
      inferenceTime: event.inferenceTime.toISOString(),
      ...(event.caller !== undefined ? { caller: event.caller } : {}),
    },
    eventVersion: '0',
  });
}

/** A whole capture object: one line per record, newline-terminated (JSON Lines). */
export function formatCaptureObject(events: readonly CaptureEvent[]): string {
  return events.map((e) => `${formatCaptureRecord(e)}\n`).join('');
}

const pad = (n: number) => String(n).padStart(2, '0');

function checkKeyPart(what: string, part: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(part)) {
    throw new CaptureRecordError(`capture ${what} '${part}' must be letters, digits, '.', '_' or '-'`);
  }
}

/**
 * The prefix of one capture stream, `<prefix><source>/<variant>/`, in SageMaker's layout. The drift check
 * reads exactly the inference function's stream, so an endpoint's own capture of the same requests
 * (its variants write beside it) is never counted twice.
 */
export function captureStreamPrefix(prefix: string, source: string, variant: string): string {
  checkKeyPart('source', source);
  checkKeyPart('variant', variant);
  const normalised = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return `${normalised}${source}/${variant}/`;
}

/** Object key in SageMaker's layout, `<prefix><source>/<variant>/yyyy/mm/dd/hh/<name>.jsonl` (UTC). */
export function captureObjectKey(
  prefix: string,
  source: string,
  variant: string,
  time: Date,
  name: string,
): string {
  const stream = captureStreamPrefix(prefix, source, variant);
  checkKeyPart('name', name);
  const hour = `${time.getUTCFullYear()}/${pad(time.getUTCMonth() + 1)}/${pad(time.getUTCDate())}/${pad(time.getUTCHours())}`;
  return `${stream}${hour}/${name}.jsonl`;
}
