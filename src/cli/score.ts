import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';

import {
  FeatureEncoder,
  loadFeatureSpecFile,
  modelEncoderOptions,
  type FieldError,
  type RawRecord,
} from '../features';
import { loadModelFile } from '../scorer';
import { ColumnEncoder } from './column-encoder';
import { formatFromPath, InputError, readRecords, type InputFormat } from './records';

export const USAGE = `Usage: churn-score --model <model.json> --input <file.csv|file.jsonl|-> [options]

Scores every input row with an XGBoost JSON model and prints one prediction per row, in input order.

Options:
  --model <path>          XGBoost model saved with Booster.save_model('model.json') (required)
  --model-sha256 <hex>    refuse the model unless its SHA-256 is this digest
  --spec <path>           feature specification: raw records are validated and encoded with it and
                          contributions are summed per source field; without it, column names (CSV
                          header or JSON keys) must be the model's feature names (f0..fN when the
                          model stores none) and empty values mean missing
  --input <path>          CSV with a header line, or JSON Lines (one object per line); '-' = stdin
  --input-format <fmt>    csv or jsonl (default: from the input file extension)
  --format <fmt>          output format, csv or jsonl (default: the input format)
  --contributions         add per-feature TreeSHAP contributions and the bias (margin space)
  --skip-invalid          report invalid rows on stderr, count them and go on (exit 0)
  --ignore-unknown        ignore input fields the spec or model does not know (ids, labels)
  -h, --help              show this help

Exit status: 0 all rows scored (or invalid ones skipped with --skip-invalid); 1 an invalid row
stopped the run (rows before it were already printed); 2 bad usage or an unusable model, spec or input.`;

export interface ScoreOptions {
  readonly model: string;
  readonly modelSha256?: string;
  readonly spec?: string;
  readonly input: string;
  readonly inputFormat: InputFormat;
  readonly format: InputFormat;
  readonly contributions: boolean;
  readonly skipInvalid: boolean;
  readonly ignoreUnknown: boolean;
}

export interface ScoreIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

class UsageError extends Error {}

function asFormat(value: string | undefined, option: string): InputFormat | undefined {
  if (value === undefined) return undefined;
  if (value !== 'csv' && value !== 'jsonl')
    throw new UsageError(`${option} must be csv or jsonl, got '${value}'`);
  return value;
}

/** Parses command-line arguments; returns 'help' for --help. Throws a usage error naming the problem. */
export function parseScoreArgs(argv: readonly string[]): ScoreOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        'model-sha256': { type: 'string' },
        spec: { type: 'string' },
        input: { type: 'string' },
        'input-format': { type: 'string' },
        format: { type: 'string' },
        contributions: { type: 'boolean', default: false },
        'skip-invalid': { type: 'boolean', default: false },
        'ignore-unknown': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (v.model === undefined) throw new UsageError('--model is required');
  if (v.input === undefined) throw new UsageError('--input is required');
  const inputFormat = asFormat(v['input-format'], '--input-format') ?? formatFromPath(v.input);
  if (inputFormat === undefined) {
    throw new UsageError(
      `cannot tell the format of '${v.input}' from its name; pass --input-format csv|jsonl`,
    );
  }
  return {
    model: v.model,
    ...(v['model-sha256'] !== undefined ? { modelSha256: v['model-sha256'] } : {}),
    ...(v.spec !== undefined ? { spec: v.spec } : {}),
    input: v.input,
    inputFormat,
    format: asFormat(v.format, '--format') ?? inputFormat,
    contributions: v.contributions,
    skipInvalid: v['skip-invalid'],
    ignoreUnknown: v['ignore-unknown'],
  };
}

/** Output buffered in chunks, waiting for 'drain' so memory stays flat when stdout is slow. */
class BufferedWriter {
  private chunk = '';
  private failure: Error | undefined;
  constructor(private readonly out: Writable) {
    // Without a listener a closed pipe (e.g. `| head`) would crash the process with EPIPE.
    out.on('error', (error: Error) => (this.failure = error));
  }

