import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { main as baselineMain } from '../../../src/cli/baseline';
import { main as driftMain } from '../../../src/cli/drift';
import { splitCsvRecord } from '../../../src/cli/records';
import {
  BaselineFormatError,
  parseBaseline,
  type Baseline,
  type NumericFeatureBaseline,
} from '../../../src/drift/baseline';
import { baselineFromTraining } from '../../../src/drift/from-training';
import { buildPsiBins, buildWeightedSample } from '../../../src/drift/summary';
import { FeatureEncoder, parseFeatureSpec } from '../../../src/features';
import { loadModel } from '../../../src/scorer';

const ROOT = join(__dirname, '../../..');
const MODEL_DIR = join(ROOT, 'models/sample-churn');
const committed = (): Baseline =>
  parseBaseline(JSON.parse(readFileSync(join(MODEL_DIR, 'baseline.json'), 'utf8')));

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
    },
  };
}

/** Capture lines in SageMaker's CSV shape for the holdout rows, encoded and scored like the endpoint would. */
function holdoutCapture(limit: number, mutate?: (record: Record<string, string>, i: number) => void): string {
  const spec = parseFeatureSpec(JSON.parse(readFileSync(join(MODEL_DIR, 'feature-spec.json'), 'utf8')));
  const model = loadModel(readFileSync(join(MODEL_DIR, 'model.json')));
  const encoder = new FeatureEncoder(spec, {
    modelFeatureNames: model.featureNames,
    unknownFields: 'ignore',
  });
  const lines = readFileSync(join(MODEL_DIR, 'holdout.csv'), 'utf8').trim().split('\n');
  const header = splitCsvRecord(lines[0]) as string[];
  const out: string[] = [];
  for (const [i, line] of lines.slice(1, limit + 1).entries()) {
    const fields = splitCsvRecord(line) as string[];
    const record: Record<string, string> = {};
    header.forEach((h, k) => (record[h] = fields[k]));
    mutate?.(record, i);
    const encoded = encoder.encode(record);
    if (!encoded.ok) continue;
    out.push(
      JSON.stringify({
        captureData: {
          endpointInput: {
            observedContentType: 'text/csv',
            mode: 'INPUT',
            data: Array.from(encoded.vector).join(','),
            encoding: 'CSV',
          },
          endpointOutput: {
            observedContentType: 'text/csv',
            mode: 'OUTPUT',
            data: String(model.predict(encoded.vector)),
            encoding: 'CSV',
          },
        },
        eventMetadata: { eventId: `e${i}`, inferenceTime: '2026-11-23T00:00:00Z' },
        eventVersion: '0',
      }),
    );
  }
  return `${out.join('\n')}\n`;
}

describe('baseline samples and bins', () => {
  it('a capped sample stays within 1/cap of the full ECDF', () => {
    const values = Float64Array.from(
      { length: 25000 },
      (_, i) => Math.floor((i * 7919) % 25000) / 100,
    ).sort();
    const s = buildWeightedSample(values, 1000);
    expect(s.size).toBe(1000);
    let cum = 0;
    for (let i = 0; i < s.values.length; i++) {
      cum += s.counts[i];
      let full = 0;
      while (full < values.length && values[full] <= s.values[i]) full++;
      expect(Math.abs(cum / s.size - full / values.length)).toBeLessThanOrEqual(1 / 1000 + 1e-12);
    }
  });

  it('PSI bins merge tied edges, end at the largest value and add empty bins beyond the training range', () => {
    const s = buildWeightedSample(Float64Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 2]), 100);
    const bins = buildPsiBins(s, 10);
    expect(bins.lower).toBe(0);
    expect(bins.edges).toEqual([0, 1, 2]);
    expect(bins.shares).toEqual([0, 0.7, 0.2, 0.1, 0]);
    // A 0/1 feature keeps its two values apart and still has room on both sides.
    const binary = buildPsiBins(buildWeightedSample(Float64Array.from([0, 0, 0, 1]), 100), 10);
    expect(binary).toEqual({ lower: 0, edges: [0, 1], shares: [0, 0.75, 0.25, 0] });
  });

  it('a version 1 baseline (no bins beyond the training range) is refused with what to do', () => {
    const doc = JSON.parse(readFileSync(join(MODEL_DIR, 'baseline.json'), 'utf8'));
    expect(() => parseBaseline({ ...doc, version: 1 })).toThrow(/rebuild the baseline with npm run baseline/);
  });
});

