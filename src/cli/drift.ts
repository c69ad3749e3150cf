/**
 * `npm run drift -- --baseline <baseline.json> --input <capture files or directories...> [--json]`
 *
 * Runs the drift check offline on local capture files with the same core the scheduled Lambda uses, and
 * prints the report (a table, or the full JSON report with --json). See docs/drift.md.
 * Exit codes: 0 the check ran; 1 the baseline or an input could not be read; 2 usage error;
 * 3 drift detected and --fail-on-drift was given.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { parseBaseline } from '../drift/baseline';
import type { DriftOptions } from '../drift/options';
import type { DriftReport } from '../drift/report';
import { runDriftCheck, type CaptureObject } from '../drift/run';
import { formatTable } from './table';

export const DRIFT_USAGE = `Usage: npm run drift -- --baseline <baseline.json> --input <file|dir> [--input <file|dir> ...] [options]

Compares captured inference traffic (SageMaker data-capture JSON Lines, or the embedded path's records
in the same shape) with a training baseline and prints the drift report.

Options:
  --baseline <path>       baseline built by 'npm run baseline'
  --input <path>          a capture file, or a directory searched recursively for *.jsonl (repeatable;
                          extra paths after the options are inputs too)
  --json                  print the full JSON report instead of the table
  --alpha <p>             family-wise significance level (default 0.01)
  --correction <name>     bonferroni (default) or holm
  --min-ks <D>            KS statistic a numeric feature/score must also reach to count as drift (default 0.1)
  --min-psi <psi>         PSI a categorical feature must also reach to count as drift (default 0.2)
  --min-records <n>       fewer records than this: no decision, status insufficient-data (default 100)
  --fail-on-drift         exit with code 3 when the status is "drift"
  -h, --help              this text

Exit codes: 0 the check ran; 1 the baseline or an input could not be read; 2 usage error;
3 drift detected with --fail-on-drift.`;

export interface DriftIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

class UsageError extends Error {}

function numberOption(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got '${v}'`);
  return n;
}

/** Capture files under the given paths: files as given, directories searched for *.jsonl, sorted. */
export async function captureFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.jsonl')) out.push(p);
    }
  };
  for (const p of paths) {
    const s = await stat(p);
    if (s.isDirectory()) await walk(p);
    else out.push(p);
  }
  return out;
}

function pct(v: number | null): string {
  return v === null ? '-' : `${(100 * v).toFixed(2)}%`;
}

function num(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return '-';
  if (v !== 0 && Math.abs(v) < 10 ** -digits) return v.toExponential(2);
  return v.toFixed(digits);
}

