import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DriftAccumulator } from '../../../src/drift/accumulator';
import { parseBaseline, type NumericFeatureBaseline } from '../../../src/drift/baseline';
import {
  reportMetrics,
  type CategoricalFeatureReport,
  type NumericFeatureReport,
} from '../../../src/drift/report';
import { forEachLineRange, runDriftCheck } from '../../../src/drift/run';
import { ksTwoSample } from '../../../src/drift/stats/ks';
import { psiFromShares } from '../../../src/drift/stats/psi';
import { baselineFrom, csvCaptureLine, generateRows, jsonCaptureLine, type Row } from './synthetic';

const NOW = () => new Date('2026-11-23T00:00:00Z');
const training = generateRows(1, 7000);
const baseline = baselineFrom(training);

function check(rows: readonly Row[], options = {}) {
  const acc = new DriftAccumulator(baseline, options, { now: NOW });
  rows.forEach((r, i) => acc.addLine(csvCaptureLine(r, i)));
  return acc.finish();
}

function numeric(report: ReturnType<typeof check>, name: string): NumericFeatureReport {
  return report.features.find((f) => f.name === name) as NumericFeatureReport;
}

function categorical(report: ReturnType<typeof check>, name: string): CategoricalFeatureReport {
  return report.features.find((f) => f.name === name) as CategoricalFeatureReport;
}

function expand(f: NumericFeatureBaseline): number[] {
  return f.sample.values.flatMap((v, i) => Array<number>(f.sample.counts[i]).fill(v));
}

describe('streaming KS equals scipy-style ks_2samp on the full window', () => {
  it.each([
    ['tenure (integer, heavy ties)', 'tenure'],
    ['monthly_charges (continuous)', 'monthly_charges'],
  ])('%s', (_label, name) => {
    const window = generateRows(7, 3000, { tenure: 3, chargesScale: 1.05 });
    const report = check(window);
    const f = numeric(report, name);
    const base = baseline.features.find((x) => x.name === name) as NumericFeatureBaseline;
    const direct = ksTwoSample(
      expand(base),
      window.map((r) => r[name as 'tenure' | 'monthly_charges']),
    );
    expect(f.ks?.statistic).toBe(direct.statistic);
    expect(f.ks?.pValue).toBe(direct.pValue);
    expect(f.ks?.method).toBe(direct.method);
    expect(f.ks?.n2).toBe(3000);
  });

  it('keeps the whole training set as the sample below the cap and subsamples deterministically above it', () => {
    const small = baselineFrom(training, 10000).features[1] as NumericFeatureBaseline;
    expect(small.sample.size).toBe(7000);
    expect(small.sample.subsampled).toBe(false);
    const capped = baselineFrom(training, 1000).features[1] as NumericFeatureBaseline;
    expect(capped.sample.size).toBe(1000);
    expect(capped.sample.subsampled).toBe(true);
    expect(baselineFrom(training, 1000)).toEqual(baselineFrom(training, 1000));
  });

  it('derives PSI from the same counters as a direct binning would', () => {
    const window = generateRows(8, 2000, { chargesScale: 1.2 });
    const f = numeric(check(window), 'monthly_charges');
    const base = baseline.features.find((x) => x.name === 'monthly_charges') as NumericFeatureBaseline;
    const { lower, edges } = base.psi;
    const counts = new Array<number>(edges.length + 2).fill(0);
    for (const r of window) {
      const x = r.monthly_charges;
      counts[x < lower ? 0 : edges.findIndex((e) => x <= e) + 1 || edges.length + 1]++;
    }
    expect(f.psi).toBeCloseTo(
      psiFromShares(
        base.psi.shares,
        counts.map((c) => c / window.length),
      ),
      12,
    );
  });
});

/**
 * PSI computed independently of src/drift: bins straight from the raw training values by the rule in
 * docs/drift.md (edges where the training ECDF first reaches k/B, k = 1..B, plus a bin below the training
 * minimum and one above the maximum), shares floored at 1e-4.
 */
function documentedPsi(train: readonly number[], window: readonly number[], bins = 10): number {
  const sorted = [...train].sort((a, b) => a - b);
  const n = sorted.length;
  const edges: number[] = [];
  for (let k = 1; k <= bins; k++) {
    const v = sorted[Math.ceil((k * n) / bins) - 1];
    if (edges[edges.length - 1] !== v) edges.push(v);
  }
  const lower = sorted[0];
  const binOf = (x: number) => (x < lower ? 0 : edges.findIndex((e) => x <= e) + 1 || edges.length + 1);
  const count = (values: readonly number[]) => {
    const c = new Array<number>(edges.length + 2).fill(0);
    for (const x of values) c[binOf(x)]++;
    return c.map((v) => v / values.length);
  };
  const e = count(train);
  const a = count(window);
  let psi = 0;
  for (let i = 0; i < e.length; i++) {
    const ei = Math.max(e[i], 1e-4);
    const ai = Math.max(a[i], 1e-4);
    psi += (ai - ei) * Math.log(ai / ei);
  }
  return psi;
}

