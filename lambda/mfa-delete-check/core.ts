import { type CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorMessage, errorName } from '../shared/errors';
import { MFA_DELETE_METRIC, VERSIONING_METRIC } from './environment';

/**
 * MODEL-1 runtime check. CloudFormation cannot turn on S3 MFA Delete (only the root user, with its MFA
 * device, can), so a scheduled function reads the bucket's versioning state, publishes it as a metric for
 * an alarm, and returns the one-time command that fixes it.
 */

export type VersioningState = 'Enabled' | 'Suspended' | 'NeverEnabled';
export type MfaDeleteState = 'Enabled' | 'Disabled';

export interface MfaDeleteCheckResult {
  readonly control: 'MODEL-1';
  readonly bucketName: string;
  readonly accountId: string;
  readonly versioning: VersioningState;
  readonly mfaDelete: MfaDeleteState;
  /** True only when versioning and MFA Delete are both Enabled. */
  readonly compliant: boolean;
  /** What was published: MfaDeleteEnabled is 1 only when compliant, VersioningEnabled 1 when versioning is on. */
  readonly metrics: { readonly namespace: string; readonly values: Readonly<Record<string, 0 | 1>> };
  /** Present when not compliant: the root-only command that makes the bucket compliant. */
  readonly remediation?: { readonly command: string; readonly note: string };
  readonly checkedAt: string;
}

export interface MfaDeleteCheckConfig {
  readonly bucketName: string;
  readonly accountId: string;
  readonly metricNamespace: string;
}

export interface MfaDeleteCheckDeps {
  readonly s3: Pick<S3Client, 'send'>;
  readonly cloudwatch: Pick<CloudWatchClient, 'send'>;
  readonly now?: () => Date;
}

export class MfaDeleteCheckError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MfaDeleteCheckError';
  }
}

/**
 * The one-time command to enable MFA Delete. It must be run with root credentials and the root user's MFA
 * device (IAM users and roles, even administrators, are refused), which is why no stack can do it.
 */
export function enableMfaDeleteCommand(bucketName: string, accountId: string): string {
  return (
    `aws s3api put-bucket-versioning --bucket ${bucketName} ` +
    '--versioning-configuration Status=Enabled,MFADelete=Enabled ' +
    `--mfa "arn:aws:iam::${accountId}:mfa/root-account-mfa-device <code>"`
  );
}

export async function checkMfaDelete(
  config: MfaDeleteCheckConfig,
  deps: MfaDeleteCheckDeps,
): Promise<MfaDeleteCheckResult> {
  const now = (deps.now ?? (() => new Date()))();

  let output;
  try {
    output = await deps.s3.send(
      // ExpectedBucketOwner: a same-named bucket in another account must never answer for ours.
      new GetBucketVersioningCommand({ Bucket: config.bucketName, ExpectedBucketOwner: config.accountId }),
    );
  } catch (err) {
    throw versioningError(config, err);
  }

  const versioning: VersioningState = output.Status ?? 'NeverEnabled';
  const mfaDelete: MfaDeleteState = output.MFADelete === 'Enabled' ? 'Enabled' : 'Disabled';
  const compliant = versioning === 'Enabled' && mfaDelete === 'Enabled';
  const values: Record<string, 0 | 1> = {
    [MFA_DELETE_METRIC]: compliant ? 1 : 0,
    [VERSIONING_METRIC]: versioning === 'Enabled' ? 1 : 0,
  };

  try {
    await deps.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: config.metricNamespace,
        MetricData: Object.entries(values).map(([name, value]) => ({
          MetricName: name,
          Dimensions: [{ Name: 'BucketName', Value: config.bucketName }],
          Timestamp: now,
          Value: value,
          Unit: 'None',
        })),
      }),
    );
  } catch (err) {
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new MfaDeleteCheckError(
      `could not publish ${MFA_DELETE_METRIC} to namespace ${config.metricNamespace} (${detail}); ` +
        'the function role needs cloudwatch:PutMetricData for that namespace',
      'PutMetricDataFailed',
      { cause: err },
    );
  }

  return {
    control: 'MODEL-1',
    bucketName: config.bucketName,
    accountId: config.accountId,
    versioning,
    mfaDelete,
    compliant,
    metrics: { namespace: config.metricNamespace, values },
    ...(compliant
      ? {}
      : {
          remediation: {
            command: enableMfaDeleteCommand(config.bucketName, config.accountId),
            note: remediationNote(versioning, mfaDelete),
          },
        }),
    checkedAt: now.toISOString(),
  };
}

function remediationNote(versioning: VersioningState, mfaDelete: MfaDeleteState): string {
  const state = `versioning is ${versioning}, MFA Delete is ${mfaDelete}`;
  return (
    `${state}. Run the command once as the account root user, replacing <code> with the current code of the ` +
    "root user's MFA device (use that device's serial/ARN if it is not named root-account-mfa-device); " +
    'IAM users and roles cannot change MFA Delete.'
  );
}

function versioningError(config: MfaDeleteCheckConfig, err: unknown): MfaDeleteCheckError {
  const name = errorName(err);
  const message = errorMessage(err);
  switch (name) {
    case 'NoSuchBucket':
      return new MfaDeleteCheckError(
        `model bucket ${config.bucketName} does not exist; check the BUCKET_NAME the check was deployed with`,
        name,
        { cause: err },
      );
    case 'AccessDenied':
    case 'AccessDeniedException':
      return new MfaDeleteCheckError(
        `access denied reading the versioning of ${config.bucketName} (${message}); the function role needs ` +
          `s3:GetBucketVersioning on it, the bucket policy must not deny that role, and the bucket must be ` +
          `owned by account ${config.accountId}`,
        name,
        { cause: err },
      );
    default:
      return new MfaDeleteCheckError(
        `GetBucketVersioning on ${config.bucketName} failed: ${name}: ${message}`,
        name,
        { cause: err },
      );
  }
}
