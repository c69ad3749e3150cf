/**
 * Decoding of SageMaker data-capture records (one JSON object per line, "JSON Lines"):
 *
 *   {"captureData":{
 *      "endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"...","encoding":"CSV"},
 *      "endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"0.31","encoding":"CSV"}},
 *    "eventMetadata":{"eventId":"...","inferenceTime":"2026-11-23T00:00:00Z"},"eventVersion":"0"}
 *
 * `encoding` is CSV or JSON when the content type was declared in the endpoint's CaptureContentTypeHeader,
 * otherwise BASE64 (the payload is then decoded and read according to observedContentType).
 *
 * Inputs: a CSV payload is one or more headerless rows in model column order; a JSON payload is a record of
 * named features, {"features": {...}}, {"instances": [...]}, or an array of records / positional rows.
 * Outputs: CSV numbers (one per row, separated by newlines or commas), a JSON number, an array of numbers,
 * or objects carrying "probability" / "score" / "prediction" (also inside {"predictions": [...]}).
 *
 * The embedded inference path writes the same envelope with `formatCaptureRecord`, so one decoder serves both.
 */

export type CaptureFailure =
  | 'not-json'
  | 'not-a-capture-record'
  | 'missing-input'
  | 'bad-encoding'
  | 'unsupported-content-type'
  | 'bad-input-payload'
  | 'bad-output-payload';

/** Receives the decoded content of one capture record. */
export interface CaptureSink {
  /** One input row in model column order (CSV fields are passed as strings, JSON rows as parsed values). */
  positionalRow(values: readonly unknown[]): void;
  /** One input record with named features. */
  namedRecord(record: Readonly<Record<string, unknown>>): void;
  /** One model output; `unknown` because a broken model may emit anything. */
  score(value: unknown): void;
}