describe('PSI bins as docs/drift.md defines them see values beyond the training range (issue 13, defect 5)', () => {
  const stable = generateRows(51, 4800);
  const tenures = training.map((r) => r.tenure);
  const charges = training.map((r) => r.monthly_charges);

  it('4 % of tenure values above the training maximum move tenure PSI past 0.2, as an independent binning says', () => {
    const above = stable.slice(0, 200).map((r, i) => ({ ...r, tenure: Math.max(...tenures) + 1 + (i % 8) }));
    const window = [...stable, ...above];
    const f = numeric(check(window), 'tenure');
    const independent = documentedPsi(
      tenures,
      window.map((r) => r.tenure),
    );
    expect(independent).toBeGreaterThan(0.2);
    expect(f.psi).toBeCloseTo(independent, 12);
  });

  it('values below the training minimum are seen too', () => {
    const below = stable.slice(0, 200).map((r) => ({ ...r, monthly_charges: Math.min(...charges) - 5 }));
    const window = [...stable, ...below];
    const f = numeric(check(window), 'monthly_charges');
    expect(f.psi).toBeGreaterThan(0.2);
    expect(f.psi).toBeCloseTo(
      documentedPsi(
        charges,
        window.map((r) => r.monthly_charges),
      ),
      12,
    );
  });

  it('a window from the training distribution: every numeric PSI and the score PSI equal the independent computation, and stay small', () => {
    const report = check(stable);
    for (const [name, train] of [
      ['tenure', tenures],
      ['monthly_charges', charges],
    ] as const) {
      const f = numeric(report, name);
      expect(f.psi).toBeCloseTo(
        documentedPsi(
          train,
          stable.map((r) => r[name]),
        ),
        12,
      );
      expect(f.psi).toBeLessThan(0.05);
    }
    expect(report.prediction.psi).toBeCloseTo(
      documentedPsi(
        training.map((r) => r.score),
        stable.map((r) => r.score),
      ),
      12,
    );
  });
});

describe('drift decision (fixed seeds)', () => {
  it('does not flag a stable sample drawn from the training distribution', () => {
    const report = check(generateRows(42, 5000));
    expect(report.status).toBe('no-drift');
    expect(report.features.filter((f) => f.drift)).toEqual([]);
    expect(report.prediction.drift).toBe(false);
    expect(report.dataQuality.status).toBe('ok');
  });

  it('detects a tenure shift in the feature and in the score, and nothing else', () => {
    const report = check(generateRows(43, 5000, { tenure: 12 }));
    expect(report.status).toBe('drift');
    expect(report.decision.driftedFeatures).toEqual(['tenure']);
    expect(numeric(report, 'tenure').ks?.pValue).toBeLessThan(1e-10);
    expect(report.prediction.drift).toBe(true);
  });

  it('detects a shift of the contract mix by chi-square and PSI', () => {
    const report = check(generateRows(44, 5000, { monthToMonth: 0.95 }));
    const contract = categorical(report, 'contract');
    expect(contract.drift).toBe(true);
    expect(contract.chiSquare?.rejected).toBe(true);
    expect(contract.psi).toBeGreaterThan(0.2);
    expect(report.decision.driftedFeatures).toContain('contract');
  });

  it('does not call a statistically significant but tiny shift drift (effect-size floor)', () => {
    const report = check(generateRows(45, 20000, { chargesScale: 1.02 }));
    const f = numeric(report, 'monthly_charges');
    expect(f.ks?.rejected).toBe(true);
    expect(f.ks?.statistic).toBeLessThan(0.1);
    expect(f.drift).toBe(false);
    // With the floor switched off the same window is drift: a pure hypothesis test.
    expect(
      numeric(
        check(generateRows(45, 20000, { chargesScale: 1.02 }), { minKsStatistic: 0 }),
        'monthly_charges',
      ).drift,
    ).toBe(true);
  });

  it('applies Bonferroni by default and Holm on request', () => {
    const rows = generateRows(46, 3000, { tenure: 2 });
    const bonferroni = check(rows);
    const holm = check(rows, { correction: 'holm' });
    const m = bonferroni.decision.tests;
    const t = numeric(bonferroni, 'tenure').ks;
    expect(t?.adjustedPValue).toBeCloseTo(Math.min(1, (t?.pValue ?? 1) * m), 15);
    expect(holm.decision.correction).toBe('holm');
    // Holm's adjusted p-values never exceed Bonferroni's.
    for (const f of holm.features) {
      const other = bonferroni.features.find((g) => g.name === f.name);
      const a = f.kind === 'numeric' ? f.ks : f.chiSquare;
      const b = other?.kind === 'numeric' ? other.ks : other?.kind === 'categorical' ? other.chiSquare : null;
      expect(a?.adjustedPValue ?? 0).toBeLessThanOrEqual((b?.adjustedPValue ?? 0) + 1e-15);
    }
  });
});

