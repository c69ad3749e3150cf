import { KEY_PROPERTIES } from '../../inventory';
import { EnvironmentModel, ResourceHandle } from '../../model';
import { defineControl, Findings } from '../control';
import { bucketName, isCdkManagedProvider, list } from '../template-readers';

/** The key settings of a data store, read from its own properties: what names the key, and where. */
function keySettings(store: ResourceHandle): Array<{ what: string; value: unknown; algorithm?: unknown }> {
  const p = store.props;
  switch (store.type) {
    case 'AWS::S3::Bucket': {
      const rules = list<{
        ServerSideEncryptionByDefault?: { SSEAlgorithm?: unknown; KMSMasterKeyID?: unknown };
      }>(
        (p.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown } | undefined)
          ?.ServerSideEncryptionConfiguration,
      );
      if (rules.length === 0) return [{ what: 'default encryption', value: undefined, algorithm: undefined }];
      return rules.map((r) => ({
        what: 'default encryption',
        value: r.ServerSideEncryptionByDefault?.KMSMasterKeyID,
        algorithm: r.ServerSideEncryptionByDefault?.SSEAlgorithm,
      }));
    }
    case 'AWS::SageMaker::EndpointConfig': {
      const capture = p.DataCaptureConfig as { KmsKeyId?: unknown } | undefined;
      return [
        { what: 'ML volumes', value: p.KmsKeyId },
        ...(capture ? [{ what: 'data capture', value: capture.KmsKeyId }] : []),
      ];
    }
    default:
      return (KEY_PROPERTIES[store.type] ?? []).map((property) => ({ what: property, value: p[property] }));
  }
}

function keyLabel(model: EnvironmentModel, key: ResourceHandle): string {
  const alias = model
    .ofType('AWS::KMS::Alias')
    .find((a) => model.target(a.props.TargetKeyId, a.stack) === key);
  return alias ? String(alias.props.AliasName) : key.path;
}

export const KEY_1 = defineControl({
  id: 'KEY-1',
  implementedBy: [
    { name: 'EncryptionKey', file: 'lib/constructs/encryption-key.ts' },
    { name: 'KeysStack', file: 'lib/stacks/keys-stack.ts' },
    { name: 'SecureBucket', file: 'lib/constructs/secure-bucket.ts' },
    { name: 'EncryptedLogGroup', file: 'lib/constructs/encrypted-log-group.ts' },
    { name: 'SecureFunction', file: 'lib/constructs/secure-function.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'KEY-1, KEY-4, MODEL-1, DATA-3, NET-6: buckets every bucket but the access-log target is encrypted with a customer key and logs its access',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'NET-4, KEY-1, DATA-3: flow logs and log groups every log group in every environment is encrypted with a customer key and has a retention period',
    },
    {
      file: 'test/lib/constructs/secure-function.test.ts',
      name: 'SecureFunction (NET-1, KEY-1, SEC-2) encrypts its environment with the data key and logs to an encrypted log group with retention',
    },
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: 'MODEL-4, NET-1, NET-3, KEY-1: the secure endpoint the endpoint config encrypts ML volumes with the model key and capture with the data key',
    },
  ],
  rules: ['NIST.800.53.R5-S3DefaultEncryptionKMS', 'ChurnControls-SageMakerEndpointConfigEncrypted'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    for (const type of Object.keys(KEY_PROPERTIES)) {
      if (type === 'AWS::SageMaker::Model') continue;
      const kind = type.split('::').slice(1).join(' ');
      for (const store of model.ofType(type)) {
        if (type === 'AWS::Lambda::Function' && isCdkManagedProvider(store)) {
          f.ok(`${kind}: CDK-managed provider with no environment variables to encrypt`, store);
          continue;
        }
        const label = type === 'AWS::S3::Bucket' ? `${kind} ${bucketName(model, store)}` : kind;
        for (const setting of keySettings(store)) {
          const keys = model
            .referencedResources(setting.value, store.stack)
            .filter((r) => r.type === 'AWS::KMS::Key');
          const named = setting.value === undefined ? '' : model.describe(setting.value, store.stack);
          if (keys.length > 0) {
            const what = keySettings(store).length > 1 ? ` (${setting.what})` : '';
            f.ok(`${label}${what} → ${keys.map((k) => keyLabel(model, k)).join(', ')}`, store);
          } else if (/^arn:[a-z-]+:kms:[^:]+:\d{12}:key\//.test(named)) {
            f.ok(`${label} → key ${named} (outside this environment's templates)`, store);
          } else if (
            type === 'AWS::S3::Bucket' &&
            setting.algorithm === 'AES256' &&
            setting.value === undefined
          ) {
            const acknowledged =
              model.isAcknowledged(store, 'AwsSolutions-S3DefaultEncryptionKMS') ||
              model.isAcknowledged(store, 'NIST.800.53.R5-S3DefaultEncryptionKMS');
            if (acknowledged) f.ok(`${label}: SSE-S3, reviewed exception (see acknowledgments)`, store);
            else f.bad(`${label}: SSE-S3, no customer-managed key`, store);
          } else {
            const awsManaged = /(^|:)alias\/aws\//.test(named);
            f.bad(
              `${label} ${setting.what} is not encrypted with a customer-managed key${awsManaged ? ` (AWS-managed ${named})` : ''}`,
              store,
            );
          }
        }
      }
    }
    for (const q of model.ofType('AWS::SQS::Queue')) {
      if (q.props.SqsManagedSseEnabled === true) f.bad('queue uses SQS-managed encryption', q);
    }
    return f.conclude('enforced', 'every data store names a customer-managed key of the environment');
  },
});
