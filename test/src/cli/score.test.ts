import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { main } from '../../../src/cli/score';
import { FeatureEncoder, parseFeatureSpec } from '../../../src/features';
import { loadModel } from '../../../src/scorer';

const ROOT = join(__dirname, '../../..');
const SAMPLE = join(ROOT, 'models/sample-churn');
const MODEL = join(SAMPLE, 'model.json');
const SPEC = join(SAMPLE, 'feature-spec.json');
const FIXTURES = join(ROOT, 'test/fixtures/xgboost');

const model = loadModel(readFileSync(MODEL));
const encoder = new FeatureEncoder(parseFeatureSpec(JSON.parse(readFileSync(SPEC, 'utf8'))), {
  modelFeatureNames: model.featureNames,
});
const holdout = readFileSync(join(SAMPLE, 'holdout.csv'), 'utf8').split('\n');
const header = holdout[0].split(',');
const dir = mkdtempSync(join(tmpdir(), 'churn-score-'));

/** The holdout CSV without its id and label columns, first `n` rows. */
function featureCsv(n: number, edit?: (cells: string[], i: number) => void): string {
  const keep = header.map((h, i) => (h === 'customerID' || h === 'Churn' ? -1 : i)).filter((i) => i >= 0);
  const lines = holdout.slice(0, n + 1).map((line, i) => {
    const cells = line.split(',');
    if (i > 0) edit?.(cells, i);
    return keep.map((k) => cells[k]).join(',');
  });
  return `${lines.join('\n')}\n`;
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(args, { stdout, stderr });
  return { code, out, err };
}

function expectedPrediction(cells: Record<string, string>): number {
  const encoded = encoder.encode(cells);
  if (!encoded.ok) throw new Error(JSON.stringify(encoded.errors));
  return model.predict(encoded.vector);
}

