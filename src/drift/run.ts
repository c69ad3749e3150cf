/**
 * Entry point for the drift check: any number of capture objects in, report and metric datapoints out.
 * The caller supplies the objects (local files for the CLI, S3 GetObject bodies for the Lambda), each as
 * an async iterable of byte or text chunks, so nothing here knows about S3 and memory stays bounded by
 * the baseline plus one chunk.
 */
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

/** Splits a stream of chunks into lines without holding more than one partial line between chunks. */
export async function forEachLine(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for await (const chunk of body) {
    const text = pending + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl >= 0) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      onLine(text.slice(start, end));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    pending = start === 0 ? text : text.slice(start);
  }
  pending += decoder.decode();
  if (pending.length > 0) onLine(pending.endsWith('\r') ? pending.slice(0, -1) : pending);
}

export async function runDriftCheck(input: DriftCheckInput): Promise<DriftCheckResult> {
  const acc = new DriftAccumulator(input.baseline, input.options, input.meta);
  for await (const object of input.objects) {
    acc.beginObject();
    await forEachLine(object.body, (line) => acc.addLine(line));
  }
  const report = acc.finish();
  return { report, metrics: reportMetrics(report, input.dimensions) };
}