  async write(text: string): Promise<void> {
    this.chunk += text;
    if (this.chunk.length >= 64 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.chunk === '') return;
    const text = this.chunk;
    this.chunk = '';
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
}

/** 9 significant digits identify a float32 exactly; Number() drops trailing zeros. */
function num(x: number): string {
  return Number.isNaN(x) ? 'NaN' : String(Number(x.toPrecision(9)));
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Runs the score command; resolves to the process exit status. Never calls process.exit. */
export async function runScore(options: ScoreOptions, io: ScoreIo): Promise<number> {
  const model = await loadModelFile(options.model, {
    ...(options.modelSha256 !== undefined ? { expectedSha256: options.modelSha256 } : {}),
  });
  const unknownFields = options.ignoreUnknown ? 'ignore' : 'reject';
  const specEncoder =
    options.spec === undefined
      ? undefined
      : new FeatureEncoder(
          await loadFeatureSpecFile(options.spec),
          modelEncoderOptions(model, unknownFields),
        );
  const columnEncoder = new ColumnEncoder(model, options.ignoreUnknown);
  const encode = (record: RawRecord, out: Float64Array): FieldError[] =>
    specEncoder ? specEncoder.encodeInto(record, out) : columnEncoder.encodeInto(record, out);
  const explainedNames = specEncoder ? [...specEncoder.fieldNames] : [...model.featureNames];
  const fieldSums = new Float64Array(explainedNames.length);
  const checkHeader = (columns: readonly string[]): void => {
    if (!specEncoder) return columnEncoder.checkHeader(columns);
    const present = new Set(columns);
    const absent = specEncoder.spec.fields
      .filter((f) => f.required && !present.has(f.name))
      .map((f) => f.name);
    if (absent.length > 0) throw new InputError(`CSV header lacks required fields: ${absent.join(', ')}`);
    const known = new Set(explainedNames);
    const unknown = columns.filter((c) => !known.has(c));
    if (unknown.length > 0 && !options.ignoreUnknown) {
      throw new InputError(
        `CSV header has columns the feature specification does not define: ${unknown.join(', ')} ` +
          '(--ignore-unknown skips extra columns)',
      );
    }
  };

  const out = new BufferedWriter(io.stdout);
  if (options.format === 'csv') {
    const header = ['row', 'prediction'];
    if (options.contributions)
      header.push(...explainedNames.map((n) => `contribution_${n}`), 'contribution_bias');
    await out.write(`${header.map(csvCell).join(',')}\n`);
  }

  const vector = new Float64Array(model.numFeatures);
  let scored = 0;
  let skipped = 0;
  for await (const item of readRecords(options.input, options.inputFormat, { onHeader: checkHeader })) {
    const problems =
      'error' in item ? [item.error] : encode(item.record, vector).map((e) => `${e.field}: ${e.message}`);
    if (problems.length > 0) {
      const message = `row ${item.row} (line ${item.line}): ${problems.join('; ')}`;
      if (!options.skipInvalid) {
        await out.flush();
        io.stderr.write(
          `churn-score: ${message}\nchurn-score: stopped after ${scored} rows (use --skip-invalid to go on)\n`,
        );
        return 1;
      }
      skipped++;
      io.stderr.write(`churn-score: skipped ${message}\n`);
      continue;
    }
    const prediction = model.predict(vector);
    let explained: { names: string[]; values: ArrayLike<number>; bias: number } | undefined;
    if (options.contributions) {
      const c = model.contributions(vector);
      const values = specEncoder ? specEncoder.sumBySourceFieldInto(c.values, fieldSums) : c.values;
      explained = { names: explainedNames, values, bias: c.bias };
    }
    if (options.format === 'csv') {
      let line = `${item.row},${num(prediction)}`;
      if (explained) {
        for (let i = 0; i < explained.values.length; i++) line += `,${num(explained.values[i])}`;
        line += `,${num(explained.bias)}`;
      }
      await out.write(`${line}\n`);
    } else {
      const answer: Record<string, unknown> = { row: item.row, prediction: Number(num(prediction)) };
      if (explained) {
        const byName: Record<string, number> = {};
        explained.names.forEach((n, i) => (byName[n] = Number(num(explained.values[i]))));
        answer.contributions = byName;
        answer.bias = Number(num(explained.bias));
      }
      await out.write(`${JSON.stringify(answer)}\n`);
    }
    scored++;
  }
  await out.flush();
  if (options.skipInvalid)
    io.stderr.write(`churn-score: scored ${scored} rows, skipped ${skipped} invalid rows\n`);
  return 0;
}

/** Entry point shared by `npm run score` and the `churn-score` bin. */
export async function main(argv: readonly string[], io: ScoreIo = process): Promise<number> {
  let options: ScoreOptions | 'help';
  try {
    options = parseScoreArgs(argv);
  } catch (error) {
    io.stderr.write(`churn-score: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    return await runScore(options, io);
  } catch (error) {
    // The reader went away (`churn-score ... | head`): not an error of ours.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`churn-score: ${message}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 2;
    },
  );
}
