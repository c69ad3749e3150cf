import { assertDigest, sha256Hex } from '../integrity/digest';
import {
  checkProvenanceAgainstModel,
  firstDifference,
  GOLDEN_TOLERANCE,
  parseProvenance,
  provenanceLocation,
  type ModelProvenance,
} from './golden';
import type { TreeEnsembleModel } from '../scorer';
import { readableOf } from '../scorer/artifact';
import { goldenRowsFromModel, loadArtifactModel, modelFileFromArtifact } from './provenance';

/** What was deployed and what it must answer like (the custom resource's properties, all strings). */
export interface AnswerCheckProperties {
  /** The endpoint just created or updated. */
  readonly EndpointName: string;
  /**
   * The endpoint configuration this deployment put in place. When the endpoint runs another one, this
   * request is CloudFormation rolling the check back while the endpoint is not (yet) on it: nothing of
   * this configuration is served, so there is nothing to check. @default always check
   */
  readonly EndpointConfigName?: string;
  /** The artifact the gate verified, and its digest: the model the answers must match. */
  readonly ModelDataUrl: string;
  readonly ArtifactSha256: string;
}

export interface AnswerCheckDeps {
  /** An object's bytes (s3 GetObject), or undefined when it does not exist. */
  readonly readObject: (url: string) => Promise<Buffer | undefined>;
  /** InvokeEndpoint with a CSV body; resolves to the answer body as text. */
  readonly invokeEndpoint: (endpointName: string, csv: string) => Promise<string>;
  /** The endpoint's current configuration name (DescribeEndpoint). @default not asked */
  readonly currentEndpointConfig?: (endpointName: string) => Promise<string | undefined>;
}

export type AnswerCheckResult =
  | {
      readonly checked: true;
      readonly rows: number;
      readonly goldenSource: string;
      readonly worstDifference: number;
    }
  | { readonly checked: false; readonly reason: string };

/** The deployed model answered differently from the exact scorer: the deployment must fail. */
export class AnswersDifferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswersDifferError';
  }
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

interface GoldenCase {
  readonly rows: number[][];
  readonly expected: number[];
  /** Where each row comes from, for the failure message. */
  readonly label: (index: number) => string;
  readonly source: string;
}

/**
 * The served artifact (its digest checked) and its model, and the provenance document stored beside it
 * (checked to belong to the artifact and to hold the exact scorer's predictions), or undefined for a
 * version published before provenance existed. Shared by the endpoint and the function checks.
 */
export async function readVerifiedGolden(
  deps: Pick<AnswerCheckDeps, 'readObject'>,
  modelDataUrl: string,
  artifactSha256: string,
): Promise<{ model: TreeEnsembleModel; provenance: ModelProvenance | undefined; provenanceUrl: string }> {
  const bytes = await deps.readObject(modelDataUrl);
  if (bytes === undefined) throw new Error(`served-answer check: artifact ${modelDataUrl} does not exist`);
  assertDigest(`artifact ${modelDataUrl}`, artifactSha256, sha256Hex(bytes));
  const file = await modelFileFromArtifact(() => readableOf(bytes), bytes.subarray(0, 2), modelDataUrl);
  const model = loadArtifactModel(file, modelDataUrl);
  const provenanceUrl = provenanceLocation(modelDataUrl);
  const document = await deps.readObject(provenanceUrl);
  if (document === undefined) return { model, provenance: undefined, provenanceUrl };
  const provenance = parseProvenance(document.toString('utf8'), provenanceUrl);
  checkProvenanceAgainstModel(provenance, artifactSha256, model, provenanceUrl);
  return { model, provenance, provenanceUrl };
}

/**
 * The rows to send and the answers they must get: the golden set recorded at publish (its recorded
 * predictions, after checking they are the exact scorer's on this artifact), followed by rows on the
 * model's own split points scored by the exact scorer. A version published before provenance existed
 * gets the split-point rows only.
 */
async function goldenCase(deps: AnswerCheckDeps, props: AnswerCheckProperties): Promise<GoldenCase> {
  const { model, provenance, provenanceUrl } = await readVerifiedGolden(
    deps,
    props.ModelDataUrl,
    props.ArtifactSha256,
  );
  const splitRows = goldenRowsFromModel(model);
  const splitExpected = Array.from(model.predictBatch(new Float32Array(splitRows.flat())));
  if (provenance === undefined) {
    return {
      rows: splitRows,
      expected: splitExpected,
      label: (i) => `split-point row ${i + 1}`,
      source: `${splitRows.length} rows on the model's split points (no provenance document at ${provenanceUrl})`,
    };
  }
  const recorded = provenance.golden.rows.map((r) => r.map((v) => (v === null ? NaN : v)));
  const n = recorded.length;
  return {
    rows: [...recorded, ...splitRows],
    expected: [...provenance.golden.predictions, ...splitExpected],
    label: (i) =>
      i < n
        ? `golden row ${i + 1} (recorded at publish from ${provenance.golden.source})`
        : `split-point row ${i - n + 1}`,
    source: `${n} golden rows from ${provenance.golden.source} and ${splitRows.length} split-point rows`,
  };
}

/**
 * Sends the golden rows to the endpoint just deployed and compares its answers with the recorded
 * predictions (tolerance GOLDEN_TOLERANCE, absolute). Throws AnswersDifferError naming the first
 * differing row, so the stack update fails and CloudFormation rolls the endpoint back. Shared by the
 * deploy-time custom resource and `npm run model -- verify`.
 */
export async function checkEndpointAnswers(
  deps: AnswerCheckDeps,
  props: AnswerCheckProperties,
): Promise<AnswerCheckResult> {
  for (const key of ['EndpointName', 'ModelDataUrl', 'ArtifactSha256'] as const) {
    if (typeof props[key] !== 'string' || props[key].trim() === '') {
      throw new Error(`served-answer check: resource property ${key} is required`);
    }
  }
  if (props.EndpointConfigName !== undefined && deps.currentEndpointConfig) {
    const current = await deps.currentEndpointConfig(props.EndpointName);
    if (current !== props.EndpointConfigName) {
      return {
        checked: false,
        reason:
          `endpoint ${props.EndpointName} runs configuration ${current ?? '(none)'}, not ${props.EndpointConfigName}: ` +
          'this is a rollback of the check, and the configuration it would check is not served',
      };
    }
  }
  const golden = await goldenCase(deps, props);
  const answers = parseAnswers(await deps.invokeEndpoint(props.EndpointName, csvOf(golden.rows)));
  const differs = firstDifference(
    { golden: { predictions: golden.expected, tolerance: GOLDEN_TOLERANCE } },
    answers,
  );
  if (differs !== undefined) {
    const index = differs.row - 1;
    const row = golden.rows[index];
    throw new AnswersDifferError(
      `served-answer check failed: endpoint ${props.EndpointName} answered ${answers.length} values for ` +
        `${golden.rows.length} rows, and row ${differs.row} (${golden.label(index)}) differs: expected ` +
        `${differs.expected} (the exact scorer on ${props.ModelDataUrl}), got ${differs.actual ?? 'no number'} ` +
        `(tolerance ${GOLDEN_TOLERANCE}); row ${differs.row} = [${(row ?? []).map((v) => (Number.isNaN(v) ? '' : v)).join(',')}]. ` +
        'The deployment fails so CloudFormation rolls the endpoint back to its last good configuration.',
    );
  }
  const worstDifference = answers.reduce((w, a, i) => Math.max(w, Math.abs(a - golden.expected[i])), 0);
  return { checked: true, rows: golden.rows.length, goldenSource: golden.source, worstDifference };
}
