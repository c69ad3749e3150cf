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
 * The embedded inference path writes the same envelope (src/capture/record.ts), so one decoder serves both.
 */

import { CALLER_LABEL } from '../capture/record';

export type CaptureFailure =
  | 'not-json'
  | 'not-a-capture-record'
  | 'missing-input'
  | 'bad-encoding'
  | 'unsupported-content-type'
  | 'bad-input-payload'
  | 'bad-output-payload'
  /** Longer than MAX_LINE_LENGTH: dropped unread, so one corrupt object cannot exhaust memory. */
  | 'line-too-long';

/** Receives the decoded content of one capture record. */
export interface CaptureSink {
  /**
   * One headerless CSV input row, text[start, end), in model column order. Passed as a range rather than
   * split so the hot path allocates nothing per numeric field (see parseDecimal).
   */
  csvRow(text: string, start: number, end: number): void;
  /** One JSON input row in model column order (values as parsed). */
  positionalRow(values: readonly unknown[]): void;
  /** One input record with named features. */
  namedRecord(record: Readonly<Record<string, unknown>>): void;
  /** One model output; `unknown` because a broken model may emit anything. */
  score(value: unknown): void;
  /**
   * The caller of the record about to be emitted (a label matching CALLER_LABEL), or undefined when the
   * record names none; called once per line before its rows. Optional: sinks that do not attribute skip it.
   */
  caller?(label: string | undefined): void;
}

const CALLER_KEY = /"caller"\s*:\s*"([^"\\]{1,160})"/;
const INFERENCE_ID_KEY = /"inferenceId"\s*:\s*"([^"\\]{1,160})"/;

/**
 * The caller a capture line names (MON-6): `eventMetadata.caller` as the embedded inference path writes
 * it, else a SageMaker `eventMetadata.inferenceId` that holds a caller label (the inference function
 * passes the caller as InvokeEndpoint's InferenceId, which SageMaker records). Only labels CALLER_LABEL
 * accepts count, so a pseudonym in inferenceId or free text is never read as a caller. The line's
 * eventMetadata member is found from its end, where SageMaker and our writer put it.
 */
export function captureCaller(text: string, start: number, end: number): string | undefined {
  const at = text.lastIndexOf('"eventMetadata"', end);
  if (at < start) return undefined;
  const meta = text.slice(at, end);
  const label = CALLER_KEY.exec(meta)?.[1] ?? INFERENCE_ID_KEY.exec(meta)?.[1];
  return label !== undefined && CALLER_LABEL.test(label) ? label : undefined;
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

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Fast path for plain decimals -?d+(.d+)? of at most 15 digits in text[start, end): NaN for anything else,
 * in which case the caller uses Number(). The digits form an integer m < 2^53 and the result is m / 10^k,
 * a single correctly rounded division of exact operands, so it equals Number() bit for bit.
 */
export function parseDecimal(text: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (text.charCodeAt(i) === 45) {
    negative = true;
    i++;
  }
  if (i >= end || end - i > 16) return Number.NaN;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
    } else if (c === 46 && fraction < 0 && digits > 0) {
      fraction = digits;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0 || digits > 15 || fraction === digits) return Number.NaN;
  const value = fraction < 0 ? mantissa : mantissa / POW10[digits - fraction];
  return negative ? -value : value;
}

/** RFC 4180 fields of one CSV row (quoted fields may contain commas and doubled quotes). */
export function splitCsvRow(text: string, start: number, end: number): string[] {
  const out: string[] = [];
  let i = start;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0 || q >= end) {
          value += text.slice(j, end);
          i = end;
          break;
        }
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
      const comma = text.indexOf(',', i);
      if (comma < 0 || comma >= end) return out;
      i = comma + 1;
    } else {
      let comma = text.indexOf(',', i);
      if (comma < 0 || comma > end) comma = end;
      out.push(text.slice(i, comma));
      if (comma >= end) return out;
      i = comma + 1;
    }
  }
}