describe('empty, small and malformed input', () => {
  it('reports an empty window as empty, never as no drift', async () => {
    const { report, metrics } = await runDriftCheck({ baseline, objects: [], meta: { now: NOW } });
    expect(report.status).toBe('empty');
    expect(report.dataQuality.status).toBe('empty');
    expect(report.decision.tests).toBe(0);
    expect(report.summary).toMatch(/no input records/);
    expect(metrics).toContainEqual({ name: 'WindowEmpty', dimensions: {}, value: 1, unit: 'None' });
    expect(metrics.find((m) => m.name === 'DriftDetected')?.value).toBe(0);
    expect(metrics.every((m) => Number.isFinite(m.value))).toBe(true);
  });

  it('treats a window of only malformed lines as empty and counts every line by reason', async () => {
    const lines = [
      'not json at all',
      '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,2',
      '{"eventMetadata":{}}',
      '{"captureData":{}}',
      '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"x","encoding":"ROT13"}}}',
      '{"captureData":{"endpointInput":{"observedContentType":"image/png","mode":"INPUT","data":"AAAA","encoding":"BASE64"}}}',
      '{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":"{oops","encoding":"JSON"}}}',
      '{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":"{}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/json","mode":"OUTPUT","data":"{\\"label\\":1}","encoding":"JSON"}}}',
      '',
      '   ',
    ];
    const { report } = await runDriftCheck({
      baseline,
      objects: [{ name: 'bad.jsonl', body: [lines.join('\n')] }],
      meta: { now: NOW },
    });
    expect(report.status).toBe('empty');
    expect(report.input.lines).toBe(8);
    expect(report.input.malformedLines).toBe(8);
    expect(report.input.malformedByReason).toEqual({
      'not-json': 2,
      'not-a-capture-record': 1,
      'missing-input': 1,
      'bad-encoding': 1,
      'unsupported-content-type': 1,
      'bad-input-payload': 1,
      'bad-output-payload': 1,
    });
  });

  it('skips malformed lines among good ones without losing the good ones', () => {
    const acc = new DriftAccumulator(baseline, {}, { now: NOW });
    const rows = generateRows(47, 300);
    rows.forEach((r, i) => {
      acc.addLine(csvCaptureLine(r, i));
      if (i % 10 === 0) acc.addLine(csvCaptureLine(r, i).slice(0, 40));
    });
    const report = acc.finish();
    expect(report.input.records).toBe(300);
    expect(report.input.malformedLines).toBe(30);
    expect(report.status).toBe('no-drift');
  });

  it('drops a line longer than the limit, counts it once, and keeps the lines around it', async () => {
    const long = 'x'.repeat(130);
    const chunks = ['short-1\n', long.slice(0, 60), long.slice(60), '\nshort-2\n', long, 'tail\nshort-3'];
    const lines: string[] = [];
    let oversized = 0;
    await forEachLineRange(
      chunks,
      (text, start, end) => lines.push(text.slice(start, end)),
      () => oversized++,
      100,
    );
    expect(lines).toEqual(['short-1', 'short-2', 'short-3']);
    expect(oversized).toBe(2);
  });

  it('makes no decision below minRecords', () => {
    const report = check(generateRows(48, 50, { tenure: 30 }));
    expect(report.status).toBe('insufficient-data');
    expect(report.decision.driftedFeatures).toEqual([]);
    expect(numeric(report, 'tenure').ks?.rejected).toBe(true);
    expect(report.features.some((f) => f.drift) || report.prediction.drift).toBe(false);
    expect(numeric(report, 'tenure').ks?.method).toBe('exact');
  });

  it('splits lines across chunk boundaries, CRLF endings and multi-byte characters', async () => {
    const text = generateRows(49, 200)
      .map((r, i) => csvCaptureLine({ ...r, contract: i === 0 ? 'Zwei Jahre – ü' : r.contract }, i))
      .join('\r\n');
    const bytes = Buffer.from(text, 'utf8');
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 97) chunks.push(bytes.subarray(i, i + 97));
    const { report } = await runDriftCheck({
      baseline,
      objects: [{ name: 'crlf', body: chunks }],
      meta: { now: NOW },
    });
    expect(report.input.records).toBe(200);
    expect(report.input.malformedLines).toBe(0);
    expect(categorical(report, 'contract').unseen.top).toEqual([{ category: 'Zwei Jahre – ü', count: 1 }]);
  });
});

