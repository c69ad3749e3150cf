import { assertDigest, sha256Hex } from '../../src/integrity/digest';
import { firstDifference, GOLDEN_TOLERANCE } from '../../src/registry/golden';
import { loadArtifactModel, modelFileFromArtifact, readableOf } from '../../src/registry/provenance';
import type { TreeEnsembleModel } from '../../src/scorer';

/** Golden rows sent to what was just deployed. */
export const GOLDEN_ROW_COUNT = 200;

/** What was deployed and what it must answer like (the custom resource's properties, all strings). */
export interface AnswerCheckProperties {
  /** The endpoint just created or updated. */
  readonly EndpointName: string;
  /** The artifact the gate verified, and its digest: the model the answers must match. */
  readonly ModelDataUrl: string;
  readonly ArtifactSha256: string;
}

export interface AnswerCheckDeps {
  /** The artifact's bytes (s3 GetObject). */
  readonly readArtifact: (modelDataUrl: string) => Promise<Buffer>;
  /** InvokeEndpoint with a CSV body; resolves to the answer body as text. */
  readonly invokeEndpoint: (endpointName: string, csv: string) => Promise<string>;
}

/** The deployed model answered differently from the exact scorer: the deployment must fail. */
export class AnswersDifferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswersDifferError';
  }
}

/** Small deterministic PRNG (mulberry32): the same model always gets the same golden rows. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Rows that exercise the model's own splits: each numeric value is one of the feature's split
 * thresholds, just below or exactly on it (XGBoost sends x == threshold right), each categorical value
 * one of the codes its splits name or a code no split names, and some values are missing, so every
 * default direction is taken too.
 */
export function goldenRowsFromModel(model: TreeEnsembleModel, count = GOLDEN_ROW_COUNT): number[][] {
  const rand = random(0x5eed);
  const points = model.splitPoints();
  const rows: number[][] = [];
  for (let r = 0; r < count; r++) {
    rows.push(
      points.map((values, f) => {
        if (rand() < 0.08 || values.length === 0) return NaN;
        const v = values[Math.floor(rand() * values.length)];
        if (model.featureTypes[f] === 'c') return rand() < 0.1 ? values.length + 3 : v;
        return rand() < 0.5 ? v : Math.fround(v - Math.max(Math.abs(v) * 1e-3, 1e-3));
      }),
    );
  }
  return rows;
}

/** One number per row, newline or comma separated, as the SageMaker XGBoost container answers CSV. */
export function parseAnswers(text: string): number[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
}

function csvOf(rows: readonly (readonly number[])[]): string {
  return rows.map((r) => r.map((v) => (Number.isNaN(v) ? '' : String(v))).join(',')).join('\n');
}

/**
 * Sends the golden rows to the endpoint just deployed and compares its answers with the exact scorer's
 * predictions for the verified artifact (tolerance GOLDEN_TOLERANCE, absolute). Throws
 * AnswersDifferError naming the first differing row, so the stack update fails and rolls back.
 */
export async function checkEndpointAnswers(
  deps: AnswerCheckDeps,
  props: AnswerCheckProperties,
): Promise<{ rows: number; worstDifference: number }> {
  for (const key of ['EndpointName', 'ModelDataUrl', 'ArtifactSha256'] as const) {
    if (typeof props[key] !== 'string' || props[key].trim() === '') {
      throw new Error(`served-answer check: resource property ${key} is required`);
    }
  }
  const bytes = await deps.readArtifact(props.ModelDataUrl);
  assertDigest(`artifact ${props.ModelDataUrl}`, props.ArtifactSha256, sha256Hex(bytes));
  const file = await modelFileFromArtifact(() => readableOf(bytes), bytes.subarray(0, 2), props.ModelDataUrl);
  const model = loadArtifactModel(file, props.ModelDataUrl);
  const rows = goldenRowsFromModel(model);
  const expected = Array.from(model.predictBatch(new Float32Array(rows.flat())));
  const answers = parseAnswers(await deps.invokeEndpoint(props.EndpointName, csvOf(rows)));
  const golden = { golden: { predictions: expected, tolerance: GOLDEN_TOLERANCE } };
  const differs = firstDifference(golden, answers);
  if (differs !== undefined) {
    const row = rows[differs.row - 1];
    throw new AnswersDifferError(
      `served-answer check failed: endpoint ${props.EndpointName} answered ${answers.length} values for ` +
        `${rows.length} golden rows, and row ${differs.row} differs: expected ${differs.expected} (the exact scorer ` +
        `on ${props.ModelDataUrl}), got ${differs.actual ?? 'no number'} (tolerance ${GOLDEN_TOLERANCE}); ` +
        `row ${differs.row} = [${(row ?? []).map((v) => (Number.isNaN(v) ? '' : v)).join(',')}]. ` +
        'The deployment fails so CloudFormation rolls the endpoint back to its last good configuration.',
    );
  }
  const worstDifference = answers.reduce((w, a, i) => Math.max(w, Math.abs(a - expected[i])), 0);
  return { rows: rows.length, worstDifference };
}