function emitCsvRows(text: string, sink: CaptureSink, from = 0, to = text.length): void {
  let start = from;
  const len = to;
  while (start < len) {
    let end = text.indexOf('\n', start);
    if (end < 0 || end > len) end = len;
    let lineEnd = end;
    if (lineEnd > start && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (lineEnd > start) sink.csvRow(text, start, lineEnd);
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

const NO_SINK: CaptureSink = { csvRow() {}, positionalRow() {}, namedRecord() {}, score() {} };

function checkJsonInput(value: unknown): void {
  emitJsonInput(value, NO_SINK);
}

function checkJsonOutput(value: unknown): void {
  emitJsonOutput(value, NO_SINK);
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

function emitCsvOutput(text: string, sink: CaptureSink, from = 0, to = text.length): void {
  // Built-in XGBoost answers one number per row, separated by newlines (newer) or commas (older images).
  let start = from;
  const len = to;
  for (let i = from; i <= len; i++) {
    const c = i < len ? text.charCodeAt(i) : 10;
    if (c === 10 || c === 44 || c === 13) {
      if (i > start) {
        const x = parseDecimal(text, start, i);
        if (Number.isNaN(x)) {
          // Probabilities usually print with 16-17 digits, beyond parseDecimal's exact range.
          const t = text.slice(start, i);
          const y = Number(t);
          sink.score(Number.isNaN(y) || (y === 0 && t.trim() === '') ? t : y);
        } else sink.score(x);
      }
      start = i + 1;
    }
  }
}

/**
 * A hand-written scanner for the capture envelope. JSON.parse of a whole ~500-byte line costs more than
 * everything else the drift check does with it, and all we need are the four string fields of
 * endpointInput and endpointOutput. The scanner walks the line's structure (skipping eventMetadata and any
 * other member), and gives up (returns undefined) on anything it does not expect, in which case the caller
 * falls back to JSON.parse, so unusual but valid lines decode the same way and invalid ones are still
 * rejected by JSON.parse.
 */
/*
 * Scanner state lives in module variables rather than objects: the scanner runs once per line, a million
 * times per check, and allocation-free code is what makes it faster than JSON.parse.
 */
let src = '';
let pos = 0;
/** End of the text being scanned (a line may be a range of a larger chunk). */
let limit = 0;
/** True when the line holds no backslash, so every string ends at the next quote. */
let plain = true;

interface PartFields {
  present: boolean;
  data: string | undefined;
  encoding: string | undefined;
  contentType: string | undefined;
}
const scannedInput: PartFields = {
  present: false,
  data: undefined,
  encoding: undefined,
  contentType: undefined,
};
const scannedOutput: PartFields = {
  present: false,
  data: undefined,
  encoding: undefined,
  contentType: undefined,
};

function skipWs(): void {
  let c = src.charCodeAt(pos);
  while (pos < limit && (c === 32 || c === 9 || c === 10 || c === 13)) c = src.charCodeAt(++pos);
}

/** Index of the quote closing the string that opens at `pos`, or -1. */
function stringEnd(): number {
  if (plain) {
    const q = src.indexOf('"', pos + 1);
    return q < limit ? q : -1;
  }
  for (let j = pos + 1; j < limit; j++) {
    const c = src.charCodeAt(j);
    if (c === 34) return j;
    if (c === 92) j++;
  }
  return -1;
}

function readString(): string | undefined {
  if (src.charCodeAt(pos) !== 34) return undefined;
  const end = stringEnd();
  if (end < 0) return undefined;
  const start = pos + 1;
  pos = end + 1;
  if (plain) return src.slice(start, end);
  const raw = src.slice(start, end);
  if (raw.indexOf('\\') < 0) return raw;
  try {
    return JSON.parse(src.slice(start - 1, end + 1)) as string;
  } catch {
    return undefined;
  }
}

function skipString(): boolean {
  if (src.charCodeAt(pos) !== 34) return false;
  const end = stringEnd();
  if (end < 0) return false;
  pos = end + 1;
  return true;
}

/** True when the key string at `pos` is exactly `name`; consumes it then. */
function keyIs(name: string): boolean {
  if (src.charCodeAt(pos + name.length + 1) === 34 && src.startsWith(name, pos + 1)) {
    pos += name.length + 2;
    return true;
  }
  return false;
}

/** After a member value: true at a ',' (consumed), false at the closing '}' (consumed), null otherwise. */
function nextMember(): boolean | null {
  skipWs();
  const c = src.charCodeAt(pos++);
  if (c === 44) {
    skipWs();
    return true;
  }
  return c === 125 ? false : null;
}

/** Opens an object and reports whether it has members; null when there is no object here. */
function openObject(): boolean | null {
  skipWs();
  if (src.charCodeAt(pos) !== 123) return null;
  pos++;
  skipWs();
  if (src.charCodeAt(pos) === 125) {
    pos++;
    return false;
  }
  return true;
}

function colon(): boolean {
  skipWs();
  if (src.charCodeAt(pos) !== 58) return false;
  pos++;
  skipWs();
  return true;
}

const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** Skips any JSON value; false when the text at `pos` is not one the scanner recognises. */
function skipValue(depth: number): boolean {
  if (depth > 32) return false;
  skipWs();
  const c = src.charCodeAt(pos);
  if (c === 34) return skipString();
  if (c === 123 || c === 91) {
    const close = c === 123 ? 125 : 93;
    pos++;
    skipWs();
    if (src.charCodeAt(pos) === close) {
      pos++;
      return true;
    }
    for (;;) {
      if (c === 123) {
        skipWs();
        if (!skipString() || !colon()) return false;
      }
      if (!skipValue(depth + 1)) return false;
      skipWs();
      const d = src.charCodeAt(pos++);
      if (d === close) return true;
      if (d !== 44) return false;
    }
  }
  const start = pos;
  let d = c;
  while (
    (d >= 48 && d <= 57) ||
    d === 45 ||
    d === 43 ||
    d === 46 ||
    d === 101 ||
    d === 69 ||
    (d >= 97 && d <= 122)
  ) {
    d = src.charCodeAt(++pos);
  }
  const token = src.slice(start, pos);
  return token === 'true' || token === 'false' || token === 'null' || NUMBER.test(token);
}

/** endpointInput / endpointOutput: an object of string members. */
function scanPart(out: PartFields): boolean {
  out.present = true;
  out.data = out.encoding = out.contentType = undefined;
  let more = openObject();
  if (more === null) return false;
  while (more) {
    if (src.charCodeAt(pos) !== 34) return false;
    let slot = 0;
    if (keyIs('data')) slot = 1;
    else if (keyIs('encoding')) slot = 2;
    else if (keyIs('observedContentType')) slot = 3;
    else if (!skipString()) return false;
    if (!colon()) return false;
    if (slot === 0) {
      if (!skipValue(0)) return false;
    } else {
      const v = readString();
      if (v === undefined) return false;
      if (slot === 1) out.data = v;
      else if (slot === 2) out.encoding = v;
      else out.contentType = v;
    }
    more = nextMember();
    if (more === null) return false;
  }
  return true;
}

/** Scans a whole line into scannedInput/scannedOutput; false means "let JSON.parse decide". */
function scanEnvelope(line: string): boolean {
  src = line;
  pos = 0;
  limit = line.length;
  plain = line.indexOf('\\') < 0;
  scannedInput.present = scannedOutput.present = false;
  let sawCapture = false;
  let more = openObject();
  if (more === null) return false;
  while (more) {
    if (src.charCodeAt(pos) !== 34) return false;
    if (keyIs('captureData')) {
      if (!colon()) return false;
      sawCapture = true;
      let inner = openObject();
      if (inner === null) return false;
      while (inner) {
        if (src.charCodeAt(pos) !== 34) return false;
        const which = keyIs('endpointInput')
          ? scannedInput
          : keyIs('endpointOutput')
            ? scannedOutput
            : undefined;
        if (!which && !skipString()) return false;
        if (!colon()) return false;
        if (which ? !scanPart(which) : !skipValue(0)) return false;
        inner = nextMember();
        if (inner === null) return false;
      }
    } else {
      if (!skipString() || !colon() || !skipValue(0)) return false;
    }
    more = nextMember();
    if (more === null) return false;
  }
  skipWs();
  src = '';
  return sawCapture && pos === line.length;
}

/** Expects `literal` at `at`; returns the index after it or -1. */
function expectAt(line: string, at: number, literal: string): number {
  return at >= 0 && line.startsWith(literal, at) ? at + literal.length : -1;
}

/** Where the CSV payloads of a canonical line are: line[start, end) ranges, end = -1 for "absent". */
const canonical = { inStart: 0, inEnd: -1, outStart: 0, outEnd: -1 };

/**
 * Reads one canonical part `"observedContentType":"..","mode":"..","data":"..","encoding":"CSV"}` starting
 * at the opening quote of the content type; records the data range and returns the index after the
 * closing brace, or -1 when the layout differs or the encoding is not CSV.
 */
function canonicalCsvPart(line: string, at: number, end: number, mode: string, isInput: boolean): number {
  let q = line.indexOf('"', at + 1);
  if (q < 0 || q >= end) return -1;
  let p = expectAt(line, q, mode);
  if (p < 0) return -1;
  q = line.indexOf('"', p);
  if (q < 0 || q >= end) return -1;
  if (isInput) {
    canonical.inStart = p;
    canonical.inEnd = q;
  } else {
    canonical.outStart = p;
    canonical.outEnd = q;
  }
  p = expectAt(line, q, '","encoding":"CSV"}');
  return p > end ? -1 : p;
}

const CANONICAL_INPUT = '{"captureData":{"endpointInput":{"observedContentType":"';
const CANONICAL_OUTPUT = ',"endpointOutput":{"observedContentType":"';

/**
 * The layout SageMaker itself writes for CSV traffic (members in its fixed order, no whitespace, no
 * escapes), located in text[start, end) with a handful of startsWith/indexOf calls and no allocation; the
 * members after captureData are still validated by the scanner. `plain` promises the range holds no
 * backslash (the caller knows this per chunk far more cheaply than per line). Any other layout returns
 * false and goes through scanEnvelope or JSON.parse.
 */
function scanCanonicalCsv(line: string, start: number, end: number, plainRange: boolean): boolean {
  if (!plainRange || !line.startsWith(CANONICAL_INPUT, start)) return false;
  canonical.outEnd = -1;
  let p = canonicalCsvPart(line, start + CANONICAL_INPUT.length - 1, end, '","mode":"INPUT","data":"', true);
  if (p < 0) return false;
  if (line.startsWith(CANONICAL_OUTPUT, p)) {
    p = canonicalCsvPart(line, p + CANONICAL_OUTPUT.length - 1, end, '","mode":"OUTPUT","data":"', false);
    if (p < 0) return false;
  }
  if (p >= end || line.charCodeAt(p) !== 125) return false;
  // Remaining top-level members (eventMetadata, eventVersion): validated, not read.
  return validObjectTail(line, p + 1, end);
}

/*
 * A JSON skipper for escape-free text with the cursor in a local variable (each function returns the new
 * index, or -1 when the text is not what it should be). It validates the tail of a canonical line after
 * captureData, which every line pays for, so it avoids the module-level state of the general scanner.
 */
function wsAt(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

function stringAt(s: string, i: number, end: number): number {
  if (s.charCodeAt(i) !== 34) return -1;
  const q = s.indexOf('"', i + 1);
  return q < 0 || q >= end ? -1 : q + 1;
}

function valueAt(s: string, i: number, end: number, depth: number): number {
  if (depth > 32) return -1;
  i = wsAt(s, i, end);
  const c = s.charCodeAt(i);
  if (c === 34) return stringAt(s, i, end);
  if (c === 123 || c === 91) {
    const close = c === 123 ? 125 : 93;
    i = wsAt(s, i + 1, end);
    if (s.charCodeAt(i) === close) return i + 1;
    for (;;) {
      if (c === 123) {
        i = stringAt(s, wsAt(s, i, end), end);
        if (i < 0) return -1;
        i = wsAt(s, i, end);
        if (s.charCodeAt(i) !== 58) return -1;
        i++;
      }
      i = valueAt(s, i, end, depth + 1);
      if (i < 0) return -1;
      i = wsAt(s, i, end);
      const d = s.charCodeAt(i++);
      if (d === close) return i;
      if (d !== 44 || i >= end) return -1;
    }
  }
  const start = i;
  let d = c;
  while (
    i < end &&
    ((d >= 48 && d <= 57) ||
      d === 45 ||
      d === 43 ||
      d === 46 ||
      d === 101 ||
      d === 69 ||
      (d >= 97 && d <= 122))
  ) {
    d = s.charCodeAt(++i);
  }
  const token = s.slice(start, i);
  return token === 'true' || token === 'false' || token === 'null' || NUMBER.test(token) ? i : -1;
}

/** After the first member of the top-level object: `(, "key": value)* }` and nothing but whitespace after. */
function validObjectTail(s: string, i: number, end: number): boolean {
  for (;;) {
    i = wsAt(s, i, end);
    const c = s.charCodeAt(i++);
    if (c === 125) return wsAt(s, i, end) === end;
    if (c !== 44 || i >= end) return false;
    i = stringAt(s, wsAt(s, i, end), end);
    if (i < 0) return false;
    i = wsAt(s, i, end);
    if (s.charCodeAt(i) !== 58) return false;
    i = valueAt(s, i + 1, end, 0);
    if (i < 0) return false;
  }
}

function partObject(p: PartFields): Obj | undefined {
  if (!p.present) return undefined;
  return { data: p.data, encoding: p.encoding, observedContentType: p.contentType };
}

function parseEnvelope(line: string, scanned: boolean): { input: unknown; output: unknown } {
  if (scanned) return { input: partObject(scannedInput), output: partObject(scannedOutput) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new CaptureDecodeError('not-json', 'line is not valid JSON');
  }
  if (!isObj(parsed) || !isObj(parsed.captureData)) {
    throw new CaptureDecodeError('not-a-capture-record', 'no captureData object');
  }
  return { input: parsed.captureData.endpointInput, output: parsed.captureData.endpointOutput };
}

function decodePart(
  part: Obj,
  failure: CaptureFailure,
): { kind: 'csv' | 'json'; value: unknown; text: string } {
  const { kind, text } = payloadText(part);
  let value: unknown;
  if (kind === 'json') {
    try {
      value = JSON.parse(text);
    } catch {
      throw new CaptureDecodeError(
        failure,
        `${failure === 'bad-input-payload' ? 'input' : 'output'} payload is not valid JSON`,
      );
    }
  }
  return { kind, value, text };
}

/**
 * Decodes one capture line into `sink`. Throws CaptureDecodeError for a malformed line, before anything
 * reaches the sink, so the caller can count and skip it. Output-only and input-only records are allowed.
 */
export function decodeCaptureLine(line: string, sink: CaptureSink): void {
  decodeCaptureRange(line, 0, line.length, line.indexOf('\\') < 0, sink);
}

/**
 * decodeCaptureLine for the line text[start, end) of a larger chunk, so the common case needs no
 * substring. `plainRange` must be true only if the range holds no backslash.
 */
export function decodeCaptureRange(
  text: string,
  start: number,
  end: number,
  plainRange: boolean,
  sink: CaptureSink,
): void {
  if (sink.caller) sink.caller(captureCaller(text, start, end));
  if (scanCanonicalCsv(text, start, end, plainRange)) {
    // The common SageMaker case, CSV in and CSV out, read in place.
    emitCsvRows(text, sink, canonical.inStart, canonical.inEnd);
    if (canonical.outEnd >= 0) emitCsvOutput(text, sink, canonical.outStart, canonical.outEnd);
    return;
  }
  decodeGeneral(start === 0 && end === text.length ? text : text.slice(start, end), sink);
}

function decodeGeneral(line: string, sink: CaptureSink): void {
  // Lines with escapes (JSON payloads are JSON-in-a-string) are read faster by one native JSON.parse than
  // by the character-level scanner, which would have to unescape them through JSON.parse anyway.
  const scanned = line.indexOf('\\') < 0 && scanEnvelope(line);
  if (
    scanned &&
    scannedInput.present &&
    scannedInput.encoding === 'CSV' &&
    scannedInput.data !== undefined &&
    (!scannedOutput.present || (scannedOutput.encoding === 'CSV' && scannedOutput.data !== undefined))
  ) {
    // The common SageMaker case, CSV in and CSV out: nothing can fail any more, so emit directly.
    emitCsvRows(scannedInput.data, sink);
    if (scannedOutput.present) emitCsvOutput(scannedOutput.data as string, sink);
    return;
  }
  const { input, output } = parseEnvelope(line, scanned);
  if (!isObj(input) && !isObj(output)) {
    throw new CaptureDecodeError('missing-input', 'no endpointInput or endpointOutput');
  }
  const inputPayload = isObj(input) ? decodePart(input, 'bad-input-payload') : undefined;
  const outputPayload = isObj(output) ? decodePart(output, 'bad-output-payload') : undefined;
  if (inputPayload?.kind === 'json') checkJsonInput(inputPayload.value);
  if (outputPayload?.kind === 'json') checkJsonOutput(outputPayload.value);
  if (inputPayload) {
    if (inputPayload.kind === 'csv') emitCsvRows(inputPayload.text, sink);
    else emitJsonInput(inputPayload.value, sink);
  }
  if (outputPayload) {
    if (outputPayload.kind === 'csv') emitCsvOutput(outputPayload.text, sink);
    else emitJsonOutput(outputPayload.value, sink);
  }
}