export class CaptureDecodeError extends Error {
  constructor(
    readonly reason: CaptureFailure,
    message: string,
  ) {
    super(message);
    this.name = 'CaptureDecodeError';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function payloadKind(contentType: unknown, encoding: unknown): 'csv' | 'json' | undefined {
  if (encoding === 'CSV') return 'csv';
  if (encoding === 'JSON') return 'json';
  if (typeof contentType !== 'string') return undefined;
  const ct = contentType.toLowerCase();
  if (ct.includes('csv')) return 'csv';
  if (ct.includes('json')) return 'json';
  return undefined;
}

function payloadText(part: Obj): { kind: 'csv' | 'json'; text: string } {
  const data = part.data;
  if (typeof data !== 'string') throw new CaptureDecodeError('bad-encoding', 'data is not a string');
  const encoding = part.encoding;
  let text = data;
  if (encoding === 'BASE64') {
    text = Buffer.from(data, 'base64').toString('utf8');
  } else if (encoding !== 'CSV' && encoding !== 'JSON') {
    throw new CaptureDecodeError('bad-encoding', `unknown encoding ${JSON.stringify(encoding)}`);
  }
  const kind = payloadKind(part.observedContentType, encoding === 'BASE64' ? undefined : encoding);
  if (!kind) {
    throw new CaptureDecodeError(
      'unsupported-content-type',
      `cannot read content type ${JSON.stringify(part.observedContentType)}`,
    );
  }
  return { kind, text };
}

function emitCsvRows(text: string, sink: CaptureSink): void {
  let start = 0;
  const len = text.length;
  while (start < len) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = len;
    let lineEnd = end;
    if (lineEnd > start && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (lineEnd > start) sink.positionalRow(text.slice(start, lineEnd).split(','));
    start = end + 1;
  }
}

function emitJsonInput(value: unknown, sink: CaptureSink): void {
  if (Array.isArray(value)) {
    if (value.length > 0 && (Array.isArray(value[0]) || isObj(value[0]))) {
      for (const item of value) emitJsonInput(item, sink);
    } else {
      sink.positionalRow(value);
    }
    return;
  }
  if (!isObj(value))
    throw new CaptureDecodeError('bad-input-payload', 'JSON input is neither a record nor a list');
  if (Array.isArray(value.instances)) {
    for (const item of value.instances) emitJsonInput(item, sink);
  } else if (isObj(value.features)) {
    sink.namedRecord(value.features);
  } else {
    sink.namedRecord(value);
  }
}

const SCORE_KEYS = ['probability', 'score', 'prediction', 'predicted_probability'] as const;

function emitJsonOutput(value: unknown, sink: CaptureSink): void {
  if (Array.isArray(value)) {
    for (const item of value) emitJsonOutput(item, sink);
    return;
  }
  if (isObj(value)) {
    if (Array.isArray(value.predictions)) {
      for (const item of value.predictions) emitJsonOutput(item, sink);
      return;
    }
    for (const key of SCORE_KEYS) {
      if (key in value) {
        sink.score(value[key]);
        return;
      }
    }
    throw new CaptureDecodeError('bad-output-payload', 'JSON output carries no probability/score/prediction');
  }
  sink.score(value);
}

function emitCsvOutput(text: string, sink: CaptureSink): void {
  // Built-in XGBoost answers one number per row, separated by newlines (newer) or commas (older images).
  let start = 0;
  const len = text.length;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? text.charCodeAt(i) : 10;
    if (c === 10 || c === 44 || c === 13) {
      if (i > start) sink.score(text.slice(start, i));
      start = i + 1;
    }
  }
}

/**
 * Decodes one capture line into `sink`. Throws CaptureDecodeError for a malformed line; the caller counts
 * and skips it. Output-only records (capture mode Output) are allowed; input-only records too.
 */
export function decodeCaptureLine(line: string, sink: CaptureSink): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new CaptureDecodeError('not-json', 'line is not valid JSON');
  }
  if (!isObj(parsed) || !isObj(parsed.captureData)) {
    throw new CaptureDecodeError('not-a-capture-record', 'no captureData object');
  }
  const input = parsed.captureData.endpointInput;
  const output = parsed.captureData.endpointOutput;
  if (!isObj(input) && !isObj(output))
    throw new CaptureDecodeError('missing-input', 'no endpointInput or endpointOutput');
  // Decode both parts before emitting anything, so a bad output cannot leave half a record counted.
  let inputPayload: { kind: 'csv' | 'json'; value: unknown; text: string } | undefined;
  if (isObj(input)) {
    const { kind, text } = payloadText(input);
    let value: unknown;
    if (kind === 'json') {
      try {
        value = JSON.parse(text);
      } catch {
        throw new CaptureDecodeError('bad-input-payload', 'input payload is not valid JSON');
      }
    }
    inputPayload = { kind, value, text };
  }
  let outputPayload: { kind: 'csv' | 'json'; value: unknown; text: string } | undefined;
  if (isObj(output)) {
    const { kind, text } = payloadText(output);
    let value: unknown;
    if (kind === 'json') {
      try {
        value = JSON.parse(text);
      } catch {
        throw new CaptureDecodeError('bad-output-payload', 'output payload is not valid JSON');
      }
    }
    outputPayload = { kind, value, text };
  }
  if (inputPayload) {
    if (inputPayload.kind === 'csv') emitCsvRows(inputPayload.text, sink);
    else emitJsonInput(inputPayload.value, sink);
  }
  if (outputPayload) {
    if (outputPayload.kind === 'csv') emitCsvOutput(outputPayload.text, sink);
    else emitJsonOutput(outputPayload.value, sink);
  }
}

export interface CaptureRecordInput {
  /** Named raw features of one request, as the model's feature specification names them. */
  readonly features: Readonly<Record<string, unknown>>;
  /** The probability the model returned. */
  readonly probability: number;
  readonly eventId: string;
  /** ISO-8601 time of the inference. */
  readonly inferenceTime: string;
}

/**
 * One capture line (without the trailing newline) in SageMaker's shape, for the embedded inference path:
 * input `{"features": {...}}` and output `{"probability": p}`, both JSON-encoded.
 */
export function formatCaptureRecord(record: CaptureRecordInput): string {
  return JSON.stringify({
    captureData: {
      endpointInput: {
        observedContentType: 'application/json',
        mode: 'INPUT',
        data: JSON.stringify({ features: record.features }),
        encoding: 'JSON',
      },
      endpointOutput: {
        observedContentType: 'application/json',
        mode: 'OUTPUT',
        data: JSON.stringify({ probability: record.probability }),
        encoding: 'JSON',
      },
    },
    eventMetadata: { eventId: record.eventId, inferenceTime: record.inferenceTime },
    eventVersion: '0',
  });
}