describe('score command (DATA-5)', () => {
  it('prints usage for --help and exits 2 with the reason on bad usage', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: churn-score --model <model.json>');
    const missing = await run(['--input', 'x.csv']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--model is required');
    expect((await run(['--model', MODEL, '--input', 'x.txt'])).err).toContain(
      "cannot tell the format of 'x.txt'",
    );
    expect((await run(['--model', MODEL, '--input', 'x.csv', '--format', 'xml'])).err).toContain(
      "--format must be csv or jsonl, got 'xml'",
    );
    expect((await run(['--model', MODEL, '--input', 'x.csv', '--bogus'])).code).toBe(2);
  });

  it('scores raw CSV records through the spec, one line per row in input order', async () => {
    const input = file('good.csv', featureCsv(25));
    const { code, out, err } = await run(['--model', MODEL, '--spec', SPEC, '--input', input]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('row,prediction');
    expect(lines).toHaveLength(26);
    const rows = featureCsv(25).trim().split('\n');
    const names = rows[0].split(',');
    lines.slice(1).forEach((line, i) => {
      const [row, prediction] = line.split(',');
      expect(Number(row)).toBe(i + 1);
      const cells = Object.fromEntries(rows[i + 1].split(',').map((v, j) => [names[j], v]));
      expect(Math.abs(Number(prediction) - expectedPrediction(cells))).toBeLessThan(1e-8);
    });
  });

  it('writes JSON Lines with per-field contributions that add up to the margin', async () => {
    const records = featureCsv(3)
      .trim()
      .split('\n')
      .slice(1)
      .map((line) =>
        Object.fromEntries(
          line.split(',').map((v, j) => [header.filter((h) => h !== 'customerID' && h !== 'Churn')[j], v]),
        ),
      );
    const input = file('good.jsonl', `${records.map((r) => JSON.stringify(r)).join('\n')}\n\n`);
    const { code, out } = await run(['--model', MODEL, '--spec', SPEC, '--input', input, '--contributions']);
    expect(code).toBe(0);
    const answers = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers.map((a) => a.row)).toEqual([1, 2, 3]);
    for (const a of answers) {
      expect(Object.keys(a.contributions)).toHaveLength(19);
      const margin = Object.values(a.contributions as Record<string, number>).reduce((s, v) => s + v, a.bias);
      expect(1 / (1 + Math.exp(-margin))).toBeCloseTo(a.prediction, 6);
    }
  });

  it('scores model columns directly without a spec, empty cells meaning missing', async () => {
    const name = 'binary_logistic_depth3_missing';
    const expected = JSON.parse(readFileSync(join(FIXTURES, `${name}.expected.json`), 'utf8'));
    const csv = [
      expected.rows[0].map((_: unknown, i: number) => `f${i}`).join(','),
      ...expected.rows.map((r: (number | null)[]) => r.map((v) => (v === null ? '' : String(v))).join(',')),
    ].join('\n');
    const input = file('columns.csv', csv);
    const { code, out } = await run([
      '--model',
      join(FIXTURES, `${name}.model.json`),
      '--input',
      input,
      '--format',
      'jsonl',
    ]);
    expect(code).toBe(0);
    const predictions = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).prediction);
    predictions.forEach((p: number, i: number) =>
      expect(Math.abs(p - expected.prediction[i])).toBeLessThan(1e-6),
    );
  });

  it('stops at the first invalid row with its row number and field, exit 1', async () => {
    const tenure = header.filter((h) => h !== 'customerID').indexOf('tenure') + 1;
    const input = file(
      'bad.csv',
      featureCsv(4, (cells, i) => i === 2 && (cells[tenure] = '99')),
    );
    const { code, out, err } = await run(['--model', MODEL, '--spec', SPEC, '--input', input]);
    expect(code).toBe(1);
    expect(err).toContain('churn-score: row 2 (line 3): tenure: must be at most 72; got 99');
    expect(err).toContain('stopped after 1 rows');
    expect(out.trim().split('\n')).toHaveLength(2);
  });

  it('with --skip-invalid reports bad rows on stderr, counts them and scores the rest', async () => {
    const contract = header.indexOf('Contract');
    const input = file(
      'some-bad.csv',
      featureCsv(5, (cells, i) => (i === 2 || i === 4) && (cells[contract] = 'Weekly')),
    );
    const { code, out, err } = await run([
      '--model',
      MODEL,
      '--spec',
      SPEC,
      '--input',
      input,
      '--skip-invalid',
    ]);
    expect(code).toBe(0);
    expect(
      out
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    ).toEqual(['1', '3', '5']);
    expect(err).toContain(
      'skipped row 2 (line 3): Contract: must be one of "Month-to-month", "One year", "Two year"; got "Weekly"',
    );
    expect(err).toContain('scored 3 rows, skipped 2 invalid rows');
  });

  it('rejects unknown header columns unless told to ignore them, and a model whose digest differs', async () => {
    const input = join(SAMPLE, 'holdout.csv');
    const strict = await run(['--model', MODEL, '--spec', SPEC, '--input', input]);
    expect(strict.code).toBe(2);
    expect(strict.err).toContain(
      'CSV header has columns the feature specification does not define: customerID, Churn',
    );
    const noTenure = file('no-tenure.csv', featureCsv(2).replace(/(^|,)tenure(,|$)/, '$1tenure_months$2'));
    const lacking = await run(['--model', MODEL, '--spec', SPEC, '--input', noTenure, '--ignore-unknown']);
    expect(lacking.code).toBe(2);
    expect(lacking.err).toContain('CSV header lacks required fields: tenure');
    const tampered = await run(['--model', MODEL, '--model-sha256', '0'.repeat(64), '--input', input]);
    expect(tampered.code).toBe(2);
    expect(tampered.err).toContain('was expected; refusing to use it');
  });

  it('reports malformed JSON lines by row', async () => {
    const input = file('broken.jsonl', '{"gender": "Male"\n');
    const { code, err } = await run(['--model', MODEL, '--spec', SPEC, '--input', input]);
    expect(code).toBe(1);
    expect(err).toMatch(/row 1 \(line 1\): not valid JSON/);
  });
});

describe('churn-score bin (spawned through its launcher)', () => {
  const bin = join(ROOT, 'src/cli/churn-score.cjs');

  it('scores a file and exits 0', () => {
    const input = file('bin-good.csv', featureCsv(3));
    const result = spawnSync(process.execPath, [bin, '--model', MODEL, '--spec', SPEC, '--input', input], {
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(4);
  });

  it('exits 1 on a bad row', () => {
    const input = file(
      'bin-bad.csv',
      featureCsv(2, (cells) => (cells[header.indexOf('gender')] = 'X')),
    );
    const result = spawnSync(process.execPath, [bin, '--model', MODEL, '--spec', SPEC, '--input', input], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('row 1 (line 2): gender: must be one of "Female", "Male"; got "X"');
  });
});

describe('score command on native categorical models', () => {
  const codes = join(FIXTURES, 'native_categorical_codes.model.json');

  it('takes category codes without a specification, and says how to fix a name the model cannot code', async () => {
    const ok = await run(['--model', codes, '--input', file('codes.csv', 'f0,f1,f2,f3\n0.5,4,33,-1\n')]);
    expect(ok.code).toBe(0);
    const native = loadModel(readFileSync(codes));
    expect(Number(ok.out.split('\n')[1].split(',')[1])).toBeCloseTo(native.predict([0.5, 4, 33, -1]), 6);
    const bad = await run(['--model', codes, '--input', file('names.csv', 'f0,f1,f2,f3\n0.5,gold,33,-1\n')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(
      'f1: is a native categorical feature and the model stores no category names, so "gold" cannot be coded; pass --spec with a native field listing its categories in code order, or give the codes',
    );
  });
});
