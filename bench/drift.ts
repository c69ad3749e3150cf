/**
 * Drift-check benchmark: 1,000,000 captured records in SageMaker's data-capture shape (headerless CSV input
 * in model column order, CSV probability output, one JSON line each), all distinct, written to a temporary
 * file and streamed back through the same `runDriftCheck` the Lambda and CLI use, in 1 MiB byte chunks as
 * an S3 GetObject body would arrive. Records are drawn from the baseline itself (sample values, category
 * frequencies, training scores) with 2% nulls, so every code path of a real window runs.
 *
 * Uses models/sample-churn/baseline.json (19 features, 31 one-hot model columns) when it exists, otherwise
 * a synthetic 19-feature baseline shaped like the Telco churn data. Peak memory is sampled during the check (RSS) and also taken from the OS
 * (maxRSS of the whole process, which includes generating the file).
 */
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';

import { parseBaseline, type Baseline } from '../src/drift/baseline';
import { buildBaseline, type TrainingColumn } from '../src/drift/build';
import { runDriftCheck } from '../src/drift/run';

const DEFAULT_RECORDS = 1_000_000;
const SAMPLE_BASELINE = join(__dirname, '..', 'models', 'sample-churn', 'baseline.json');

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** A Telco-shaped synthetic baseline: 4 numeric and 15 categorical features, 7,000 training rows. */
export function syntheticBaseline(rows = 7000): Baseline {
  const u = random(7);
  const yesNo = ['Yes', 'No'];
  const cat = (name: string, values: readonly string[]): TrainingColumn => ({
    name,
    kind: 'categorical',
    values: Array.from({ length: rows }, () => values[Math.floor(u() * values.length)]),
  });
  const columns: TrainingColumn[] = [
    cat('gender', ['Female', 'Male']),
    cat('SeniorCitizen', ['0', '1']),
    cat('Partner', yesNo),
    cat('Dependents', yesNo),
    {
      name: 'tenure',
      kind: 'numeric',
      integer: true,
      allowedRange: { min: 0, max: 72 },
      values: Array.from({ length: rows }, () => Math.floor(u() * 73)),
    },
    cat('PhoneService', yesNo),
    cat('MultipleLines', ['Yes', 'No', 'No phone service']),
    cat('InternetService', ['DSL', 'Fiber optic', 'No']),
    cat('OnlineSecurity', ['Yes', 'No', 'No internet service']),
    cat('OnlineBackup', ['Yes', 'No', 'No internet service']),
    cat('DeviceProtection', ['Yes', 'No', 'No internet service']),
    cat('TechSupport', ['Yes', 'No', 'No internet service']),
    cat('StreamingTV', ['Yes', 'No', 'No internet service']),
    cat('StreamingMovies', ['Yes', 'No', 'No internet service']),
    cat('Contract', ['Month-to-month', 'One year', 'Two year']),
    cat('PaperlessBilling', yesNo),
    cat('PaymentMethod', [
      'Electronic check',
      'Mailed check',
      'Bank transfer (automatic)',
      'Credit card (automatic)',
    ]),
    {
      name: 'MonthlyCharges',
      kind: 'numeric',
      allowedRange: { min: 0, max: 200 },
      values: Array.from({ length: rows }, () => Math.round((18 + u() * 101) * 100) / 100),
    },
    {
      name: 'TotalCharges',
      kind: 'numeric',
      allowedRange: { min: 0, max: 10000 },
      values: Array.from({ length: rows }, () => Math.round(u() * 8700 * 100) / 100),
    },
  ];
  return buildBaseline({
    columns,
    scores: Array.from({ length: rows }, () => u() * u()),
    featureOrder: columns.map((c) => c.name),
    source: {
      trainingData: 'synthetic',
      trainingDataSha256: '0'.repeat(64),
      rows,
      featureSpec: 'synthetic',
      featureSpecSha256: '0'.repeat(64),
      model: 'synthetic',
      modelSha256: '0'.repeat(64),
    },
    createdAt: '2026-01-01T00:00:00.000Z',
  });
}

function loadBenchBaseline(): { baseline: Baseline; label: string } {
  if (existsSync(SAMPLE_BASELINE)) {
    return {
      baseline: parseBaseline(JSON.parse(readFileSync(SAMPLE_BASELINE, 'utf8'))),
      label: 'models/sample-churn/baseline.json',
    };
  }
  return { baseline: syntheticBaseline(), label: 'synthetic Telco-shaped baseline (19 features)' };
}

/**
 * A row generator drawing every feature from the baseline (sample values, category frequencies) and
 * writing it the way the model's CSV input carries it: numeric columns as numbers, one-hot groups as 0/1
 * columns, raw categorical columns as text. 2% of values are missing (empty cells).
 */
