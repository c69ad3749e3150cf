import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { formatCaptureRecord } from '../../../src/capture';
import type { FeatureAttribution } from '../../../src/drift/attribution';
import { buildBaseline } from '../../../src/drift/build';
import { captureCaller } from '../../../src/drift/capture';
import type { DriftReport } from '../../../src/drift/report';
import { reportMetrics } from '../../../src/drift/report';
import { runDriftCheck } from '../../../src/drift/run';

/** Reference values from scripts/scipy/make_attribution_fixtures.py (scipy 1.10.1, numpy), computed on their own. */
interface Expected {
  statistic: number;
  pValue: number;
  signed: number;
  verdict: string;
  leaveLeadingOut: { callers: string[]; statistic: number; pValue: number; drifts: boolean };
  callers: Record<
    string,
    { records: number; contribution: number; share: number; leaveOut: { statistic: number; pValue: number } }
  >;
}
interface Fixture {
  settings: { alpha: number; minKsStatistic: number; minCategoricalPsi: number; minRecords: number };
  contracts: string[];
  training: { tenure: number[]; contract: number[] };
  cases: {
    name: string;
    callers: string[];
    window: [number, number, number][];
    expected: Record<'tenure' | 'contract', Expected | undefined>;
  }[];
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/drift/attribution.json'), 'utf8'),
) as Fixture;

const baseline = buildBaseline({
  columns: [
    {
      name: 'tenure',
      kind: 'numeric',
      values: fixture.training.tenure,
      allowedRange: { min: 0, max: 72 },
      integer: true,
    },
    {
      name: 'contract',
      kind: 'categorical',
      values: fixture.training.contract.map((c) => fixture.contracts[c]),
    },
  ],
  scores: fixture.training.tenure.map((t) => t / 72),
  featureOrder: ['tenure', 'contract'],
  source: {
    trainingData: 'attribution fixture',
    trainingDataSha256: '0'.repeat(64),
    rows: fixture.training.tenure.length,
    featureSpec: 'synthetic',
    featureSpecSha256: '0'.repeat(64),
    model: 'synthetic',
    modelSha256: '0'.repeat(64),
  },
  createdAt: '2026-01-01T00:00:00.000Z',
});

/** The embedded path's record (JSON features, caller in eventMetadata.caller). */
function embeddedLine(caller: string, tenure: number, contract: string, i: number): string {
  const record = JSON.parse(
    formatCaptureRecord({
      features: { tenure, contract },
      probability: 0.5,
      pseudonymousId: 'a'.repeat(64),
      eventId: `e-${i}`,
      inferenceTime: new Date('2026-11-23T00:00:00Z'),
      caller,
    }),
  );
  delete record.captureData.endpointOutput; // no output: the fixture tests features only
  return JSON.stringify(record);
}

/** SageMaker's own capture line for CSV traffic, with the caller passed as InvokeEndpoint's InferenceId. */
function endpointLine(caller: string, tenure: number, contract: string, i: number): string {
  return JSON.stringify({
    captureData: {
      endpointInput: {
        observedContentType: 'text/csv',
        mode: 'INPUT',
        data: `${tenure},${contract}`,
        encoding: 'CSV',
      },
    },
    eventMetadata: { eventId: `e-${i}`, inferenceId: caller, inferenceTime: '2026-11-23T00:00:00Z' },
    eventVersion: '0',
  });
}

async function check(index: number, line: typeof embeddedLine): Promise<DriftReport> {
  const c = fixture.cases[index];
  const lines = c.window.map(([caller, tenure, contract], i) =>
    line(c.callers[caller], tenure, fixture.contracts[contract], i),
  );
  const { report } = await runDriftCheck({
    baseline,
    objects: [{ name: c.name, body: [lines.join('\n') + '\n'] }],
    options: fixture.settings,
    meta: { now: () => new Date('2026-11-23T01:00:00Z') },
  });
  return report;
}

function attributionOf(report: DriftReport, feature: string): FeatureAttribution {
  const f = report.features.find((x) => x.name === feature)!;
  expect(f.drift).toBe(true);
  return f.attribution!;
}

