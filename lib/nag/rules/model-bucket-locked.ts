import { CfnResource } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { ChurnRule, field, policyStatements, resolved, same, stackResources } from '../rule';

/** Without MFA these must be refused, or a stolen credential could erase or unprotect a model version. */
export const MFA_DENIED_ACTIONS = ['s3:DeleteObjectVersion', 's3:PutBucketVersioning'];

/**
 * MODEL-1: a bucket with Object Lock keeps a default retention and has versioning on; unless a trail of
 * the same stack delivers to it (the trail bucket, AUD-1, whose log files expire after their lock), it
 * is the model artifact bucket, and its bucket policy — a separate resource, found in the same stack —
 * denies version deletion and versioning changes without MFA.
 */
export const ModelBucketLockedAndMfaGuarded: ChurnRule = {
  id: 'ModelBucketLockedAndMfaGuarded',
  info: 'The Object Lock bucket lacks default retention, versioning, or a policy denying version deletion and versioning changes without MFA.',
  explanation:
    'Model artifacts must be immutable: enable Object Lock with a default retention and versioning, and add a Deny statement on s3:DeleteObjectVersion and s3:PutBucketVersioning with BoolIfExists aws:MultiFactorAuthPresent=false (applyMfaDeleteGuard) (MODEL-1).',
  level: NagMessageLevel.ERROR,
  controls: ['MODEL-1'],
  check: (node: CfnResource) => {
    if (!(node instanceof s3.CfnBucket)) return NagRuleCompliance.NOT_APPLICABLE;
    if (resolved(node, node.objectLockEnabled) !== true) return NagRuleCompliance.NOT_APPLICABLE;
    const lock = resolved<{ objectLockEnabled?: string; rule?: { defaultRetention?: unknown } } | undefined>(
      node,
      node.objectLockConfiguration,
    );
    const versioning = resolved<{ status?: string } | undefined>(node, node.versioningConfiguration);
    if (
      lock?.objectLockEnabled !== 'Enabled' ||
      !lock.rule?.defaultRetention ||
      versioning?.status !== 'Enabled'
    ) {
      return NagRuleCompliance.NON_COMPLIANT;
    }
    const ref = resolved(node, node.ref);
    const isTrailBucket = stackResources(node)
      .filter((r): r is cloudtrail.CfnTrail => r instanceof cloudtrail.CfnTrail)
      .some((t) => same(resolved(t, t.s3BucketName), ref));
    if (isTrailBucket) return NagRuleCompliance.COMPLIANT;
    const guarded = stackResources(node)
      .filter((r): r is s3.CfnBucketPolicy => r instanceof s3.CfnBucketPolicy)
      .filter((p) => same(resolved(p, p.bucket), ref))
      .some((p) =>
        policyStatements(resolved(p, p.policyDocument)).some(
          (s) =>
            s.effect === 'Deny' &&
            String(field(field(s.condition, 'BoolIfExists'), 'aws:MultiFactorAuthPresent')) === 'false' &&
            MFA_DENIED_ACTIONS.every((a) => s.actions.includes(a)),
        ),
      );
    return guarded ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