describe('capture payload shapes', () => {
  const row = generateRows(50, 1)[0];
  const named = {
    tenure: row.tenure,
    monthly_charges: row.monthly_charges,
    contract: row.contract,
    senior: row.senior,
  };

  function single(line: string) {
    const acc = new DriftAccumulator(baseline, {}, { now: NOW });
    acc.addLine(line);
    return acc.finish();
  }

  it.each([
    ['a named JSON record', jsonCaptureLine(named, { probability: row.score })],
    ['{"features": {...}} (embedded path)', jsonCaptureLine({ features: named }, { probability: row.score })],
    [
      '{"instances": [[...]]} positional JSON',
      jsonCaptureLine({ instances: [[row.tenure, row.monthly_charges, row.contract, row.senior]] }, [
        row.score,
      ]),
    ],
    ['BASE64-encoded JSON', jsonCaptureLine(named, { predictions: [{ score: row.score }] }, 'BASE64')],
    [
      'CSV with whitespace and reordered keys',
      JSON.stringify(JSON.parse(csvCaptureLine(row)), null, 2).replace(/\n/g, ' '),
    ],
  ])('reads %s', (_label, line) => {
    const report = single(line);
    expect(report.input.malformedLines).toBe(0);
    expect(report.input.records).toBe(1);
    expect(numeric(report, 'tenure').window).toEqual({ min: row.tenure, max: row.tenure, mean: row.tenure });
    expect(report.prediction.window?.mean).toBeCloseTo(row.score, 15);
    expect(categorical(report, 'contract').values).toBe(1);
  });

  it('reads a multi-row CSV request and its newline-separated answers', () => {
    const rows = generateRows(51, 3);
    const line = JSON.stringify({
      captureData: {
        endpointInput: {
          observedContentType: 'text/csv',
          mode: 'INPUT',
          data: rows.map((r) => `${r.tenure},${r.monthly_charges},${r.contract},${r.senior}`).join('\n'),
          encoding: 'CSV',
        },
        endpointOutput: {
          observedContentType: 'text/csv',
          mode: 'OUTPUT',
          data: rows.map((r) => r.score).join('\n'),
          encoding: 'CSV',
        },
      },
    });
    const report = single(line);
    expect(report.input.records).toBe(3);
    expect(report.prediction.scores).toBe(3);
  });

  it('reads quoted CSV fields', () => {
    const report = single(
      csvCaptureLine({ ...row, contract: 'One year' }).replace('One year', '\\"One year\\"'),
    );
    expect(categorical(report, 'contract').unseen.count).toBe(0);
    expect(categorical(report, 'contract').values).toBe(1);
  });
});

describe('data quality', () => {
  it('counts nulls, type errors, out-of-range values, unseen categories and bad outputs', () => {
    const acc = new DriftAccumulator(baseline, {}, { now: NOW });
    const rows = generateRows(52, 400);
    rows.forEach((r, i) => acc.addLine(csvCaptureLine(r, i)));
    const line = (data: string, out: string) =>
      JSON.stringify({
        captureData: {
          endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data, encoding: 'CSV' },
          endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: out, encoding: 'CSV' },
        },
      });
    for (let i = 0; i < 40; i++) acc.addLine(line(',50.5,One year,0', '0.2')); // tenure null
    for (let i = 0; i < 20; i++) acc.addLine(line('12.5,abc,One year,0', 'nan')); // tenure not an integer, charges text
    for (let i = 0; i < 10; i++) acc.addLine(line('99,250,Three year,0', 'inf')); // out of range x2, unseen contract
    acc.addLine(line('1,2,3', '0.5')); // wrong width
    acc.addLine(
      jsonCaptureLine(
        { tenure: '12', monthly_charges: null, contract: ['x'], senior: 1 },
        { probability: null },
      ),
    );
    const report = acc.finish();
    const tenure = numeric(report, 'tenure').quality;
    expect(tenure).toMatchObject({ records: 471, nulls: 40, typeErrors: 21, outOfRange: 10 });
    expect(numeric(report, 'monthly_charges').quality).toMatchObject({
      nulls: 1,
      typeErrors: 20,
      outOfRange: 10,
    });
    const contract = categorical(report, 'contract');
    expect(contract.unseen).toMatchObject({
      count: 10,
      distinct: 1,
      top: [{ category: 'Three year', count: 10 }],
    });
    expect(contract.quality).toMatchObject({ typeErrors: 1, outOfRange: 10 });
    expect(report.input.wrongWidthRows).toBe(1);
    expect(report.prediction.quality).toMatchObject({ nonFinite: 31, outputs: 472 });
    expect(report.dataQuality.status).toBe('breach');
    const checks = report.dataQuality.breaches.map((b) => `${b.feature}:${b.check}`);
    expect(checks).toEqual(
      expect.arrayContaining([
        'tenure:null-rate',
        'tenure:type-error-rate',
        'tenure:out-of-range-rate',
        'monthly_charges:type-error-rate',
        'contract:out-of-range-rate',
        '(prediction):non-finite-outputs',
      ]),
    );
  });
});

