import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fc from 'fast-check';

import { loadModel, ModelFormatError, UnsupportedModelError } from '../../../src/scorer';
import { decodeUbjson, looksLikeUbjson, UBJSON_MAX_DEPTH } from '../../../src/scorer/ubjson';
import { fixturesPresent, XGBOOST_FIXTURES } from '../../helpers/xgboost-fixtures';

/** A minimal UBJSON writer for the tests (big-endian, as the format requires). */
function encode(value: unknown): Uint8Array {
  const out: number[] = [];
  const bytes = (n: number, size: number, set: (v: DataView) => void): void => {
    const buffer = new DataView(new ArrayBuffer(size));
    set(buffer);
    for (let i = 0; i < size; i++) out.push(buffer.getUint8(i));
    void n;
  };
  const marker = (c: string): void => void out.push(c.charCodeAt(0));
  const int = (n: number): void => {
    if (n >= 0 && n <= 255) {
      marker('U');
      out.push(n);
    } else {
      marker('l');
      bytes(n, 4, (v) => v.setInt32(0, n));
    }
  };
  const str = (s: string): void => {
    const utf8 = new TextEncoder().encode(s);
    int(utf8.length);
    out.push(...utf8);
  };
  const write = (v: unknown): void => {
    if (v === null) marker('Z');
    else if (v === true) marker('T');
    else if (v === false) marker('F');
    else if (typeof v === 'number') {
      if (Number.isInteger(v) && Math.abs(v) < 2 ** 31) int(v);
      else {
        marker('D');
        bytes(v, 8, (d) => d.setFloat64(0, v));
      }
    } else if (typeof v === 'string') {
      marker('S');
      str(v);
    } else if (v instanceof Float32Array) {
      out.push(...'[$d#'.split('').map((c) => c.charCodeAt(0)));
      int(v.length);
      for (const x of v) bytes(x, 4, (d) => d.setFloat32(0, x));
    } else if (Array.isArray(v)) {
      marker('[');
      v.forEach(write);
      marker(']');
    } else {
      marker('{');
      for (const [k, x] of Object.entries(v as object)) {
        str(k);
        write(x);
      }
      marker('}');
    }
  };
  write(value);
  return Uint8Array.from(out);
}

