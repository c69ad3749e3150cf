import { UpdateModelPackageCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { AssessmentSummary } from '../robustness/thresholds';
import { awsCall, RegistryError } from './errors';
import { assessmentCustomerMetadata, checkAssessmentArtifact, METADATA_LIMITS } from './metadata';
import { checkGroupName, checkVersionNumber, describeVersion, type ModelVersionInfo } from './packages';

/** SageMaker's limit on ApprovalDescription. */
export const MAX_REASON_LENGTH = 1024;

export type ApprovalDecision = 'Approved' | 'Rejected';

export interface ApprovalRequest {
  readonly group: string;
  readonly version: number | string;
  readonly decision: ApprovalDecision;
  /** Why; kept as the version's ApprovalDescription, the audit trail of who decided what and why. */
  readonly reason: string;
  /**
   * A robustness assessment (MODEL-7) to record with the decision; it must be of the version's artifact.
   * @default the version keeps whatever assessment it has
   */
  readonly assessment?: AssessmentSummary;
}

export interface ApprovalResult {
  readonly modelPackageArn: string;
  readonly version: number;
  readonly previousStatus: ModelVersionInfo['approvalStatus'];
  readonly status: ApprovalDecision;
}

export function checkReason(reason: string | undefined): string {
  const text = (reason ?? '').trim();
  if (text === '') {
    throw new RegistryError(
      'usage',
      '--reason is required: say why (e.g. "AUC 0.91 on holdout 2026-10, reviewed by ana")',
    );
  }
  if (text.length > MAX_REASON_LENGTH) {
    throw new RegistryError(
      'usage',
      `--reason is ${text.length} characters; SageMaker keeps at most ${MAX_REASON_LENGTH}`,
    );
  }
  return text;
}

/** Approves or rejects one version; the group and version are looked up first so errors say which is missing. */
export async function setApproval(
  sagemaker: SageMakerClient,
  request: ApprovalRequest,
): Promise<ApprovalResult> {
  checkGroupName(request.group);
  const version = checkVersionNumber(request.version);
  const reason = checkReason(request.reason);
  const current = await describeVersion(sagemaker, request.group, version);
  let metadata: Record<string, string> | undefined;
  if (request.assessment) {
    const recorded = current.recorded.artifactSha256;
    if (!recorded) {
      throw new RegistryError(
        'invalidPackage',
        `version ${version} of '${request.group}' records no artifact-sha256, so no assessment can be tied to it`,
      );
    }
    checkAssessmentArtifact(request.assessment, recorded, `version ${version} of '${request.group}'`);
    metadata = assessmentCustomerMetadata(request.assessment);
    const added = Object.keys(metadata).filter((key) => !current.recorded.keys.includes(key)).length;
    if (current.recorded.keys.length + added > METADATA_LIMITS.maxEntries) {
      throw new RegistryError(
        'usage',
        `version ${version} of '${request.group}' holds ${current.recorded.keys.length} metadata entries; the ` +
          `assessment adds ${added} and SageMaker keeps at most ${METADATA_LIMITS.maxEntries}`,
      );
    }
  }
  await awsCall(
    `setting version ${version} of '${request.group}' to ${request.decision}`,
    { kind: 'version', group: request.group, version },
    () =>
      sagemaker.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: current.arn,
          ModelApprovalStatus: request.decision,
          ApprovalDescription: reason,
          ...(metadata ? { CustomerMetadataProperties: metadata } : {}),
        }),
      ),
  );
  return {
    modelPackageArn: current.arn,
    version,
    previousStatus: current.approvalStatus,
    status: request.decision,
  };
}
