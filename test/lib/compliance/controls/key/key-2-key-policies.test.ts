import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KEY_2 } from '../../../../../lib/compliance/controls/key/key-2-key-policies';
import { EncryptionKey } from '../../../../../lib/constructs/encryption-key';
import { context, describeControl, environment, Resources, synthesize } from '../harness';

/** The project's own keys: a symmetric key used through S3 and CloudWatch Logs, and an HMAC key. */
const keys = synthesize((stack) => {
  const data = new EncryptionKey(stack, 'DataKey', {
    aliasName: 'churn/prod/data',
    description: 'data',
    removalPolicy: RemovalPolicy.RETAIN,
    viaServices: ['s3', 'logs'],
  });
  data.allowCloudWatchLogs();
  data.allowServicePrincipal('CloudTrailEncryptsTrails', 'cloudtrail.amazonaws.com', [
    'kms:GenerateDataKey*',
    'kms:DescribeKey',
  ]);
  const hmac = new EncryptionKey(stack, 'PseudonymKey', {
    aliasName: 'churn/prod/pseudonym',
    description: 'pseudonyms',
    removalPolicy: RemovalPolicy.RETAIN,
    viaServices: [],
    keySpec: kms.KeySpec.HMAC_256,
  });
  hmac.grantDirectUse(
    'FunctionPseudonymises',
    new iam.Role(stack, 'Fn', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
    ['kms:GenerateMac'],
  );
}, 'Keys');

const keyId = Object.keys(keys).find((id) => id.startsWith('DataKey'))!;
type Stmt = {
  NotAction?: string;
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Principal?: unknown;
  Condition?: unknown;
};
/** The data key with one key-policy statement changed or added. */
function withStatement(change: (statements: Stmt[]) => void): Resources {
  const copy = structuredClone(keys);
  change((copy[keyId].Properties!.KeyPolicy as { Statement: Stmt[] }).Statement);
  return copy;
}
const admin = (s: Stmt[]) => s.find((x) => x.Sid === 'KeyAdministrationByTheAccount')!;
const ctx = (r: Resources) => () => context(environment({ stacks: { Keys: r } }));

describeControl(KEY_2, {
  compliant: [
    {
      name: "the EncryptionKey construct's keys: administration without grant rights, grants only for AWS resources",
      context: ctx(keys),
      evidence: [
        /^GrantsOnlyForAwsResources: kms:CreateGrant, kms:ListGrants, kms:RevokeGrant .* if kms:calleraccount, kms:viaservice, kms:grantisforawsresource$/,
        /^HMAC_256 key: AWS cannot rotate HMAC keys/,
        /^CloudWatchLogsForThisAccountsLogGroups: .* if kms:encryptioncontext:aws:logs:arn$/,
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'the administration statement granting kms:Create* (which covers CreateGrant)',
      context: ctx(
        withStatement((s) => (admin(s).Action = [...(admin(s).Action as string[]), 'kms:Create*'])),
      ),
      problem:
        /^KeyAdministrationByTheAccount: .*kms:Create\*.* — CreateGrant without kms:GrantIsForAWSResource$/,
    },
    {
      name: 'grants with the condition set to false',
      context: ctx(
        withStatement((s) => {
          const grants = s.find((x) => x.Sid === 'GrantsOnlyForAwsResources')!;
          (grants.Condition as { Bool: Record<string, string> }).Bool['kms:GrantIsForAWSResource'] = 'false';
        }),
      ),
      problem: /^GrantsOnlyForAwsResources: .* — CreateGrant without kms:GrantIsForAWSResource$/,
    },
    {
      name: 'the account given kms:*',
      context: ctx(withStatement((s) => (admin(s).Action = 'kms:*'))),
      problem: /^KeyAdministrationByTheAccount: kms:\* .* — grants every KMS action$/,
    },
    {
      name: 'the whole account may decrypt directly, not through a named service',
      context: ctx(
        withStatement((s) =>
          s.push({
            Sid: 'Direct',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::333333333333:root' },
            Action: 'kms:Decrypt',
          }),
        ),
      ),
      problem:
        'Direct: kms:Decrypt for {AWS: arn:aws:iam::333333333333:root} — the whole account may use the key directly (no kms:ViaService / kms:CallerAccount)',
    },
    {
      name: 'a service allowed a call AWS does not document for it',
      context: ctx(
        withStatement((s) => {
          const trail = s.find((x) => x.Sid === 'CloudTrailEncryptsTrails')!;
          trail.Action = ['kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:Decrypt'];
        }),
      ),
      problem:
        /^CloudTrailEncryptsTrails: .* — kms:Decrypt beyond what AWS documents for cloudtrail\.amazonaws\.com$/,
    },
    {
      name: 'a service without a source condition (confused deputy)',
      context: ctx(
        withStatement((s) =>
          s.push({
            Sid: 'Events',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt'],
          }),
        ),
      ),
      problem:
        /^Events: .* — service principal without aws:SourceAccount\/SourceArn or encryption-context condition$/,
    },
    {
      name: 'a NotAction allow',
      context: ctx(
        withStatement((s) =>
          s.push({
            Sid: 'Broad',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::333333333333:root' },
            NotAction: 'kms:Decrypt',
          }),
        ),
      ),
      problem: /^Broad: NOT kms:Decrypt .* — NotAction allows every other KMS action$/,
    },
    {
      name: 'rotation off',
      context: ctx({
        ...keys,
        [keyId]: { ...keys[keyId], Properties: { ...keys[keyId].Properties, EnableKeyRotation: false } },
      }),
      problem: 'automatic key rotation is off',
    },
  ],
});
