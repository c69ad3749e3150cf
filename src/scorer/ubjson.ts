import { ModelFormatError } from './errors';

/**
 * A decoded UBJSON value. Strongly typed containers (`[$d#...`) decode to typed arrays, which is how
 * XGBoost writes every node array of a tree; everything else decodes as `JSON.parse` would.
 */
export type UbjsonValue =
  | null
  | boolean
  | number
  | string
  | UbjsonValue[]
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | { [key: string]: UbjsonValue };

/** Deeper nesting than this is refused: an XGBoost model nests about eight levels. */
export const UBJSON_MAX_DEPTH = 64;

const FIXED_SIZE: Readonly<Record<string, number>> = { i: 1, U: 1, I: 2, l: 4, L: 8, d: 4, D: 8, C: 1 };

/**
 * Decodes Universal Binary JSON (ubjson.org, draft 12), the binary format XGBoost's `save_model`
 * writes for any file name not ending in `.json` (decision record 0003 says why this is not an npm
 * package). Built for hostile input: every declared length or count is checked against the bytes that
 * remain before anything is allocated, nesting is bounded, and every failure is a ModelFormatError
 * naming the byte offset, so a truncated or crafted file can neither hang the reader nor make it
 * allocate more than a small multiple of its own size.
 */
export function decodeUbjson(bytes: Uint8Array, source = 'model'): UbjsonValue {
  const reader = new UbjsonReader(bytes, source);
  const value = reader.value(reader.marker(), 0);
  reader.skipNoOps();
  if (!reader.atEnd()) reader.fail(`unexpected bytes after the end of the document`);
  return value;
}

/** True when the bytes look like a UBJSON document rather than JSON text: an object opened by a typed key length or a container marker. */
export function looksLikeUbjson(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x7b && 'iUIlL$#'.includes(String.fromCharCode(bytes[1]));
}

