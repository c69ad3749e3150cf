import {
  captureObjectKey,
  CaptureRecordError,
  formatCaptureObject,
  formatCaptureRecord,
} from '../../../src/capture';
import { decodeCaptureLine, type CaptureSink } from '../../../src/drift/capture';

const event = {
  features: { tenure: 12, Contract: 'Month-to-month', TotalCharges: null },
  probability: 0.8125,
  pseudonymousId: 'ab'.repeat(32),
  eventId: '3f1c7d2e-0000-4000-8000-000000000001',
  inferenceTime: new Date('2026-11-23T01:02:03.456Z'),
};

function decode(line: string) {
  const seen: { records: unknown[]; scores: unknown[] } = { records: [], scores: [] };
  const sink: CaptureSink = {
    csvRow: () => undefined,
    positionalRow: () => undefined,
    namedRecord: (r) => seen.records.push(r),
    score: (s) => seen.scores.push(s),
  };
  decodeCaptureLine(line, sink);
  return seen;
}

describe('capture records of the embedded path', () => {
  test('round-trip through the drift decoder: the same features and probability come back', () => {
    expect(decode(formatCaptureRecord(event))).toEqual({ records: [event.features], scores: [0.8125] });
  });

  test('SageMaker envelope: modes, encodings, event metadata with the pseudonym as inferenceId', () => {
    const parsed = JSON.parse(formatCaptureRecord(event));
    expect(parsed.eventVersion).toBe('0');
    expect(parsed.captureData.endpointInput).toMatchObject({ mode: 'INPUT', encoding: 'JSON' });
    expect(parsed.captureData.endpointOutput).toMatchObject({ mode: 'OUTPUT', encoding: 'JSON' });
    expect(parsed.eventMetadata).toEqual({
      eventId: event.eventId,
      inferenceId: event.pseudonymousId,
      inferenceTime: '2026-11-23T01:02:03.456Z',
    });
  });

  test('an object is JSON Lines, one record per line, each decodable', () => {
    const text = formatCaptureObject([event, { ...event, probability: 0.1 }]);
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((l) => decode(l).scores[0]),
    ).toEqual([0.8125, 0.1]);
  });

  test('refuses to store an identifier field or a non-finite probability', () => {
    expect(() => formatCaptureRecord({ ...event, features: { customerId: '1234-ABCDE' } })).toThrow(
      CaptureRecordError,
    );
    expect(() => formatCaptureRecord({ ...event, probability: NaN })).toThrow(CaptureRecordError);
  });

  test('keys follow SageMaker layout by UTC hour under the capture prefix', () => {
    expect(captureObjectKey('capture/', 'churn-dev-api', 'embedded', event.inferenceTime, 'x-1')).toBe(
      'capture/churn-dev-api/embedded/2026/11/23/01/x-1.jsonl',
    );
    expect(() => captureObjectKey('capture/', '../etc', 'embedded', event.inferenceTime, 'x')).toThrow(
      /source/,
    );
  });
});