const ascii = (s: string): number[] => s.split('').map((c) => c.charCodeAt(0));
const int64 = (n: bigint): number[] => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigInt64(0, n);
  return Array.from(new Uint8Array(view.buffer));
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('UBJSON reader', () => {
  it('decodes what a UBJSON writer wrote, for arbitrary JSON-like documents', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string(),
        fc.array(tie('value'), { maxLength: 5 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        // -0 survives as an integer marker only as 0; JSON cannot tell them apart either.
        const expected = JSON.parse(JSON.stringify(value)) as unknown;
        expect(JSON.parse(JSON.stringify(decodeUbjson(encode(value))))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes strongly typed arrays into typed arrays and keeps "__proto__" a plain key', () => {
    const decoded = decodeUbjson(encode({ a: Float32Array.of(1.5, -2), __proto__x: 1 })) as Record<
      string,
      unknown
    >;
    expect(decoded.a).toEqual(Float32Array.of(1.5, -2));
    const proto = decodeUbjson(
      Uint8Array.from([...ascii('{U'), 9, ...ascii('__proto__'), ...ascii('U'), 7, ...ascii('}')]),
    );
    expect(Object.getPrototypeOf(proto)).toBeNull();
    expect((proto as Record<string, unknown>)['__proto__']).toBe(7);
  });

  it('tells UBJSON from JSON text by the first two bytes', () => {
    expect(looksLikeUbjson(encode({ learner: 1 }))).toBe(true);
    expect(looksLikeUbjson(new TextEncoder().encode('{"learner":1}'))).toBe(false);
    expect(looksLikeUbjson(new TextEncoder().encode('{ "learner":1}'))).toBe(false);
  });

  describe('hostile input gives a clear ModelFormatError, never a hang or a huge allocation', () => {
    it.each([
      [
        'an array declaring 2^40 elements',
        [...ascii('[#L'), ...int64(2n ** 40n)],
        /declares 1099511627776 elements but only 0 bytes remain/,
      ],
      [
        'a typed float array declaring more than remains',
        [...ascii('[$d#l'), 0x10, 0, 0, 0, 1, 2, 3, 4],
        /declares 268435456 elements/,
      ],
      [
        'a string longer than the file',
        [...ascii('SL'), ...int64(2n ** 50n)],
        /needs 1125899906842624 bytes but only 0 remain/,
      ],
      [
        'a 64-bit length beyond 2^53',
        [...ascii('SL'), ...int64(2n ** 62n)],
        /64-bit integer is out of the exact range/,
      ],
      ['a negative length', [...ascii('Si'), 0xff], /length of a string is negative/],
      [
        'a zero-byte element type with a count',
        [...ascii('[$Z#L'), ...int64(2n ** 40n)],
        /element type 'Z' is not supported/,
      ],
      ['a typed container without a count', [...ascii('[$d'), ...ascii(']')], /must declare its count/],
      ['an unknown marker', ascii('X'), /unknown type marker 'X'/],
      ['an unclosed object', [...ascii('{U'), 1, ...ascii('aU'), 1], /not closed/],
      ['a truncated number', ascii('D'), /needs 8 bytes but only 0 remain/],
      ['invalid UTF-8 in a string', [...ascii('SU'), 2, 0xc3, 0x28], /not valid UTF-8/],
      ['trailing bytes', [...ascii('Z'), 0x41], /unexpected bytes after the end/],
      ['a high-precision number', [...ascii('HU'), 1, ...ascii('1')], /high-precision numbers/],
    ])('%s', (_what, bytes, message) => {
      const error = thrown(() => decodeUbjson(Uint8Array.from(bytes as number[]), 'm.ubj'));
      expect(error).toBeInstanceOf(ModelFormatError);
      expect((error as Error).message).toMatch(/^m\.ubj is not a valid UBJSON model: /);
      expect((error as Error).message).toMatch(message);
    });

    it(`refuses nesting deeper than ${UBJSON_MAX_DEPTH} levels without overflowing the stack`, () => {
      const deep = Uint8Array.from(ascii('['.repeat(100_000)));
      expect(() => decodeUbjson(deep)).toThrow(/nest deeper than 64 levels/);
    });
  });
});

const describeFixture = fixturesPresent() ? describe : describe.skip;

describeFixture('XGBoost UBJSON models (model.ubj as save_model writes it)', () => {
  const dir = join(XGBOOST_FIXTURES, 'xgboost-3.4.1');
  const ubj = readFileSync(join(dir, 'native-categorical-ubj', 'model.ubj'));
  const json = readFileSync(join(dir, 'native-categorical', 'model.json'));

  it('loads to the same model as the JSON file saved from the same booster', () => {
    const a = loadModel(ubj);
    const b = loadModel(json);
    expect(a.featureNames).toEqual(b.featureNames);
    expect(a.featureTypes).toEqual(b.featureTypes);
    expect(a.categoryNames).toEqual(b.categoryNames);
    expect(a.baseScore).toBe(b.baseScore);
    const row = [12, 70.5, 800, 0, 1, 2, 0, 17];
    expect(a.predictMargin(row)).toBe(b.predictMargin(row));
  });

  it('refuses every truncation of the file with a ModelFormatError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: ubj.length - 1 }), (length) => {
        const error = thrown(() => loadModel(ubj.subarray(0, length), { source: 'model.ubj' }));
        expect(error).toBeInstanceOf(ModelFormatError);
      }),
      { numRuns: 200 },
    );
  });

  it('answers corrupted bytes with a model or a ModelFormatError/UnsupportedModelError, quickly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: ubj.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (edits) => {
          const bytes = Uint8Array.from(ubj);
          for (const [at, value] of edits) bytes[at] = value;
          const started = process.hrtime.bigint();
          const error = thrown(() => loadModel(bytes));
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          expect(seconds).toBeLessThan(5);
          if (error !== undefined) {
            expect([ModelFormatError, UnsupportedModelError].some((k) => error instanceof k)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