/** The report as a fixed-width table for a terminal. */
export function formatReport(r: DriftReport): string {
  const lines: string[] = [];
  lines.push(r.summary);
  lines.push(
    `decision: ${r.decision.correction} over ${r.decision.tests} tests at alpha ${r.decision.alpha}; ` +
      `drift needs KS D >= ${r.decision.minKsStatistic} (numeric, score) or PSI >= ${r.decision.minCategoricalPsi} (categorical)`,
  );
  lines.push(
    `input: ${r.input.objects} objects, ${r.input.lines} lines, ${r.input.malformedLines} malformed, ${r.input.records} records, ${r.input.wrongWidthRows} rows of the wrong width`,
  );
  lines.push('');
  const header = [
    'feature',
    'test',
    'n',
    'statistic',
    'p-value',
    'adj. p',
    'PSI',
    'null',
    'type err',
    'range',
    'drift',
  ];
  const rows: string[][] = [header];
  for (const f of r.features) {
    const q = f.quality;
    // Only the test columns differ by kind; the PSI, quality and verdict columns are shared.
    const test =
      f.kind === 'numeric'
        ? [
            f.ks ? `KS ${f.ks.method}` : 'KS',
            String(f.values),
            num(f.ks?.statistic),
            num(f.ks?.pValue),
            num(f.ks?.adjustedPValue),
          ]
        : [
            f.chiSquare ? `chi2 dof=${f.chiSquare.dof}${f.chiSquare.yates ? ' Yates' : ''}` : 'chi2',
            `${f.values}${f.unseen.count > 0 ? ` (+${f.unseen.count} unseen)` : ''}`,
            num(f.chiSquare?.statistic, 3),
            num(f.chiSquare?.pValue),
            num(f.chiSquare?.adjustedPValue),
          ];
    rows.push([
      f.name,
      ...test,
      num(f.psi),
      pct(q.nullRate),
      pct(q.typeErrorRate),
      pct(q.outOfRangeRate),
      f.drift ? 'DRIFT' : '',
    ]);
  }
  const p = r.prediction;
  rows.push([
    '(prediction)',
    p.ks ? `KS ${p.ks.method}` : 'KS',
    String(p.scores),
    num(p.ks?.statistic),
    num(p.ks?.pValue),
    num(p.ks?.adjustedPValue),
    num(p.psi),
    '',
    pct(p.quality.nonFiniteRate),
    p.quality.outputs > 0 ? pct(p.quality.outOfRange / p.quality.outputs) : '-',
    p.drift ? 'DRIFT' : '',
  ]);
  lines.push(formatTable(rows));
  lines.push('');
  lines.push(`data quality: ${r.dataQuality.status}`);
  for (const b of r.dataQuality.breaches) {
    lines.push(`  ${b.feature}: ${b.check} ${pct(b.value)} > ${pct(b.threshold)}`);
  }
  for (const f of r.features) {
    if (f.kind === 'categorical' && f.unseen.count > 0) {
      lines.push(
        `unseen categories of ${f.name}: ${f.unseen.top.map((t) => `${JSON.stringify(t.category)} x${t.count}`).join(', ')}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function main(argv: readonly string[], io: DriftIo = process): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  const options: { -readonly [K in keyof DriftOptions]?: DriftOptions[K] } = {};
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        baseline: { type: 'string' },
        input: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        alpha: { type: 'string' },
        correction: { type: 'string' },
        'min-ks': { type: 'string' },
        'min-psi': { type: 'string' },
        'min-records': { type: 'string' },
        'fail-on-drift': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
    if (values.help) {
      io.stdout.write(`${DRIFT_USAGE}\n`);
      return 0;
    }
    if (typeof values.baseline !== 'string') throw new UsageError('missing --baseline');
    const inputs = [...((values.input as string[] | undefined) ?? []), ...positionals];
    if (inputs.length === 0) throw new UsageError('missing --input');
    values.input = inputs;
    options.alpha = numberOption(values.alpha as string | undefined, '--alpha');
    options.minKsStatistic = numberOption(values['min-ks'] as string | undefined, '--min-ks');
    options.minCategoricalPsi = numberOption(values['min-psi'] as string | undefined, '--min-psi');
    options.minRecords = numberOption(values['min-records'] as string | undefined, '--min-records');
    if (values.correction !== undefined) {
      if (values.correction !== 'bonferroni' && values.correction !== 'holm') {
        throw new UsageError(`--correction must be bonferroni or holm, got '${String(values.correction)}'`);
      }
      options.correction = values.correction;
    }
  } catch (e) {
    io.stderr.write(`drift: ${(e as Error).message}\n\n${DRIFT_USAGE}\n`);
    return 2;
  }
  let report: DriftReport;
  try {
    const baseline = parseBaseline(JSON.parse(await readFile(values.baseline as string, 'utf8')));
    const files = await captureFiles(values.input as string[]);
    // Opened one at a time as the check reaches them: never more than one file descriptor, however many files.
    function* objects(): Generator<CaptureObject> {
      for (const f of files) yield { name: f, body: createReadStream(f, { highWaterMark: 1 << 20 }) };
    }
    ({ report } = await runDriftCheck({ baseline, objects: objects(), options }));
  } catch (e) {
    // Option values are validated by the core (resolveDriftOptions) with messages that name the option.
    const message = (e as Error).message;
    if (e instanceof RangeError && message.startsWith('drift option')) {
      io.stderr.write(`drift: ${message}\n`);
      return 2;
    }
    io.stderr.write(`drift: ${message}\n`);
    return 1;
  }
  io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return values['fail-on-drift'] && report.status === 'drift' ? 3 : 0;
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
