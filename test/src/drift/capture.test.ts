import fc from 'fast-check';

import { decodeCaptureLine, parseDecimal, splitCsvRow, type CaptureSink } from '../../../src/drift/capture';
import { correctPValues } from '../../../src/drift/stats/correction';
import { psiFromCounts, psiFromShares, PSI_EPSILON } from '../../../src/drift/stats/psi';

function collect(line: string) {
  const seen = {
    csv: [] as string[],
    positional: [] as unknown[][],
    named: [] as unknown[],
    scores: [] as unknown[],
  };
  const sink: CaptureSink = {
    csvRow: (text, start, end) => seen.csv.push(text.slice(start, end)),
    positionalRow: (v) => seen.positional.push([...v]),
    namedRecord: (r) => seen.named.push(r),
    score: (s) => seen.scores.push(s),
  };
  decodeCaptureLine(line, sink);
  return seen;
}

describe('parseDecimal', () => {
  it('equals Number() bit for bit on every plain decimal it accepts', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 8 }),
        (x, digits) => {
          const text = x.toFixed(digits);
          const parsed = parseDecimal(text, 0, text.length);
          if (!Number.isNaN(parsed)) expect(Object.is(parsed, Number(text))).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('leaves everything but plain decimals to Number()', () => {
    for (const t of ['', '-', '1e5', '0x10', ' 1', '1.', '.5', '1.2.3', '+1', 'NaN', '1234567890123456']) {
      expect(parseDecimal(t, 0, t.length)).toBeNaN();
    }
    expect(parseDecimal('x12.50y', 1, 6)).toBe(12.5);
  });
});

describe('splitCsvRow', () => {
  it('follows RFC 4180 quoting', () => {
    const t = 'a,"b,c","say ""hi""",,d';
    expect(splitCsvRow(t, 0, t.length)).toEqual(['a', 'b,c', 'say "hi"', '', 'd']);
  });
});

describe('decodeCaptureLine', () => {
  const envelope = (input: object | undefined, output: object | undefined) =>
    JSON.stringify({ captureData: { endpointInput: input, endpointOutput: output }, eventVersion: '0' });

  it('reads SageMaker CSV capture in place, with the canonical and any other member order alike', () => {
    const canonical =
      '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,2.5,x","encoding":"CSV"},' +
      '"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.25","encoding":"CSV"}},' +
      '"eventMetadata":{"eventId":"e1","inferenceTime":"2026-11-23T00:00:00Z"},"eventVersion":"0"}';
    const reordered =
      '{ "eventVersion": "0", "captureData": { "endpointOutput": {"encoding": "CSV", "data": "0.25", "mode": "OUTPUT", "observedContentType": "text/csv"},' +
      ' "endpointInput": {"data": "1,2.5,x", "encoding": "CSV", "observedContentType": "text/csv", "mode": "INPUT"} } }';
    for (const line of [canonical, reordered]) {
      expect(collect(line)).toEqual({ csv: ['1,2.5,x'], positional: [], named: [], scores: [0.25] });
    }
  });

  it('rejects a canonical-looking line whose tail is not valid JSON', () => {
    const line =
      '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1","encoding":"CSV"}},"eventMetadata":{"eventId":}';
    expect(() => collect(line)).toThrow(expect.objectContaining({ reason: 'not-json' }));
  });

  it('decodes escapes in JSON-encoded payloads', () => {
    const line = envelope(
      {
        observedContentType: 'application/json',
        mode: 'INPUT',
        data: JSON.stringify({ features: { a: 'x"y\n' } }),
        encoding: 'JSON',
      },
      {
        observedContentType: 'application/json',
        mode: 'OUTPUT',
        data: '{"probability":0.5}',
        encoding: 'JSON',
      },
    );
    expect(collect(line)).toMatchObject({ named: [{ a: 'x"y\n' }], scores: [0.5] });
  });

  it('accepts output-only records and emits nothing for a record that fails half-way', () => {
    expect(
      collect(envelope(undefined, { observedContentType: 'text/csv', data: '0.1,0.2', encoding: 'CSV' })),
    ).toMatchObject({
      scores: [0.1, 0.2],
    });
    const seen: unknown[] = [];
    const sink: CaptureSink = {
      csvRow: () => seen.push('row'),
      positionalRow: () => seen.push('row'),
      namedRecord: () => seen.push('row'),
      score: () => seen.push('score'),
    };
    const line = envelope(
      { observedContentType: 'application/json', data: '{"instances":[{"a":1},7]}', encoding: 'JSON' },
      { observedContentType: 'application/json', data: '{"probability":0.5}', encoding: 'JSON' },
    );
    expect(() => decodeCaptureLine(line, sink)).toThrow(
      expect.objectContaining({ reason: 'bad-input-payload' }),
    );
    expect(seen).toEqual([]);
  });

  it('never throws anything but CaptureDecodeError, whatever the line', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ captureData: v })),
        ),
        (line) => {
          try {
            collect(line);
          } catch (e) {
            expect((e as Error).name).toBe('CaptureDecodeError');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('PSI', () => {
  it('matches the formula and floors empty bins at epsilon', () => {
    const e = [0.5, 0.3, 0.2];
    const a = [0.4, 0.4, 0.2];
    expect(psiFromShares(e, a)).toBeCloseTo(0.1 * Math.log(0.4 / 0.5) * -1 + 0.1 * Math.log(0.4 / 0.3), 15);
    expect(psiFromShares([1, 0], [0.5, 0.5])).toBeCloseTo(
      (0.5 - 1) * Math.log(0.5) + (0.5 - PSI_EPSILON) * Math.log(0.5 / PSI_EPSILON),
      12,
    );
    expect(psiFromCounts([10, 0], [0, 0])).toBeNaN();
    expect(psiFromCounts([50, 30, 20], [40, 40, 20])).toBeCloseTo(psiFromShares(e, a), 15);
  });
});

describe('multiple-testing corrections', () => {
  const p = [0.001, 0.01, 0.02, 0.04, Number.NaN];

  it('Bonferroni multiplies by the number of tests that ran', () => {
    const r = correctPValues(p, 0.05, 'bonferroni');
    expect(r.map((x) => x.adjustedPValue)).toEqual([0.004, 0.04, 0.08, 0.16, Number.NaN]);
    expect(r.map((x) => x.rejected)).toEqual([true, true, false, false, false]);
  });

  it('Holm steps down and stops at the first acceptance', () => {
    const r = correctPValues(p, 0.05, 'holm');
    // sorted: 0.001*4, 0.01*3, 0.02*2, 0.04*1 -> 0.004, 0.03, 0.04, 0.04 (monotone)
    expect(r.map((x) => x.adjustedPValue).slice(0, 4)).toEqual([0.004, 0.03, 0.04, 0.04]);
    expect(r.map((x) => x.rejected)).toEqual([true, true, true, true, false]);
    expect(correctPValues([0.03, 0.02], 0.05, 'holm').map((x) => x.rejected)).toEqual([true, true]);
    expect(correctPValues([0.03, 0.2], 0.05, 'holm').map((x) => x.rejected)).toEqual([false, false]);
  });
});