class UbjsonReader {
  private offset = 0;
  private readonly view: DataView;
  private readonly text = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly bytes: Uint8Array,
    private readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string, at = this.offset): never {
    throw new ModelFormatError(`${this.source} is not a valid UBJSON model: ${message} (byte ${at})`);
  }

  atEnd(): boolean {
    return this.offset >= this.bytes.length;
  }

  private remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(count: number, what: string): void {
    if (count > this.remaining()) {
      this.fail(`${what} needs ${count} bytes but only ${this.remaining()} remain (truncated?)`);
    }
  }

  skipNoOps(): void {
    while (!this.atEnd() && this.bytes[this.offset] === 0x4e) this.offset++;
  }

  /** The next type marker, skipping no-op markers. */
  marker(): string {
    this.skipNoOps();
    this.need(1, 'a type marker');
    return String.fromCharCode(this.bytes[this.offset++]);
  }

  private peek(): string {
    this.skipNoOps();
    return this.atEnd() ? '' : String.fromCharCode(this.bytes[this.offset]);
  }

  private scalar(type: string): number {
    const size = FIXED_SIZE[type];
    this.need(size, `a '${type}' value`);
    const at = this.offset;
    const v = this.view;
    this.offset += size;
    switch (type) {
      case 'i':
        return v.getInt8(at);
      case 'U':
        return v.getUint8(at);
      case 'I':
        return v.getInt16(at);
      case 'l':
        return v.getInt32(at);
      case 'd':
        return v.getFloat32(at);
      case 'D':
        return v.getFloat64(at);
      case 'L': {
        const high = v.getInt32(at);
        const low = v.getUint32(at + 4);
        // Beyond 2^53 a double cannot hold the integer exactly; no model field needs that range.
        if (high > 0x1fffff || high < -0x200000) this.fail('a 64-bit integer is out of the exact range', at);
        return high * 4294967296 + low;
      }
      default:
        return this.fail(`'${type}' is not a numeric type`, at - 1);
    }
  }

  /** A length or count: an integer marker and a non-negative value. */
  private length(what: string): number {
    const at = this.offset;
    const type = this.marker();
    if (!'iUIlL'.includes(type)) this.fail(`${what} must be an integer, found marker '${type}'`, at);
    const n = this.scalar(type);
    if (n < 0) this.fail(`${what} is negative (${n})`, at);
    return n;
  }

  private string(what: string): string {
    const n = this.length(`the length of ${what}`);
    this.need(n, what);
    const at = this.offset;
    this.offset += n;
    try {
      return this.text.decode(this.bytes.subarray(at, at + n));
    } catch {
      return this.fail(`${what} is not valid UTF-8`, at);
    }
  }

  value(type: string, depth: number): UbjsonValue {
    switch (type) {
      case 'Z':
        return null;
      case 'T':
        return true;
      case 'F':
        return false;
      case 'i':
      case 'U':
      case 'I':
      case 'l':
      case 'L':
      case 'd':
      case 'D':
        return this.scalar(type);
      case 'C':
        this.need(1, 'a char');
        return String.fromCharCode(this.bytes[this.offset++]);
      case 'S':
        return this.string('a string');
      case 'H':
        return this.fail('high-precision numbers are not used by XGBoost models', this.offset - 1);
      case '[':
        return this.array(depth + 1);
      case '{':
        return this.object(depth + 1);
      default:
        return this.fail(`unknown type marker '${type}'`, this.offset - 1);
    }
  }

  /** Reads the optional `$type` and `#count` after a container opens. */
  private header(kind: string): { type: string | undefined; count: number | undefined } {
    let type: string | undefined;
    let count: number | undefined;
    if (this.peek() === '$') {
      this.offset++;
      const at = this.offset;
      type = this.marker();
      // Zero-byte element types would let a few bytes declare billions of elements.
      if (!'iUIlLdDCS[{'.includes(type)) this.fail(`${kind} element type '${type}' is not supported`, at);
      if (this.peek() !== '#') this.fail(`a typed ${kind} must declare its count ('#')`);
    }
    if (this.peek() === '#') {
      this.offset++;
      count = this.length(`the ${kind} count`);
      // Every element takes at least one byte (a marker, or its fixed-size payload), so a count beyond
      // the bytes left is a lie and is refused before anything is allocated.
      const minimum = type !== undefined && FIXED_SIZE[type] !== undefined ? FIXED_SIZE[type] : 1;
      if (count * minimum > this.remaining()) {
        this.fail(
          `the ${kind} declares ${count} elements but only ${this.remaining()} bytes remain (truncated?)`,
        );
      }
    }
    return { type, count };
  }

  private depthCheck(depth: number): void {
    if (depth > UBJSON_MAX_DEPTH) this.fail(`containers nest deeper than ${UBJSON_MAX_DEPTH} levels`);
  }

  private array(depth: number): UbjsonValue {
    this.depthCheck(depth);
    const { type, count } = this.header('array');
    if (count === undefined) {
      const items: UbjsonValue[] = [];
      for (;;) {
        const marker = this.marker();
        if (marker === ']') return items;
        items.push(this.value(marker, depth));
      }
    }
    if (type !== undefined && type !== 'S' && type !== '[' && type !== '{' && type !== 'C') {
      return this.typedArray(type, count);
    }
    const items: UbjsonValue[] = new Array<UbjsonValue>(count);
    for (let i = 0; i < count; i++) items[i] = this.value(type ?? this.marker(), depth);
    return items;
  }

  private typedArray(type: string, count: number): UbjsonValue {
    const size = FIXED_SIZE[type];
    this.need(count * size, `an array of ${count} '${type}' values`);
    const v = this.view;
    const start = this.offset;
    this.offset += count * size;
    switch (type) {
      case 'U':
        return this.bytes.slice(start, start + count);
      case 'i':
        return Int8Array.from(this.bytes.subarray(start, start + count), (b) => (b << 24) >> 24);
      case 'I': {
        const out = new Int16Array(count);
        for (let i = 0; i < count; i++) out[i] = v.getInt16(start + 2 * i);
        return out;
      }
      case 'l': {
        const out = new Int32Array(count);
        for (let i = 0; i < count; i++) out[i] = v.getInt32(start + 4 * i);
        return out;
      }
      case 'd': {
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) out[i] = v.getFloat32(start + 4 * i);
        return out;
      }
      case 'D': {
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) out[i] = v.getFloat64(start + 8 * i);
        return out;
      }
      default: {
        // 'L': 64-bit integers, kept as doubles when exact.
        this.offset = start;
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) out[i] = this.scalar('L');
        return out;
      }
    }
  }

  private object(depth: number): UbjsonValue {
    this.depthCheck(depth);
    const { type, count } = this.header('object');
    // A null prototype: keys such as "__proto__" are ordinary data, never the object's prototype.
    const out = Object.create(null) as { [key: string]: UbjsonValue };
    const entry = (): void => {
      const key = this.string('an object key');
      out[key] = this.value(type ?? this.marker(), depth);
    };
    if (count === undefined) {
      while (this.peek() !== '}') {
        if (this.atEnd()) this.fail("an object is not closed ('}') before the end (truncated?)");
        entry();
      }
      this.offset++;
    } else {
      for (let i = 0; i < count; i++) entry();
    }
    return out;
  }
}