describe('one-hot model columns (sample churn model)', () => {
  const churn = parseBaseline(
    JSON.parse(readFileSync(join(__dirname, '../../../models/sample-churn/baseline.json'), 'utf8')),
  );
  const width = churn.featureOrder.length;
  const col = (name: string) => churn.featureOrder.indexOf(name);

  function run(cells: (v: string[]) => void) {
    const v = new Array<string>(width).fill('0');
    v[col('tenure')] = '12';
    v[col('MonthlyCharges')] = '70.5';
    v[col('TotalCharges')] = '846';
    v[col('InternetService_DSL')] = '1';
    cells(v);
    const acc = new DriftAccumulator(churn, {}, { now: NOW });
    acc.addLine(
      JSON.stringify({
        captureData: {
          endpointInput: {
            observedContentType: 'text/csv',
            mode: 'INPUT',
            data: v.join(','),
            encoding: 'CSV',
          },
          endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: '0.3', encoding: 'CSV' },
        },
      }),
    );
    const report = acc.finish();
    return (name: string) => report.features.find((f) => f.name === name) as CategoricalFeatureReport;
  }

  it('decodes all-zero groups as the dropped first value and single 1s as their column', () => {
    const f = run((v) => (v[col('Contract_Two year')] = '1'));
    expect(f('gender').values).toBe(1); // all zeros = "Female", the dropped first value
    expect(f('gender').unseen.count).toBe(0);
    expect(f('Contract').values).toBe(1);
    expect(f('InternetService').values).toBe(1);
  });

  it('reports two hot columns or a non-0/1 cell as a type error and an empty group as null', () => {
    const f = run((v) => {
      v[col('Contract_One year')] = '1';
      v[col('Contract_Two year')] = '1';
      v[col('PaymentMethod_Mailed check')] = '0.5';
      v[col('InternetService_DSL')] = '';
      v[col('InternetService_Fiber optic')] = '';
      v[col('InternetService_No')] = '';
    });
    expect(f('Contract').quality.typeErrors).toBe(1);
    expect(f('PaymentMethod').quality.typeErrors).toBe(1);
    expect(f('InternetService').quality.nulls).toBe(1);
  });

  it('reports a group without a drop-first value and no hot column as a type error', () => {
    const f = run((v) => (v[col('InternetService_DSL')] = '0'));
    expect(f('InternetService').quality.typeErrors).toBe(1);
  });
});

describe('metric datapoints', () => {
  it('flattens the report into named, dimensioned, finite datapoints', () => {
    const report = check(generateRows(53, 500, { tenure: 12 }));
    const metrics = reportMetrics(report, { Model: 'churn' });
    expect(metrics.every((m) => Number.isFinite(m.value) && m.dimensions.Model === 'churn')).toBe(true);
    expect(metrics).toContainEqual({
      name: 'DriftDetected',
      dimensions: { Model: 'churn' },
      value: 1,
      unit: 'None',
    });
    expect(metrics).toContainEqual({
      name: 'FeatureDrift',
      dimensions: { Model: 'churn', Feature: 'tenure' },
      value: 1,
      unit: 'None',
    });
    const names = new Set(metrics.map((m) => m.name));
    for (const n of [
      'FeatureKsStatistic',
      'FeatureKsPValue',
      'FeatureChiSquarePValue',
      'FeaturePsi',
      'FeatureNullRate',
      'FeatureTypeErrorRate',
      'FeatureOutOfRangeRate',
      'PredictionKsStatistic',
      'PredictionPsi',
      'NonFiniteOutputs',
      'RecordsAnalysed',
      'MalformedLines',
    ]) {
      expect(names).toContain(n);
    }
  });
});
