/**
 * Entry point for the drift check: any number of capture objects in, report and metric datapoints out.
 * The caller supplies the objects (local files for the CLI, S3 GetObject bodies for the Lambda), each as
 * an async iterable of byte or text chunks, so nothing here knows about S3 and memory stays bounded by
 * the baseline plus one chunk.
 */
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

import type { Baseline } from './baseline';
import { DriftAccumulator, type AccumulatorMeta } from './accumulator';
import type { DriftOptions } from './options';
import { reportMetrics, type DriftReport, type MetricDatum } from './report';

export interface CaptureObject {
  /** For error messages and the report only (file path or S3 key). */
  readonly name: string;
  readonly body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;
}

export interface DriftCheckResult {
  readonly report: DriftReport;
  readonly metrics: MetricDatum[];
}

export interface DriftCheckInput {
  readonly baseline: Baseline;
  readonly objects: AsyncIterable<CaptureObject> | Iterable<CaptureObject>;
  readonly options?: Partial<DriftOptions>;
  /** Dimensions added to every metric datum, e.g. { Model: 'churn', Environment: 'prod' }. */
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly meta?: AccumulatorMeta;
}

/**
 * Longest line kept (characters). SageMaker real-time requests are at most 6 MB, 8 MB once base64-encoded;
 * anything longer is not a capture record, and holding it would make memory depend on the input.
 */
export const MAX_LINE_LENGTH = 16 * 1024 * 1024;

/**
 * Splits a stream of chunks into lines, handing each over as a range text[start, end) of the decoded
 * chunk (no substring per line) with `plain` = "the line holds no backslash", found with one forward
 * pointer per chunk. At most one partial line is held between chunks.
 *
 * Capture files are almost always pure ASCII, for which latin1 decoding equals UTF-8 and is several
 * times faster; the first chunk that is not ASCII switches the object to a streaming UTF-8 decoder,
 * which also handles characters split across chunk boundaries.
 */
export async function forEachLineRange(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  onLine: (text: string, start: number, end: number, plain: boolean) => void,
  onOversizedLine: () => void = () => undefined,
  maxLineLength = MAX_LINE_LENGTH,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let utf8 = false;
  let pending = '';
  /** True while dropping the rest of an oversized line (up to its newline). */
  let dropping = false;
  const emit = (text: string, start: number, end: number, backslash: number): void => {
    const e = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    onLine(text, start, e, backslash < 0 || backslash >= e);
  };
  for await (const chunk of body) {
    let decoded: string;
    if (typeof chunk === 'string') decoded = chunk;
    else {
      const buf = Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (!utf8 && isAscii(buf)) decoded = buf.toString('latin1');
      else {
        utf8 = true;
        decoded = decoder.write(buf);
      }
    }
    let start = 0;
    if (dropping) {
      const first = decoded.indexOf('\n');
      if (first < 0) continue;
      dropping = false;
      start = first + 1;
    } else if (pending.length > 0) {
      // Finish the line carried over from the previous chunk without copying this whole chunk.
      const first = decoded.indexOf('\n');
      if (first < 0) {
        if (pending.length + decoded.length > maxLineLength) {
          pending = '';
          dropping = true;
          onOversizedLine();
        } else pending += decoded;
        continue;
      }
      const line = pending + decoded.slice(0, first);
      emit(line, 0, line.length, line.indexOf('\\'));
      start = first + 1;
    }
    const text = decoded;
    let backslash = text.indexOf('\\', start);
    let nl = text.indexOf('\n', start);
    while (nl >= 0) {
      if (backslash >= 0 && backslash < start) backslash = text.indexOf('\\', start);
      emit(text, start, nl, backslash);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    pending = start === 0 ? text : text.slice(start);
    if (pending.length > maxLineLength) {
      pending = '';
      dropping = true;
      onOversizedLine();
    }
  }
  if (utf8) pending += decoder.end();
  if (pending.length > 0) emit(pending, 0, pending.length, pending.indexOf('\\'));
}

/** forEachLineRange for callers that want each line as its own string. */
export async function forEachLine(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  onLine: (line: string) => void,
): Promise<void> {
  await forEachLineRange(body, (text, start, end) => onLine(text.slice(start, end)));
}

export async function runDriftCheck(input: DriftCheckInput): Promise<DriftCheckResult> {
  const acc = new DriftAccumulator(input.baseline, input.options, input.meta);
  for await (const object of input.objects) {
    acc.beginObject();
    await forEachLineRange(
      object.body,
      (text, start, end, plain) => acc.addLineRange(text, start, end, plain),
      () => acc.addMalformed('line-too-long'),
    );
  }
  const report = acc.finish();
  return { report, metrics: reportMetrics(report, input.dimensions) };
}
