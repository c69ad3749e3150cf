import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Actions that could destroy or unprotect a model artifact. Denied without MFA (MODEL-1): deleting a
 * version, changing versioning (and so MFA Delete), Object Lock, retention or the policy itself.
 */
export const MFA_PROTECTED_ACTIONS = [
  's3:DeleteObjectVersion',
  's3:PutBucketVersioning',
  's3:PutBucketObjectLockConfiguration',
  's3:PutObjectRetention',
  's3:BypassGovernanceRetention',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutLifecycleConfiguration',
  's3:DeleteBucket',
];

/**
 * Adds the MFA guard to a model artifact bucket. Deliberate consequence: once deployed, the bucket
 * policy can only be changed by a person with MFA (see the README), never silently by a pipeline.
 */
export function applyMfaDeleteGuard(bucket: s3.IBucket): void {
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyDestructiveChangesWithoutMfa',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: MFA_PROTECTED_ACTIONS,
      resources: [bucket.bucketArn, bucket.arnForObjects('*')],
      conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    }),
  );
}
