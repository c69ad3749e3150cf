import { Readable } from 'node:stream';

import {
  csvRecords,
  formatFromPath,
  InputError,
  splitCsvRecord,
  type InputRecord,
} from '../../../src/cli/records';

async function collect(text: string, onHeader?: (c: readonly string[]) => void): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const r of csvRecords(Readable.from([text]), onHeader ? { onHeader } : {})) out.push(r);
  return out;
}

describe('splitCsvRecord', () => {
  it('splits plain, quoted and empty fields', () => {
    expect(splitCsvRecord('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsvRecord('"x, y","say ""hi""",')).toEqual(['x, y', 'say "hi"', '']);
  });

  it('asks for more input while a quoted field is open', () => {
    expect(splitCsvRecord('1,"two')).toBeUndefined();
    expect(splitCsvRecord('1,"two\nlines",3')).toEqual(['1', 'two\nlines', '3']);
  });
});

describe('csvRecords', () => {
  it('keys rows by the header, numbers rows and lines, and joins multi-line quoted fields', async () => {
    const rows = await collect('\uFEFFa,b\r\n1,2\r\n\r\n"3\nthree",4\n5\n');
    expect(rows).toEqual([
      { row: 1, line: 2, record: { a: '1', b: '2' } },
      { row: 2, line: 4, record: { a: '3\nthree', b: '4' } },
      { row: 3, line: 6, error: 'has 1 fields but the header has 2' },
    ]);
  });

  it('reports an unterminated quote at the end and rejects bad headers', async () => {
    expect(await collect('a\n"open\n')).toEqual([
      { row: 1, line: 2, error: 'has a quoted field that is never closed' },
    ]);
    await expect(collect('a,a\n1,2\n')).rejects.toThrow("CSV header (line 1) names column 'a' twice");
    await expect(collect('')).rejects.toThrow(InputError);
  });

  it('lets the caller veto the header before any row', async () => {
    const veto = (): void => {
      throw new InputError('no');
    };
    await expect(collect('a\n1\n', veto)).rejects.toThrow('no');
  });
});

describe('formatFromPath', () => {
  it('recognises csv, jsonl and ndjson and nothing else', () => {
    expect(formatFromPath('x.CSV')).toBe('csv');
    expect(formatFromPath('x.jsonl')).toBe('jsonl');
    expect(formatFromPath('x.ndjson')).toBe('jsonl');
    expect(formatFromPath('x.txt')).toBeUndefined();
  });
});
