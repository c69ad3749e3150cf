import type { FeatureEncoder } from '../../src/features';
import {
  CUSTOMER_ID_FIELD,
  requestProblems,
  type RequestProblem,
  type RequestValidator,
} from './request-contract';

/**
 * Runtime validation of inference requests. The function checks again because a request can reach it
 * without the edge's validator (a different content type, a direct invoke, a test), and it checks with the
 * same contract: the compiled validator of the API Gateway model (request-contract.ts).
 */

/** Largest accepted customer id, in characters; ids are short business keys. */
export const MAX_CUSTOMER_ID_LENGTH = 64;

export { CUSTOMER_ID_FIELD };

export interface RequestLimits {
  /** Bodies larger than this many bytes (after base64 decoding) get 413. */
  readonly maxBodyBytes: number;
}

/** The contract a request is checked against, and the encoder of accepted records. */
export interface RequestContract {
  /** The compiled request model (decides accept or refuse). */
  readonly validate: RequestValidator;
  /** Encodes accepted records in the specification's column order. */
  readonly encoder: FeatureEncoder;
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
  | { readonly ok: false; readonly status: 400 | 413 | 415; readonly errors: readonly RequestProblem[] };

function reject(status: 400 | 413 | 415, field: '(body)' | 'Content-Type', message: string): ParsedRequest {
  return { ok: false, status, errors: [{ field, message, logField: field }] };
}

/** Accepted by the contract but not encodable: the schema and the encoder disagree, which is a bug. */
export class ContractMismatchError extends Error {
  constructor() {
    super('a record the request model accepts could not be encoded');
    this.name = 'ContractMismatchError';
  }
}

function isJsonContentType(contentType: string): boolean {
  const media = contentType.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

/**
 * Parses and validates a request body: one customer object, or an array of 1..maxBatchSize of them, each
 * `{ "customerId": "...", <feature fields> }`, exactly as the request model says. Every problem of every
 * record is reported, each naming its field (`tenure` for a single customer, `[3].tenure` in a batch).
 * Throws only `ContractMismatchError` (a bug).
 */
export function parseInferenceRequest(
  request: RawRequest,
  contract: RequestContract,
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
  if (!contract.validate(document)) {
    return {
      ok: false,
      status: 400,
      errors: requestProblems(document, contract.validate.errors ?? [], contract.encoder.spec),
    };
  }
  const batch = Array.isArray(document);
  const records = (batch ? document : [document]) as Array<Record<string, unknown>>;
  const customers = records.map((record): ValidCustomer => {
    const { [CUSTOMER_ID_FIELD]: customerId, ...features } = record;
    const result = contract.encoder.encode(features);
    if (!result.ok) throw new ContractMismatchError();
    return { customerId: customerId as string, features, vector: result.vector };
  });
  return { ok: true, batch, customers };
}