describe('the committed sample-churn baseline', () => {
  it('is what the baseline builder makes from the committed training data, spec and model', async () => {
    const file = committed();
    const { baseline, rejected } = await baselineFromTraining({
      specPath: join(MODEL_DIR, 'feature-spec.json'),
      modelPath: join(MODEL_DIR, 'model.json'),
      trainingPath: join(MODEL_DIR, 'train.csv'),
      recordedPaths: {
        spec: file.source.featureSpec,
        model: file.source.model,
        training: file.source.trainingData,
      },
      createdAt: file.createdAt,
    });
    expect(rejected).toBe(0);
    expect(JSON.parse(JSON.stringify(baseline))).toEqual(JSON.parse(JSON.stringify(file)));
    expect(file.source.modelSha256).toBe(
      readFileSync(join(MODEL_DIR, 'model.sha256'), 'utf8').trim().split(/\s+/)[0],
    );
  });

  it('holds the whole training sample for every numeric feature and the score', () => {
    const b = committed();
    for (const f of b.features.filter((x): x is NumericFeatureBaseline => x.kind === 'numeric')) {
      expect(f.sample.size).toBe(f.rows - f.missing);
      expect(f.sample.subsampled).toBe(false);
    }
    expect(b.score.sample.size).toBe(b.source.rows);
  });

  it('parseBaseline names the field that is wrong', () => {
    const doc = JSON.parse(readFileSync(join(MODEL_DIR, 'baseline.json'), 'utf8'));
    doc.features[4].sample.values[1] = doc.features[4].sample.values[0];
    expect(() => parseBaseline(doc)).toThrow(BaselineFormatError);
    expect(() => parseBaseline(doc)).toThrow(
      /features\[4\]\.sample\.values\[1\]: values must be strictly ascending/,
    );
    expect(() => parseBaseline({ ...doc, format: 'x' })).toThrow(/baseline format/);
  });
});

describe('CLIs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'drift-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('baseline: writes a baseline and reports usage errors with exit code 2', async () => {
    const ok = io();
    const out = join(dir, 'baseline.json');
    const code = await baselineMain(
      [
        '--spec',
        join(MODEL_DIR, 'feature-spec.json'),
        '--model',
        join(MODEL_DIR, 'model.json'),
        '--input',
        join(MODEL_DIR, 'holdout.csv'),
        '--out',
        out,
      ],
      ok.io,
    );
    expect(code).toBe(0);
    expect(ok.out.stdout).toMatch(/baseline: \d+ training rows, 19 features, 31 model columns/);
    expect(parseBaseline(JSON.parse(readFileSync(out, 'utf8'))).features).toHaveLength(19);
    const bad = io();
    expect(await baselineMain(['--spec', 'x.json'], bad.io)).toBe(2);
    expect(bad.out.stderr).toMatch(/missing --model, --input, --out/);
    const missingFile = io();
    expect(
      await baselineMain(
        ['--spec', 'nope.json', '--model', 'm', '--input', 'i', '--out', join(dir, 'x')],
        missingFile.io,
      ),
    ).toBe(1);
  });

  it('drift: prints a table for a stable window and flags a drifted one', async () => {
    writeFileSync(join(dir, 'stable.jsonl'), holdoutCapture(600));
    const stable = io();
    expect(
      await driftMain(
        ['--baseline', join(MODEL_DIR, 'baseline.json'), '--input', join(dir, 'stable.jsonl')],
        stable.io,
      ),
    ).toBe(0);
    expect(stable.out.stdout).toMatch(/^drift check: no-drift; 600 records/);
    expect(stable.out.stdout).toMatch(/tenure\s+KS exact\s+600/);

    const shifted = holdoutCapture(600, (r) => {
      r.Contract = 'Month-to-month';
      r.tenure = String(Math.min(72, Number(r.tenure) + 24));
    });
    writeFileSync(join(dir, 'shifted.jsonl'), `${shifted}{"broken\n`);
    const drifted = io();
    const code = await driftMain(
      [
        '--baseline',
        join(MODEL_DIR, 'baseline.json'),
        join(dir, 'shifted.jsonl'),
        '--json',
        '--fail-on-drift',
      ],
      drifted.io,
    );
    expect(code).toBe(3);
    const report = JSON.parse(drifted.out.stdout);
    expect(report.status).toBe('drift');
    expect(report.decision.driftedFeatures).toEqual(expect.arrayContaining(['tenure', 'Contract']));
    expect(report.input.malformedLines).toBe(1);
    // Encodes, scores and checks 1,200 records in process: past jest's 5 s default on a loaded machine.
  }, 30_000);

  it('drift: rejects bad options with exit code 2 and unreadable input with 1', async () => {
    const a = io();
    expect(await driftMain(['--baseline', 'b.json', '--input', dir, '--alpha', '2'], a.io)).toBe(1);
    const b = io();
    expect(await driftMain(['--input', dir], b.io)).toBe(2);
    expect(b.out.stderr).toMatch(/missing --baseline/);
    const c = io();
    expect(
      await driftMain(['--baseline', join(MODEL_DIR, 'baseline.json'), '--input', dir, '--alpha', '2'], c.io),
    ).toBe(2);
    expect(c.out.stderr).toMatch(/drift option alpha must lie in \(0, 1\]/);
  });

  it('npm run drift works end to end in a separate process (directory input)', () => {
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src/cli/drift.ts'),
        '--baseline',
        join(MODEL_DIR, 'baseline.json'),
        '--input',
        dir,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // Both files of the directory were read: the stable and the shifted window.
    expect(result.stdout).toMatch(/^drift check: drift; 1200 records, 1 malformed lines/);
  });
});
