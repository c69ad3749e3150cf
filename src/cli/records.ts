import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export type InputFormat = 'csv' | 'jsonl';

/** One input record, or why it could not be read; `row` counts data records from 1, `line` is where it starts. */
export type InputRecord =
  | { readonly row: number; readonly line: number; readonly record: Readonly<Record<string, unknown>> }
  | { readonly row: number; readonly line: number; readonly error: string };

/** The input as a whole is unusable (bad CSV header, unreadable file). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Input format from the file name, or undefined when the extension says nothing. */
export function formatFromPath(path: string): InputFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return undefined;
}

/**
 * Splits one CSV record (RFC 4180: quoted fields, doubled quotes, commas and newlines inside quotes).
 * Returns undefined while a quoted field is still open, so the caller can append the next line.
 */
export function splitCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let value: string;
    let end: number;
    if (text[i] === '"') {
      value = '';
      let j = i + 1;
      for (;;) {
        const close = text.indexOf('"', j);
        if (close < 0) return undefined;
        value += text.slice(j, close);
        if (text[close + 1] !== '"') {
          j = close + 1;
          break;
        }
        value += '"';
        j = close + 2;
      }
      end = text.indexOf(',', j);
      // Anything between the closing quote and the comma is kept, as lenient readers do.
      value += text.slice(j, end < 0 ? text.length : end);
    } else {
      end = text.indexOf(',', i);
      value = text.slice(i, end < 0 ? text.length : end);
    }
    fields.push(value);
    if (end < 0) return fields;
    i = end + 1;
  }
}

function lines(stream: Readable): AsyncIterable<string> {
  // readline over the stream: one line in memory at a time, whatever the file size.
  return createInterface({ input: stream, crlfDelay: Infinity });
}

export interface ReadOptions {
  /** Called with the CSV header before any row; may throw `InputError` to reject the file. */
  readonly onHeader?: (columns: readonly string[]) => void;
  /** Sees every raw chunk as it is read, e.g. to hash exactly the bytes the records came from. */
  readonly onChunk?: (chunk: Buffer) => void;
}

/** Opens `path` ('-' = standard input) as a stream of records, reading it line by line. */
export function readRecords(
  path: string,
  format: InputFormat,
  options: ReadOptions = {},
): AsyncGenerator<InputRecord> {
  const stream = path === '-' ? process.stdin : createReadStream(path);
  if (options.onChunk) stream.on('data', options.onChunk);
  return format === 'csv' ? csvRecords(stream, options) : jsonlRecords(stream);
}

async function* jsonlRecords(stream: Readable): AsyncGenerator<InputRecord> {
  let line = 0;
  let row = 0;
  for await (const text of lines(stream)) {
    line++;
    if (text.trim() === '') continue;
    row++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { row, line, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { row, line, error: 'must be a JSON object of field values' };
      continue;
    }
    yield { row, line, record: value as Record<string, unknown> };
  }
}

/** CSV with a header line; each later record becomes an object keyed by the header's column names. */
export async function* csvRecords(stream: Readable, options: ReadOptions = {}): AsyncGenerator<InputRecord> {
  let header: string[] | undefined;
  let line = 0;
  let row = 0;
  let pending = '';
  let pendingStart = 0;
  for await (const text of lines(stream)) {
    line++;
    if (pending === '') {
      if (text.trim() === '') continue;
      pendingStart = line;
    }
    const candidate = pending === '' ? text : `${pending}\n${text}`;
    const fields = splitCsvRecord(line === 1 ? candidate.replace(/^\uFEFF/, '') : candidate);
    if (fields === undefined) {
      pending = candidate;
      continue;
    }
    pending = '';
    if (header === undefined) {
      header = fields.map((f) => f.trim());
      const seen = new Set<string>();
      for (const name of header) {
        if (name === '') throw new InputError(`CSV header (line ${pendingStart}) has an empty column name`);
        if (seen.has(name))
          throw new InputError(`CSV header (line ${pendingStart}) names column '${name}' twice`);
        seen.add(name);
      }
      options.onHeader?.(header);
      continue;
    }
    row++;
    if (fields.length !== header.length) {
      yield {
        row,
        line: pendingStart,
        error: `has ${fields.length} fields but the header has ${header.length}`,
      };
      continue;
    }
    const record: Record<string, string> = {};
    header.forEach((name, i) => (record[name] = fields[i]));
    yield { row, line: pendingStart, record };
  }
  if (pending !== '') {
    yield { row: row + 1, line: pendingStart, error: 'has a quoted field that is never closed' };
  }
  if (header === undefined)
    throw new InputError('CSV input is empty: a header line naming the fields is required');
}
