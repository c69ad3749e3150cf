import { keysOf } from '../../inventory';
import { conditionKeys, Statement } from '../../model';
import { defineControl, Findings } from '../control';
import {
  alarmsOnMetrics,
  bucketName,
  bucketPolicyStatements,
  conditionValues,
  describeRetention,
  grantsOf,
  modelBuckets,
  namesBucket,
  objectLockRetention,
  statementAllows,
} from '../template-readers';

/** The one-time command only the root user can run: CloudFormation cannot set MFA Delete. */
export function mfaDeleteCommand(bucket: string, account: string): string {
  return `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "arn:aws:iam::${account}:mfa/root-account-mfa-device <code>"`;
}

export const MFA_GUARDED_ACTIONS = ['s3:DeleteObjectVersion', 's3:PutBucketVersioning'];

/** A Deny that applies whenever MFA is absent: `BoolIfExists aws:MultiFactorAuthPresent = false`. */
function deniesWithoutMfa(s: Statement): boolean {
  if (s.effect !== 'Deny' || !conditionKeys(s).includes('aws:multifactorauthpresent')) return false;
  const values = conditionValues(s, 'BoolIfExists', 'aws:MultiFactorAuthPresent').map(String);
  // Plain Bool would not match requests without the key (long-term credentials): only IfExists does.
  return values.includes('false');
}

export const MODEL_1 = defineControl({
  id: 'MODEL-1',
  implementedBy: [
    { name: 'SecureBucket', file: 'lib/constructs/secure-bucket.ts' },
    { name: 'applyMfaDeleteGuard', file: 'lib/constructs/model-artifact-bucket.ts' },
    { name: 'MfaDeleteCheck', file: 'lib/constructs/mfa-delete-check.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'KEY-1, KEY-4, MODEL-1, DATA-3, NET-6: buckets *: the model bucket has Object Lock, no lifecycle rules and the MFA-deny statement',
    },
    {
      file: 'test/lib/data-protection/model-bucket-policy.test.ts',
      name: '%s model bucket policy (MODEL-1, NET-6) %s is denied without MFA to every principal, even the publisher and root',
    },
    {
      file: 'test/lib/data-protection/data-protection-stack.test.ts',
      name: '%s: MODEL-1 MFA Delete check an alarm fires when MfaDeleteEnabled is below 1 or missing, and when the check fails',
    },
  ],
  rules: ['ChurnControls-ModelBucketLockedAndMfaGuarded'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const buckets = modelBuckets(model);
    if (buckets.length === 0) f.bad('no bucket with Object Lock (the model artifact bucket)');
    let runtimeCheck = false;
    for (const b of buckets) {
      const name = bucketName(model, b);
      const lock = objectLockRetention(b);
      f.check(
        !!lock,
        `${name}: Object Lock ${lock ? describeRetention(lock) : ''}`,
        `${name}: Object Lock enabled but no default retention`,
        b,
      );
      f.check(
        (b.props.VersioningConfiguration as { Status?: string } | undefined)?.Status === 'Enabled',
        'versioning enabled',
        'versioning is not enabled',
        b,
      );
      const keys = keysOf(model, b);
      f.check(
        keys.length > 0,
        `encrypted with ${keys.map((k) => k.path).join(', ')}`,
        'not encrypted with a customer-managed key',
        b,
      );
      const deny = bucketPolicyStatements(model, b).find(
        (s) =>
          deniesWithoutMfa(s) &&
          MFA_GUARDED_ACTIONS.every((a) => statementAllows({ ...s, effect: 'Allow' }, a)),
      );
      f.check(
        !!deny,
        `${deny?.sid ?? 'deny'} refuses without MFA: ${deny?.actions.join(', ')}`,
        'no policy statement denies version deletion and versioning changes without MFA',
        b,
      );
      f.ok(`MFA Delete (root user, once): ${mfaDeleteCommand(name, model.account)}`, b);
      const checks = grantsOf(model, 's3:GetBucketVersioning').filter(({ statement, handle }) =>
        statement.resources.some((r) => namesBucket(model, r, handle, b)),
      );
      if (checks.length) {
        runtimeCheck = true;
        f.ok(
          `deployed check reads the versioning/MFA Delete status: ${checks.map((c) => c.handle.path).join(', ')}`,
        );
        for (const a of alarmsOnMetrics(model, (m) => m === 'MfaDeleteEnabled'))
          f.ok(`alarm when MFA Delete is off: ${a.path}`, a);
      } else {
        f.bad(
          'no deployed check reports the MFA Delete status (the data-protection stack is not synthesized)',
          b,
        );
      }
    }
    return f.conclude(
      runtimeCheck ? 'verified-at-runtime' : 'enforced',
      'versioned, KMS-encrypted, Object Lock, MFA-deny policy; MFA Delete checked on a schedule',
    );
  },
});
