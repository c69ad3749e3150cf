import {
  AnswersDifferError,
  readVerifiedGolden,
  type AnswerCheckDeps,
  type AnswerCheckResult,
} from './answer-check';
import { ANSWER_CHECK_EVENT_KEY, parseAnswerCheckReply, type AnswerCheckEvent } from './function-check-event';
import { firstDifference, GOLDEN_TOLERANCE } from './golden';
import { NOTHING_SERVED } from './served-model';

/** What was deployed and what it must answer like (the custom resource's properties, all strings). */
export interface FunctionAnswerCheckProperties {
  /**
   * The function version just published (a qualified ARN, `...:function:<name>:<version>`), the exact code
   * and configuration the deployment put behind the API; `verify` may name the function unqualified.
   */
  readonly FunctionArn: string;
  /** The model version the function was configured with; its answer must name the same. */
  readonly ModelVersion: string;
  /** The artifact the gate verified, and its digest: the model the answers must match. */
  readonly ModelDataUrl: string;
  readonly ArtifactSha256: string;
}

export interface FunctionAnswerCheckDeps extends Pick<AnswerCheckDeps, 'readObject'> {
  /** lambda:Invoke (RequestResponse) with a JSON payload; the reply payload as text and Lambda's FunctionError. */
  readonly invokeFunction: (
    functionArn: string,
    payload: string,
  ) => Promise<{ readonly payload: string; readonly functionError?: string }>;
}

function describeRecord(record: object | undefined): string {
  return JSON.stringify(record ?? {});
}

/**
 * Sends the golden records recorded at publish to the inference function version just deployed, through
 * the function's own encoder and model (the check's direct-invoke event), and compares its answers with
 * the recorded predictions (tolerance GOLDEN_TOLERANCE, absolute, as for endpoints). Throws
 * AnswersDifferError naming the first differing row, so the stack update fails and CloudFormation rolls
 * the function back. A golden set recorded without API records (published without --feature-spec) is
 * refused: the function takes records, not model columns. Shared by the custom resource and `verify`.
 */
export async function checkFunctionAnswers(
  deps: FunctionAnswerCheckDeps,
  props: FunctionAnswerCheckProperties,
): Promise<AnswerCheckResult> {
  for (const key of ['FunctionArn', 'ModelVersion', 'ModelDataUrl', 'ArtifactSha256'] as const) {
    if (typeof props[key] !== 'string' || props[key].trim() === '') {
      throw new Error(`served-answer check: resource property ${key} is required`);
    }
  }
  if (props.ModelVersion === NOTHING_SERVED) {
    return { checked: false, reason: 'no model is served yet: the function answers NoModelDeployed' };
  }
  const { provenance, provenanceUrl } = await readVerifiedGolden(
    deps,
    props.ModelDataUrl,
    props.ArtifactSha256,
  );
  if (provenance === undefined) {
    throw new Error(
      `served-answer check: no provenance document at ${provenanceUrl}, so there are no golden records to send ` +
        `${props.FunctionArn}; publish the artifact with 'npm run model -- publish ... --feature-spec <serving.featureSpecFile>'`,
    );
  }
  const records = provenance.golden.records;
  if (records === undefined) {
    throw new Error(
      `served-answer check: ${provenanceUrl} records golden rows in model columns only (published without ` +
        `--feature-spec), and the inference function ${props.FunctionArn} takes API records; serving.mode = embedded ` +
        "needs a golden set with records: publish the artifact again with --feature-spec <the environment's " +
        'serving.featureSpecFile> and --key-prefix <a new prefix> (a provenance document is never overwritten), ' +
        'then approve and deploy that version',
    );
  }
  const event: AnswerCheckEvent = { [ANSWER_CHECK_EVENT_KEY]: { records } };
  const invoked = await deps.invokeFunction(props.FunctionArn, JSON.stringify(event));
  if (invoked.functionError !== undefined) {
    throw new Error(
      `served-answer check: ${props.FunctionArn} failed (${invoked.functionError}): ${invoked.payload.slice(0, 500)}`,
    );
  }
  const reply = parseAnswerCheckReply(invoked.payload, props.FunctionArn);
  const source = `golden records recorded at publish from ${provenance.golden.source}`;
  if (!reply.ok && 'refused' in reply) {
    const first = reply.refused[0];
    throw new AnswersDifferError(
      `served-answer check failed: ${props.FunctionArn} refused ${reply.refused.length} field(s) of the ` +
        `${records.length} ${source}; the first is row ${first?.row} (field ${first?.field} ${first?.message}); ` +
        `row ${first?.row} = ${describeRecord(records[(first?.row ?? 1) - 1])}. The function's feature ` +
        `specification does not take what ${provenance.golden.featureSpec?.name ?? 'the publish specification'} wrote. ` +
        'The deployment fails so CloudFormation rolls the function back.',
    );
  }
  if (!reply.ok) {
    throw new Error(
      `served-answer check: ${props.FunctionArn} could not answer: ${'error' in reply ? reply.error : ''}`,
    );
  }
  if (reply.modelVersion !== props.ModelVersion) {
    throw new AnswersDifferError(
      `served-answer check failed: ${props.FunctionArn} serves model version ${reply.modelVersion}, not ` +
        `${props.ModelVersion} as deployed`,
    );
  }
  const answers = [...reply.probabilities];
  const differs = firstDifference(
    { golden: { predictions: provenance.golden.predictions, tolerance: GOLDEN_TOLERANCE } },
    answers,
  );
  if (differs !== undefined) {
    throw new AnswersDifferError(
      `served-answer check failed: ${props.FunctionArn} answered ${answers.length} values for ` +
        `${records.length} ${source}, and row ${differs.row} (golden record ${differs.row}) differs: expected ` +
        `${differs.expected} (the exact scorer on ${props.ModelDataUrl}), got ${differs.actual ?? 'no number'} ` +
        `(tolerance ${GOLDEN_TOLERANCE}); row ${differs.row} = ${describeRecord(records[differs.row - 1])}. ` +
        'The deployment fails so CloudFormation rolls the function back to its last good version.',
    );
  }
  const worstDifference = answers.reduce(
    (w, a, i) => Math.max(w, Math.abs(a - provenance.golden.predictions[i])),
    0,
  );
  return {
    checked: true,
    rows: records.length,
    goldenSource: `${records.length} ${source}`,
    worstDifference,
  };
}
