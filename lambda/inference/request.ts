import type { FeatureEncoder, FieldError } from '../../src/features';

/**
 * Runtime validation of inference requests. The same feature specification also produces the API Gateway
 * model (request-schema.ts), so the edge and the function agree; the function checks again because a
 * request can reach it without the edge's validator (a different content type, a direct invoke, a test).
 */

/** Largest accepted customer id, in characters; ids are short business keys. */
export const MAX_CUSTOMER_ID_LENGTH = 64;

export const CUSTOMER_ID_FIELD = 'customerId';

export interface RequestLimits {
  readonly maxBatchSize: number;
  /** Bodies larger than this many bytes (after base64 decoding) get 413. */
  readonly maxBodyBytes: number;
  readonly customerIdPattern: RegExp;
}

export interface RawRequest {
  readonly body: string | null | undefined;
  readonly isBase64Encoded?: boolean;
  /** The Content-Type header, when sent. */
  readonly contentType?: string;
}

/** One validated customer: the raw id (never logged or stored) and the encoded model row. */
export interface ValidCustomer {
  readonly customerId: string;
  /** The record's feature fields exactly as sent (validated), for capture. */
  readonly features: Readonly<Record<string, unknown>>;
  /** The encoded row, in the column order of the encoder that validated it. */
  readonly vector: Float64Array;
}

export type ParsedRequest =
  | { readonly ok: true; readonly batch: boolean; readonly customers: readonly ValidCustomer[] }
  | { readonly ok: false; readonly status: 400 | 413 | 415; readonly errors: readonly FieldError[] };

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reject(status: 400 | 413 | 415, field: string, message: string): ParsedRequest {
  return { ok: false, status, errors: [{ field, message }] };
}

function customerIdError(value: unknown, pattern: RegExp): string | undefined {
  if (value === undefined || value === null) return 'is required';
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > MAX_CUSTOMER_ID_LENGTH) return `must be at most ${MAX_CUSTOMER_ID_LENGTH} characters`;
  // The id itself is never echoed: the answer and the logs must not repeat it.
  if (!pattern.test(value)) return `does not match the customer id format ${pattern.source}`;
  return undefined;
}

function isJsonContentType(contentType: string): boolean {
  const media = contentType.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

/**
 * Parses and validates a request body: one customer object, or an array of 1..maxBatchSize of them, each
 * `{ "customerId": "...", <feature fields> }`. Every problem of every record is reported, each naming its
 * field (`tenure` for a single customer, `[3].tenure` in a batch). Never throws.
 */
export function parseInferenceRequest(
  request: RawRequest,
  encoder: FeatureEncoder,
  limits: RequestLimits,
): ParsedRequest {
  if (request.contentType !== undefined && request.contentType.trim() !== '') {
    if (!isJsonContentType(request.contentType)) {
      return reject(415, 'Content-Type', 'must be application/json');
    }
  }
  const raw = request.body;
  if (raw === undefined || raw === null || raw.length === 0) {
    return reject(400, '(body)', 'is required: send one customer object or an array of them');
  }
  // Cheap bound before decoding: a base64 text is 4/3 of its bytes, a UTF-8 string at most 3 bytes a char.
  if (raw.length > limits.maxBodyBytes * (request.isBase64Encoded ? 2 : 1)) {
    return reject(413, '(body)', `must be at most ${limits.maxBodyBytes} bytes`);
  }
  const text = request.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > limits.maxBodyBytes) {
    return reject(413, '(body)', `must be at most ${limits.maxBodyBytes} bytes`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return reject(400, '(body)', 'is not valid JSON');
  }
  const batch = Array.isArray(document);
  const records: unknown[] = batch ? (document as unknown[]) : [document];
  if (batch && records.length === 0) return reject(400, '(body)', 'must contain at least one customer');
  if (records.length > limits.maxBatchSize) {
    return reject(
      400,
      '(body)',
      `has ${records.length} customers; at most ${limits.maxBatchSize} per request`,
    );
  }

  const errors: FieldError[] = [];
  const customers: ValidCustomer[] = [];
  records.forEach((record, index) => {
    const at = (field: string) => (batch ? `[${index}].${field}` : field);
    if (!isObject(record)) {
      errors.push({
        field: batch ? `[${index}]` : '(body)',
        message: 'must be an object of customer fields',
      });
      return;
    }
    const { [CUSTOMER_ID_FIELD]: customerId, ...features } = record;
    const before = errors.length;
    const idProblem = customerIdError(customerId, limits.customerIdPattern);
    if (idProblem !== undefined) errors.push({ field: at(CUSTOMER_ID_FIELD), message: idProblem });
    const result = encoder.encode(features);
    // An empty key would give an empty field name; '""' still points at it.
    if (!result.ok) {
      for (const e of result.errors)
        errors.push({ field: at(e.field === '' ? '""' : e.field), message: e.message });
    }
    if (errors.length === before && result.ok) {
      customers.push({ customerId: customerId as string, features, vector: result.vector });
    }
  });
  if (errors.length > 0) return { ok: false, status: 400, errors };
  return { ok: true, batch, customers };
}
