/**
 * Seeded synthetic churn-like data for the drift tests: a training set, a baseline built from it, and
 * capture lines in SageMaker's shape (CSV or JSON payloads) drawn from the same or a shifted distribution.
 */
import type { Baseline } from '../../../src/drift/baseline';
import { buildBaseline } from '../../../src/drift/build';
import { xorshift32 } from './fixture-samples';

export const FEATURE_ORDER = ['tenure', 'monthly_charges', 'contract', 'senior'] as const;
const CONTRACTS = ['Month-to-month', 'One year', 'Two year'] as const;

export interface Row {
  tenure: number;
  monthly_charges: number;
  contract: string;
  senior: string;
  score: number;
}

export interface Shift {
  /** Added to tenure before clipping to [0, 72]. */
  readonly tenure?: number;
  /** Multiplies monthly charges. */
  readonly chargesScale?: number;
  /** Probability of "Month-to-month" (default 0.55). */
  readonly monthToMonth?: number;
}

export function generateRows(seed: number, n: number, shift: Shift = {}): Row[] {
  const u = xorshift32(seed);
  const rows: Row[] = [];
  const m2m = shift.monthToMonth ?? 0.55;
  for (let i = 0; i < n; i++) {
    const tenure = Math.min(72, Math.max(0, Math.floor(u() * u() * 80 + (shift.tenure ?? 0))));
    const charges = Math.round((18 + (100 * (u() + u())) / 2) * (shift.chargesScale ?? 1) * 100) / 100;
    const r = u();
    const contract = r < m2m ? CONTRACTS[0] : r < m2m + (1 - m2m) / 2 ? CONTRACTS[1] : CONTRACTS[2];
    const senior = u() < 0.16 ? '1' : '0';
    const z =
      -1 +
      0.02 * charges -
      0.05 * tenure +
      (contract === CONTRACTS[0] ? 1.2 : 0) +
      (senior === '1' ? 0.4 : 0);
    rows.push({ tenure, monthly_charges: charges, contract, senior, score: 1 / (1 + Math.exp(-z)) });
  }
  return rows;
}

export function baselineFrom(rows: readonly Row[], maxSample?: number): Baseline {
  return buildBaseline({
    columns: [
      {
        name: 'tenure',
        kind: 'numeric',
        values: rows.map((r) => r.tenure),
        allowedRange: { min: 0, max: 72 },
        integer: true,
      },
      {
        name: 'monthly_charges',
        kind: 'numeric',
        values: rows.map((r) => r.monthly_charges),
        allowedRange: { min: 0, max: 200 },
      },
      { name: 'contract', kind: 'categorical', values: rows.map((r) => r.contract), allowed: [...CONTRACTS] },
      { name: 'senior', kind: 'categorical', values: rows.map((r) => r.senior) },
    ],
    scores: rows.map((r) => r.score),
    featureOrder: [...FEATURE_ORDER],
    source: {
      trainingData: 'synthetic',
      trainingDataSha256: '0'.repeat(64),
      rows: rows.length,
      featureSpec: 'synthetic',
      featureSpecSha256: '0'.repeat(64),
      model: 'synthetic',
      modelSha256: '0'.repeat(64),
    },
    maxSample,
    createdAt: '2026-01-01T00:00:00.000Z',
  });
}

/** `inferenceId`: what the endpoint records from InvokeEndpoint's InferenceId (the caller label, MON-6). */
export function csvCaptureLine(row: Row, i = 0, inferenceId?: string): string {
  return JSON.stringify({
    captureData: {
      endpointInput: {
        observedContentType: 'text/csv',
        mode: 'INPUT',
        data: `${row.tenure},${row.monthly_charges},${row.contract},${row.senior}`,
        encoding: 'CSV',
      },
      endpointOutput: {
        observedContentType: 'text/csv; charset=utf-8',
        mode: 'OUTPUT',
        data: String(row.score),
        encoding: 'CSV',
      },
    },
    eventMetadata: {
      eventId: `e-${i}`,
      ...(inferenceId !== undefined ? { inferenceId } : {}),
      inferenceTime: '2026-11-23T00:00:00Z',
    },
    eventVersion: '0',
  });
}

export function jsonCaptureLine(
  features: Record<string, unknown>,
  output: unknown,
  encoding: 'JSON' | 'BASE64' = 'JSON',
): string {
  const enc = (s: string): string => (encoding === 'BASE64' ? Buffer.from(s).toString('base64') : s);
  return JSON.stringify({
    captureData: {
      endpointInput: {
        observedContentType: 'application/json',
        mode: 'INPUT',
        data: enc(JSON.stringify(features)),
        encoding,
      },
      endpointOutput: {
        observedContentType: 'application/json',
        mode: 'OUTPUT',
        data: enc(JSON.stringify(output)),
        encoding,
      },
    },
    eventMetadata: { eventId: 'e', inferenceTime: '2026-11-23T00:00:00Z' },
    eventVersion: '0',
  });
}