function rowGenerator(baseline: Baseline): (u: () => number) => string[] {
  const expand = (values: number[], counts: number[]): string[] =>
    values.flatMap((v, i) => Array<string>(counts[i]).fill(String(v)));
  const index = new Map(baseline.featureOrder.map((c, i) => [c, i]));
  const writers: ((u: () => number, row: string[]) => void)[] = [];
  for (const f of baseline.features) {
    if (f.kind === 'numeric') {
      const col = index.get(f.column);
      if (col === undefined) continue;
      const pool = expand(f.sample.values, f.sample.counts);
      writers.push((u, row) => (row[col] = u() < 0.02 ? '' : pool[Math.floor(u() * pool.length)]));
      continue;
    }
    const cats = Object.keys(f.frequencies);
    const total = cats.reduce((sum, c) => sum + f.frequencies[c], 0);
    const pool = cats.flatMap((c) =>
      Array<string>(Math.max(1, Math.round((1000 * f.frequencies[c]) / total))).fill(c),
    );
    const h = f.oneHot;
    if (h) {
      const cols = h.columns.map((c) => index.get(c) ?? -1);
      if (cols.some((c) => c < 0)) continue;
      writers.push((u, row) => {
        const missing = u() < 0.02;
        const value = pool[Math.floor(u() * pool.length)];
        cols.forEach((c, k) => (row[c] = missing ? '' : h.values[k] === value ? '1' : '0'));
      });
    } else {
      const col = index.get(f.name);
      if (col === undefined) continue;
      writers.push((u, row) => (row[col] = u() < 0.02 ? '' : pool[Math.floor(u() * pool.length)]));
    }
  }
  const width = baseline.featureOrder.length;
  return (u) => {
    const row = new Array<string>(width).fill('0');
    for (const w of writers) w(u, row);
    return row;
  };
}

export async function writeCaptureFile(path: string, baseline: Baseline, records: number): Promise<number> {
  const u = random(2026);
  const makeRow = rowGenerator(baseline);
  const scores = baseline.score.sample.values.flatMap((v, i) =>
    Array<string>(baseline.score.sample.counts[i]).fill(String(v)),
  );
  const out = createWriteStream(path);
  let bytes = 0;
  const batch: string[] = [];
  const t0 = Date.UTC(2026, 10, 23);
  for (let i = 0; i < records; i++) {
    const fields = makeRow(u);
    const line = JSON.stringify({
      captureData: {
        endpointInput: {
          observedContentType: 'text/csv',
          mode: 'INPUT',
          data: fields.join(','),
          encoding: 'CSV',
        },
        endpointOutput: {
          observedContentType: 'text/csv; charset=utf-8',
          mode: 'OUTPUT',
          data: scores[Math.floor(u() * scores.length)],
          encoding: 'CSV',
        },
      },
      eventMetadata: {
        eventId: `${(i * 2654435761) >>> 0}-${i.toString(16).padStart(8, '0')}-4b1d-9c3e-5f6a7b8c9d0e`,
        inferenceTime: new Date(t0 + i * 37).toISOString(),
      },
      eventVersion: '0',
    });
    bytes += line.length + 1;
    batch.push(line);
    if (batch.length === 5000) {
      if (!out.write(batch.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
      batch.length = 0;
    }
  }
  if (batch.length > 0) out.write(batch.join('\n') + '\n');
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return bytes;
}

export interface DriftBenchResult {
  readonly records: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** CPU time of this process during the check; the wall-clock figure suffers when other work shares the cores. */
  readonly cpuSeconds: number;
  readonly recordsPerCpuSecond: number;
  readonly loadAverage: number;
  readonly megabytesPerSecond: number;
  readonly peakRssDuringCheckMb: number;
  readonly processMaxRssMb: number;
  readonly baseline: string;
  readonly status: string;
  readonly malformed: number;
}

export async function measureDrift(records = DEFAULT_RECORDS): Promise<DriftBenchResult> {
  const { baseline, label } = loadBenchBaseline();
  const dir = mkdtempSync(join(tmpdir(), 'drift-bench-'));
  const file = join(dir, 'capture.jsonl');
  try {
    const bytes = await writeCaptureFile(file, baseline, records);
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const { report } = await runDriftCheck({
      baseline,
      objects: [{ name: file, body: createReadStream(file, { highWaterMark: 1 << 20 }) }],
    });
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    return {
      records: report.input.records,
      bytes,
      seconds,
      recordsPerSecond: report.input.records / seconds,
      cpuSeconds,
      recordsPerCpuSecond: report.input.records / cpuSeconds,
      loadAverage: loadavg()[0],
      megabytesPerSecond: bytes / 1e6 / seconds,
      peakRssDuringCheckMb: peak / 2 ** 20,
      processMaxRssMb: process.resourceUsage().maxRSS / 1024,
      baseline: label,
      status: report.status,
      malformed: report.input.malformedLines,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(r: DriftBenchResult): void {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(
    `drift check: ${fmt(r.records)} SageMaker capture records (${(r.bytes / 1e6).toFixed(0)} MB), ${r.baseline}`,
  );
  console.log(
    `  throughput: ${fmt(r.recordsPerSecond)} records/s, ${r.megabytesPerSecond.toFixed(0)} MB/s (target >= 400,000 records/s)`,
  );
  console.log(
    `  CPU time:   ${r.cpuSeconds.toFixed(2)} s, ${fmt(r.recordsPerCpuSecond)} records per CPU-second (1-min load average ${r.loadAverage.toFixed(1)})`,
  );
  console.log(
    `  wall time:  ${r.seconds.toFixed(2)} s; report status ${r.status}, ${r.malformed} malformed lines`,
  );
  console.log(
    `  peak RSS:   ${r.peakRssDuringCheckMb.toFixed(0)} MB sampled during the check, ${r.processMaxRssMb.toFixed(0)} MB process max (target < 300 MB)`,
  );
}

/**
 * Runs the measurement in a fresh Node process, so the peak RSS is the drift check's own and not whatever
 * earlier benchmarks left on the heap.
 */
export async function run(records = DEFAULT_RECORDS): Promise<void> {
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--json', String(records)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`drift benchmark failed: ${child.stderr}`);
  print(JSON.parse(child.stdout) as DriftBenchResult);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const n = Number(args.find((a) => a !== '--json') ?? DEFAULT_RECORDS);
  measureDrift(n).then(
    (r) => (json ? process.stdout.write(JSON.stringify(r)) : print(r)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