/** Every figure against the independent computation: statistics to 1e-9, p-values to 1e-6 relative. */
function expectMatches(attribution: FeatureAttribution, expected: Expected): void {
  expect(attribution.value).toBeCloseTo(expected.signed, 9);
  expect(attribution.verdict).toBe(expected.verdict);
  expect(attribution.callers.map((c) => c.caller).sort()).toEqual(Object.keys(expected.callers).sort());
  for (const c of attribution.callers) {
    const e = expected.callers[c.caller];
    expect(c.records).toBe(e.records);
    expect(c.contribution).toBeCloseTo(e.contribution, 9);
    expect(c.share).toBeCloseTo(e.share, 9);
    expect(c.leaveOut!.statistic).toBeCloseTo(e.leaveOut.statistic, 9);
    expect(c.leaveOut!.pValue / e.leaveOut.pValue).toBeCloseTo(1, 6);
  }
  const shares = attribution.callers.reduce((s, c) => s + c.contribution, 0) + attribution.floorResidual;
  expect(shares).toBeCloseTo(attribution.value, 12);
  const leading = attribution.leaveLeadingOut!;
  expect([...leading.callers].sort()).toEqual([...expected.leaveLeadingOut.callers].sort());
  expect(leading.statistic).toBeCloseTo(expected.leaveLeadingOut.statistic, 9);
  expect(leading.pValue / expected.leaveLeadingOut.pValue).toBeCloseTo(1, 6);
  expect(leading.drifts).toBe(expected.leaveLeadingOut.drifts);
}

describe('MON-6 drift attribution to callers, against scipy', () => {
  it('one caller shifting tenure: its records explain the distance, without it the drift is gone: concentrated', async () => {
    const report = await check(0, embeddedLine);
    const tenure = attributionOf(report, 'tenure');
    expectMatches(tenure, fixture.cases[0].expected.tenure!);
    expect(tenure.concentratedIn).toEqual(['client:probe']);
    expect(report.attribution.concentratedFeatures).toEqual(['tenure']);
    expect(report.summary).toContain('CONCENTRATED in few callers: tenure in client:probe');
    const metrics = reportMetrics(report);
    expect(metrics.find((m) => m.name === 'ConcentratedDrift')?.value).toBe(1);
    expect(metrics.find((m) => m.name === 'FeatureLeadingCallerShare')?.value).toBeCloseTo(0.963, 3);
  });

  it('every caller shifting tenure (natural drift): spread evenly, not flagged as concentrated', async () => {
    const report = await check(1, endpointLine);
    const tenure = attributionOf(report, 'tenure');
    expectMatches(tenure, fixture.cases[1].expected.tenure!);
    expect(tenure.verdict).toBe('broad');
    expect(report.status).toBe('drift');
    expect(report.attribution.concentratedFeatures).toEqual([]);
    expect(reportMetrics(report).find((m) => m.name === 'ConcentratedDrift')?.value).toBe(0);
  });

  it('one caller shifting a categorical mix: PSI split exactly per caller, concentrated', async () => {
    const report = await check(2, embeddedLine);
    const contract = attributionOf(report, 'contract');
    expectMatches(contract, fixture.cases[2].expected.contract!);
    expect(contract.concentratedIn).toEqual(['role:batch-scorer']);
  });

  it('a window without caller labels reports drift as before, with no attribution', async () => {
    const c = fixture.cases[0];
    const lines = c.window.map(([, tenure, contract], i) =>
      endpointLine('a'.repeat(64), tenure, fixture.contracts[contract], i),
    );
    const { report } = await runDriftCheck({
      baseline,
      objects: [{ name: 'x', body: [lines.join('\n')] }],
      options: fixture.settings,
    });
    expect(report.status).toBe('drift');
    expect(report.features.find((f) => f.name === 'tenure')!.attribution).toBeNull();
    expect(report.attribution).toMatchObject({ attributedRecords: 0, callers: [], concentratedFeatures: [] });
  });
});

describe('reading the caller of a capture line', () => {
  it('takes eventMetadata.caller, or a caller label in inferenceId, and nothing else', () => {
    const read = (line: string) => captureCaller(line, 0, line.length);
    expect(read(embeddedLine('client:partner-a', 1, 'One year', 0))).toBe('client:partner-a');
    expect(read(endpointLine('role:churn-api-client', 1, 'One year', 0))).toBe('role:churn-api-client');
    // A pseudonym, free text or a label smuggled into a feature value is not a caller.
    expect(read(endpointLine('b'.repeat(64), 1, 'One year', 0))).toBeUndefined();
    expect(read(endpointLine('client:has space', 1, 'One year', 0))).toBeUndefined();
    expect(
      read('{"captureData":{"endpointInput":{"data":"{\\"caller\\":\\"client:x\\"}"}}}'),
    ).toBeUndefined();
  });

  it('pools callers beyond maxTrackedCallers, so memory stays bounded', async () => {
    const lines = Array.from({ length: 150 }, (_, i) =>
      endpointLine(`client:c${i % 30}`, i % 72, 'One year', i),
    );
    const { report } = await runDriftCheck({
      baseline,
      objects: [{ name: 'x', body: [lines.join('\n')] }],
      options: { maxTrackedCallers: 5 },
    });
    expect(report.attribution.callers).toEqual([
      'client:c0',
      'client:c1',
      'client:c2',
      'client:c3',
      'client:c4',
      '(other callers)',
    ]);
    expect(report.attribution.attributedRecords).toBe(150);
  });
});
