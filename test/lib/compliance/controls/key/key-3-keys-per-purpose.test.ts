import { KEY_3 } from '../../../../../lib/compliance/controls/key/key-3-keys-per-purpose';
import { dataBucket, kmsKey, modelBucket } from '../fixtures';
import { changed, context, describeControl, environment, ref, Resources } from '../harness';

const alias = (name: string, key: string) => ({
  Type: 'AWS::KMS::Alias',
  Properties: { AliasName: `alias/churn/prod/${name}`, TargetKeyId: ref(key) },
});
const keys: Resources = {
  DataKey: kmsKey(),
  ModelKey: kmsKey(),
  LogsKey: kmsKey(),
  DataAlias: alias('data', 'DataKey'),
  ModelAlias: alias('model', 'ModelKey'),
  LogsAlias: alias('logs', 'LogsKey'),
  Data: dataBucket(),
  Models: modelBucket(),
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Keys: r } }));

describeControl(KEY_3, {
  compliant: [
    {
      name: 'separate data, model and logs keys, the model and data buckets each on their own',
      context: ctx(keys),
      evidence: [
        'alias/churn/prod/data: encrypts 1 resource (Bucket)',
        'alias/churn/prod/logs: encrypts 0 resources (none yet)',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'no logs key',
      context: ctx(changed(keys, (r) => delete r.LogsAlias)),
      problem: "no key with a 'logs' alias",
    },
    {
      name: 'two purposes on one key',
      context: ctx(changed(keys, (r) => (r.LogsAlias = alias('logs', 'DataKey')))),
      problem: "the 'logs' and 'data' aliases name the same key",
    },
    {
      name: 'the model bucket encrypted with the data key',
      context: ctx(
        changed(
          keys,
          (r) =>
            (r.Models = changed(
              modelBucket(),
              (b) =>
                ((
                  b.Properties!.BucketEncryption as {
                    ServerSideEncryptionConfiguration: Array<{
                      ServerSideEncryptionByDefault: Record<string, unknown>;
                    }>;
                  }
                ).ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID = {
                  'Fn::GetAtt': ['DataKey', 'Arn'],
                }),
            )),
        ),
      ),
      problem: 'the model bucket and the data bucket share a key',
    },
  ],
});
