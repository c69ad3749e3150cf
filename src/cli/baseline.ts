/**
 * `npm run baseline -- --spec <feature-spec.json> --model <model.json> --input <training.csv> --out <baseline.json>`
 *
 * Builds the drift baseline of a model from its training data (see docs/drift.md).
 * Exit codes: 0 written, 1 bad input data (unreadable CSV, no usable rows, spec/model mismatch), 2 usage.
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

import { baselineFromTraining } from '../drift/from-training';
import { DEFAULT_MAX_SAMPLE, DEFAULT_PSI_BINS } from '../drift/summary';

export const BASELINE_USAGE = `Usage: npm run baseline -- --spec <feature-spec.json> --model <model.json> --input <training.csv> --out <baseline.json> [options]

Builds the training baseline the drift check compares captured traffic against.

Options:
  --spec <path>         feature specification (src/features format)
  --model <path>        XGBoost model.json the baseline's scores come from
  --input <path>        training data, CSV with a header naming the specification's fields
  --out <path>          where to write the baseline JSON
  --max-sample <n>      cap on the per-feature KS sample (default ${DEFAULT_MAX_SAMPLE})
  --psi-bins <n>        PSI bins for numeric features and the score (default ${DEFAULT_PSI_BINS})
  --created-at <iso>    timestamp to record instead of now (reproducible output)
  -h, --help            this text

Exit codes: 0 written; 1 the inputs could not be turned into a baseline; 2 usage error.`;

/** Indented JSON, except that arrays of numbers stay on one line: the samples would otherwise take 50,000 lines. */
export function formatBaselineJson(value: unknown): string {
  const text = JSON.stringify(value, null, 1);
  return `${text.replace(/\[\n\s*(-?[0-9][-0-9.eE+]*(?:,\n\s*-?[0-9][-0-9.eE+]*)*)\n\s*\]/g, (_m, body: string) => `[${body.replace(/,\n\s*/g, ',')}]`)}\n`;
}

export interface BaselineIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got '${value}'`);
  return n;
}

export async function main(argv: readonly string[], io: BaselineIo = process): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        spec: { type: 'string' },
        model: { type: 'string' },
        input: { type: 'string' },
        out: { type: 'string' },
        'max-sample': { type: 'string' },
        'psi-bins': { type: 'string' },
        'created-at': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.stderr.write(`baseline: ${(e as Error).message}\n\n${BASELINE_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${BASELINE_USAGE}\n`);
    return 0;
  }
  const missing = ['spec', 'model', 'input', 'out'].filter((k) => typeof values[k] !== 'string');
  let maxSample: number;
  let psiBins: number;
  try {
    if (missing.length > 0) throw new Error(`missing ${missing.map((m) => `--${m}`).join(', ')}`);
    maxSample = positiveInt(values['max-sample'] as string | undefined, '--max-sample', DEFAULT_MAX_SAMPLE);
    psiBins = positiveInt(values['psi-bins'] as string | undefined, '--psi-bins', DEFAULT_PSI_BINS);
    if (psiBins < 2) throw new Error('--psi-bins must be at least 2');
    if (values['created-at'] !== undefined && Number.isNaN(Date.parse(values['created-at'] as string))) {
      throw new Error(`--created-at must be an ISO-8601 time, got '${String(values['created-at'])}'`);
    }
  } catch (e) {
    io.stderr.write(`baseline: ${(e as Error).message}\n\n${BASELINE_USAGE}\n`);
    return 2;
  }
  const [spec, model, input, out] = ['spec', 'model', 'input', 'out'].map((k) => values[k] as string);
  const shown = (p: string): string => (p.startsWith('/') ? relative(process.cwd(), p) || p : p);
  try {
    const createdAt = values['created-at'] as string | undefined;
    const result = await baselineFromTraining({
      specPath: spec,
      modelPath: model,
      trainingPath: input,
      maxSample,
      psiBins,
      createdAt: createdAt === undefined ? undefined : new Date(createdAt).toISOString(),
      recordedPaths: { spec: shown(spec), model: shown(model), training: shown(input) },
    });
    await writeFile(out, formatBaselineJson(result.baseline));
    const b = result.baseline;
    io.stdout.write(
      `baseline: ${b.source.rows} training rows, ${b.features.length} features, ${b.featureOrder.length} model columns -> ${out}\n`,
    );
    if (result.rejected > 0) {
      io.stderr.write(
        `baseline: left out ${result.rejected} training rows the specification rejects, e.g.\n`,
      );
      for (const r of result.firstRejections) io.stderr.write(`  row ${r.row}: ${r.message}\n`);
    }
    return 0;
  } catch (e) {
    io.stderr.write(`baseline: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
