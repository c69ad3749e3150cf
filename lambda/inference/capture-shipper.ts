import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { captureObjectKey } from '../../src/capture';
import { untilAborted, type Budget } from './deadline';
import type { LogSink, MetricSink } from './core';
import { errorName } from './errors';

/**
 * Capture off the answer path (REL-2). The answer never waits on the capture beyond `waitMs`, and a capture
 * that cannot be written in that time is neither dropped nor retried on the caller's time: its records are
 * parked in memory and written again with the next request's capture. Parking is bounded; records pushed
 * out of a full parking area are counted (`CaptureDropped`, alarmed) and logged by count, never silently.
 * Lambda freezes the environment between invocations, so nothing is left in flight after an answer: a
 * write still running at `waitMs` is aborted and its records parked (a write that did reach S3 before the
 * abort is then written twice; the drift check tolerates duplicates better than gaps).
 */

/** Where capture lines go; all-or-nothing per call. */
export interface CaptureSink {
  write(lines: readonly string[], signal: AbortSignal): Promise<void>;
}

export interface CaptureShipperOptions {
  /** Longest the answer waits for a capture write. */
  readonly waitMs: number;
  /** Records kept for a later write when a write fails; older ones beyond this are dropped and counted. */
  readonly maxParkedRecords: number;
}

export class CaptureShipper {
  private parked: string[] = [];

  constructor(
    private readonly sink: CaptureSink,
    private readonly options: CaptureShipperOptions,
    private readonly metrics: MetricSink,
    private readonly log: LogSink,
  ) {}

  /** Records waiting for a retry. */
  get parkedRecords(): number {
    return this.parked.length;
  }

  /**
   * Writes `lines` and any parked records, waiting at most `waitMs` (and never past the request's
   * deadline). Never rejects: a failure parks the records and is counted.
   */
  async ship(lines: readonly string[], budget: Budget): Promise<void> {
    if (lines.length === 0 && this.parked.length === 0) return;
    const retried = this.parked.length;
    const batch = [...this.parked, ...lines];
    this.parked = [];
    const waitMs = Math.max(0, Math.min(this.options.waitMs, budget.remainingMs()));
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(Object.assign(new Error('capture write too slow'), { name: 'CaptureTimeout' })),
      waitMs,
    );
    try {
      await untilAborted(this.sink.write(batch, controller.signal), controller.signal);
      this.metrics.count('CapturedRecords', batch.length);
      if (retried > 0) this.metrics.count('CaptureRecordsRetried', retried);
    } catch (error) {
      this.metrics.count('CaptureWriteFailures');
      this.park(batch);
      this.log.warn('capture write failed; records parked for the next write', {
        errorName: errorName(error),
        records: batch.length,
        parked: this.parked.length,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private park(batch: readonly string[]): void {
    this.parked = batch.slice(-this.options.maxParkedRecords);
    const dropped = batch.length - this.parked.length;
    this.metrics.count('CaptureParkedRecords', this.parked.length);
    if (dropped > 0) {
      this.metrics.count('CaptureDropped', dropped);
      this.log.error('capture records dropped: parking is full', {
        dropped,
        maxParkedRecords: this.options.maxParkedRecords,
      });
    }
  }
}

export interface S3CaptureSinkOptions {
  readonly bucket: string;
  /** Key prefix in the data bucket (DATA_BUCKET_PREFIXES.capture). */
  readonly prefix: string;
  /** Names the capture source in the key, like SageMaker's endpoint name. */
  readonly source: string;
  /** The serving mode, in the key where SageMaker puts a variant name; the drift check reads this stream. */
  readonly variant: 'embedded' | 'sagemaker';
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/**
 * One JSON Lines object per write under SageMaker's hourly layout, which the drift check lists
 * (`<prefix><source>/<variant>/yyyy/mm/dd/hh/<uuid>.jsonl`, bucket-default SSE-KMS).
 */
export function s3CaptureSink(s3: Pick<S3Client, 'send'>, options: S3CaptureSinkOptions): CaptureSink {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => crypto.randomUUID());
  return {
    async write(lines, abortSignal) {
      await s3.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: captureObjectKey(options.prefix, options.source, options.variant, now(), newId()),
          Body: lines.join(''),
          ContentType: 'application/jsonl',
        }),
        { abortSignal },
      );
    },
  };
}
