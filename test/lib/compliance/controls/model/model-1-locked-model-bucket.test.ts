import { MODEL_1 } from '../../../../../lib/compliance/controls/model/model-1-locked-model-bucket';
import { alarm, bucketArn, bucketPolicy, kmsKey, managedPolicy, modelBucket, role } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';

const NAME = 'churn-prod-model-333333333333-eu-west-1';
const mfaDeny = {
  Sid: 'DenyDestructiveChangesWithoutMfa',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: ['s3:DeleteObjectVersion', 's3:PutBucketVersioning', 's3:PutBucketPolicy'],
  Resource: [bucketArn(NAME), `${bucketArn(NAME)}/*`],
  Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
};
const resources: Resources = {
  ModelKey: kmsKey(),
  Models: modelBucket(NAME),
  Policy: bucketPolicy('Models', [mfaDeny]),
  CheckRole: role(),
  CheckPolicy: managedPolicy('CheckRole', [
    { Effect: 'Allow', Action: 's3:GetBucketVersioning', Resource: bucketArn(NAME) },
  ]),
  MfaAlarm: alarm('MfaDeleteEnabled'),
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Data: r } }));
const statements = (r: Resources) =>
  (r.Policy.Properties!.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;

describeControl(MODEL_1, {
  compliant: [
    {
      name: 'a locked, versioned, KMS-encrypted bucket with the MFA deny and a deployed MFA Delete check',
      context: ctx(resources),
      status: 'verified-at-runtime',
      evidence: [
        `${NAME}: Object Lock GOVERNANCE for 365 days`,
        'DenyDestructiveChangesWithoutMfa refuses without MFA: s3:DeleteObjectVersion, s3:PutBucketVersioning, s3:PutBucketPolicy',
        /^MFA Delete \(root user, once\): aws s3api put-bucket-versioning --bucket churn-prod-model-/,
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'the MFA deny statement removed',
      context: ctx(changed(resources, (r) => (r.Policy = bucketPolicy('Models', [])))),
      problem: 'no policy statement denies version deletion and versioning changes without MFA',
    },
    {
      name: 'an MFA condition without IfExists (long-term credentials carry no MFA key, so it never matches)',
      context: ctx(
        changed(
          resources,
          (r) => (statements(r)[0].Condition = { Bool: { 'aws:MultiFactorAuthPresent': 'false' } }),
        ),
      ),
      problem: 'no policy statement denies version deletion and versioning changes without MFA',
    },
    {
      name: 'Object Lock without a default retention',
      context: ctx(changed(resources, (r) => delete r.Models.Properties!.ObjectLockConfiguration)),
      problem: `${NAME}: Object Lock enabled but no default retention`,
    },
    {
      name: 'no deployed check of the MFA Delete status',
      context: ctx(changed(resources, (r) => delete r.CheckPolicy)),
      problem:
        'no deployed check reports the MFA Delete status (the data-protection stack is not synthesized)',
    },
    {
      name: 'no model bucket at all',
      context: ctx(changed(resources, (r) => delete r.Models)),
      problem: 'no bucket with Object Lock (the model artifact bucket)',
    },
  ],
});
