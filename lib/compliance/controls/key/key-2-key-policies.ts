import { conditionKeys, EnvironmentModel, ResourceHandle, Statement, statementsOf } from '../../model';
import { defineControl, Findings } from '../control';
import {
  actionPatternMatches,
  conditionValues,
  isAccountPrincipal,
  principalValues,
} from '../template-readers';

/**
 * The KMS calls AWS documents for each service principal that uses a key directly (not through a
 * caller's kms:ViaService). A service statement may allow these and nothing more; a service not listed
 * here fails KEY-2 until its documented calls are added with their source.
 */
export const DOCUMENTED_SERVICE_KMS_ACTIONS: Readonly<
  Record<string, { actions: readonly string[]; source: string }>
> = {
  logs: {
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    source:
      'CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS", step 2 key policy',
  },
  cloudtrail: {
    actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
    source: 'CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail"',
  },
  cloudwatch: {
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    source:
      'Amazon SNS Developer Guide, "Configuring AWS KMS permissions" (event sources publishing to encrypted topics)',
  },
  events: {
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    source:
      'Amazon SNS Developer Guide, "Configuring AWS KMS permissions" (event sources publishing to encrypted topics)',
  },
};

/** Calls that use key material (data keys, encryption, MACs, signatures). */
const USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
  'kms:GenerateMac',
  'kms:VerifyMac',
  'kms:Sign',
];

const covers = (s: Statement, action: string) => s.actions.some((a) => actionPatternMatches(a, action));

/** `kms:GrantIsForAWSResource` is required to be true (Bool or its IfExists-less variants). */
function grantsOnlyForAwsResources(s: Statement): boolean {
  const values = [
    ...conditionValues(s, 'Bool', 'kms:GrantIsForAWSResource'),
    ...conditionValues(s, 'StringEquals', 'kms:GrantIsForAWSResource'),
  ].map(String);
  return values.length > 0 && values.every((v) => v === 'true');
}

function serviceShortName(principal: string): string {
  return principal.replace(/\.amazonaws\.com(\.cn)?$/, '').replace(/\.[a-z]{2}(-[a-z]+)+-\d$/, '');
}

/** Judges one statement of a key policy; every statement is judged, Deny ones included. */
function judge(model: EnvironmentModel, key: ResourceHandle, s: Statement, f: Findings): void {
  const actions = s.actions.length ? s.actions.join(', ') : `NOT ${s.notActions.join(', ')}`;
  const label = `${s.sid ?? 'statement'}: ${actions} for ${model.describe(s.principal, key.stack)}`;
  if (s.effect === 'Deny') return f.ok(`${label} (deny)`, key);
  if (s.notActions.length > 0) return f.bad(`${label} — NotAction allows every other KMS action`, key);
  if (s.actions.some((a) => a === '*' || a.toLowerCase() === 'kms:*'))
    return f.bad(`${label} — grants every KMS action`, key);
  const keysUsed = conditionKeys(s);
  // A wildcard such as kms:Create* grants CreateGrant just as well as the action's own name.
  if (covers(s, 'kms:CreateGrant') && !grantsOnlyForAwsResources(s))
    return f.bad(`${label} — CreateGrant without kms:GrantIsForAWSResource`, key);
  const uses = USE_ACTIONS.some((a) => covers(s, a));
  const accounts = principalValues(model, s, 'AWS', key);
  const services = principalValues(model, s, 'Service', key);
  if (
    uses &&
    accounts.includes('*') &&
    !keysUsed.includes('kms:calleraccount') &&
    !keysUsed.includes('aws:principalarn')
  )
    return f.bad(`${label} — any principal may use the key`, key);
  if (
    uses &&
    accounts.some(isAccountPrincipal) &&
    !keysUsed.some((k) => k === 'kms:viaservice' || k === 'kms:calleraccount')
  )
    return f.bad(
      `${label} — the whole account may use the key directly (no kms:ViaService / kms:CallerAccount)`,
      key,
    );
  for (const service of services) {
    const documented = DOCUMENTED_SERVICE_KMS_ACTIONS[serviceShortName(service)];
    if (!documented) return f.bad(`${label} — no documented KMS calls are recorded for ${service}`, key);
    const extra = s.actions.filter((a) => !documented.actions.includes(a));
    if (extra.length)
      return f.bad(`${label} — ${extra.join(', ')} beyond what AWS documents for ${service}`, key);
    if (!keysUsed.some((k) => k.startsWith('aws:source') || k.startsWith('kms:encryptioncontext')))
      return f.bad(
        `${label} — service principal without aws:SourceAccount/SourceArn or encryption-context condition`,
        key,
      );
  }
  f.ok(`${label}${keysUsed.length ? ` if ${keysUsed.join(', ')}` : ''}`, key);
}

export const KEY_2 = defineControl({
  id: 'KEY-2',
  implementedBy: [{ name: 'EncryptionKey', file: 'lib/constructs/encryption-key.ts' }],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'KEY-1, KEY-2, KEY-3: customer-managed keys every key rotates, and each environment has separate data, model and logs keys',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'KEY-1, KEY-2, KEY-3: customer-managed keys key policies never give the account kms:*, and allow grants only for AWS resources',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'KEY-1, KEY-2, KEY-3: customer-managed keys KEY-2: an administrator of the account cannot grant a key except to an AWS resource through a named service',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'KEY-1, KEY-2, KEY-3: customer-managed keys only CloudWatch Logs of this account may use the logs key directly, by encryption context',
    },
  ],
  rules: ['AwsSolutions-KMS5', 'NIST.800.53.R5-KMSBackingKeyRotationEnabled'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const keys = model.ofType('AWS::KMS::Key');
    if (keys.length === 0) f.bad('no customer-managed KMS key in the templates');
    for (const key of keys) {
      const spec = String(key.props.KeySpec ?? 'SYMMETRIC_DEFAULT');
      if (spec.startsWith('HMAC'))
        f.ok(
          `${spec} key: AWS cannot rotate HMAC keys (rotating would also change every pseudonym); used only for pseudonymisation`,
          key,
        );
      else
        f.check(
          key.props.EnableKeyRotation === true,
          'automatic rotation on',
          'automatic key rotation is off',
          key,
        );
      const statements = statementsOf(key.props.KeyPolicy);
      if (statements.length === 0) f.bad('key has no key policy statements', key);
      for (const s of statements) judge(model, key, s, f);
    }
    return f.conclude(
      'enforced',
      'keys rotate; every key-policy statement grants use only through named services, grants only for AWS resources',
    );
  },
});
