import { SEC_1 } from '../../../../../lib/compliance/controls/sec/sec-1-no-secrets';
import { kmsKey, lambdaFunction, TAGS } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, ref, Resources } from '../harness';

const resources: Resources = {
  DataKey: kmsKey(),
  Function: lambdaFunction({ Environment: { Variables: { SECRET_ARN: ref('Secret'), MODEL_VERSION: '3' } } }),
  Secret: {
    Type: 'AWS::SecretsManager::Secret',
    Properties: {
      KmsKeyId: getAtt('DataKey', 'Arn'),
      GenerateSecretString: { PasswordLength: 32 },
      Tags: TAGS,
    },
  },
  Rotation: {
    Type: 'AWS::SecretsManager::RotationSchedule',
    Properties: { SecretId: ref('Secret'), RotationRules: { ScheduleExpression: 'rate(30 days)' } },
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { DataProtection: r } }));

describeControl(SEC_1, {
  compliant: [
    {
      name: 'a generated, KMS-encrypted, rotated secret referenced by ARN only',
      context: ctx(resources),
      evidence: ['rotation schedule configured', /^\d+ resources scanned for key material/],
    },
  ],
  nonCompliant: [
    {
      name: 'an access key id in a tag',
      context: ctx(
        changed(
          resources,
          (r) => (r.Secret.Properties!.Tags = [...TAGS, { Key: 'note', Value: 'AKIAABCDEFGHIJKLMNOP' }]),
        ),
      ),
      problem: 'AWS access key id in the template at Tags[4].Value',
    },
    {
      name: 'a secret-named environment variable',
      context: ctx(
        changed(
          resources,
          (r) =>
            ((
              r.Function.Properties!.Environment as { Variables: Record<string, unknown> }
            ).Variables.API_TOKEN = 'x'),
        ),
      ),
      problem: 'environment variable API_TOKEN looks like a secret',
    },
    {
      name: 'a secret value written into the template',
      context: ctx(changed(resources, (r) => (r.Secret.Properties!.SecretString = 'hunter2'))),
      problem: 'secret value written into the template (SecretString)',
    },
    {
      name: 'a secret without rotation',
      context: ctx(changed(resources, (r) => delete r.Rotation)),
      problem: 'secret has no rotation schedule',
    },
    {
      name: 'an IAM user with long-lived credentials',
      context: ctx({ ...resources, User: { Type: 'AWS::IAM::User', Properties: {} } }),
      problem: 'AWS::IAM::User exists: long-lived credentials',
    },
  ],
});
