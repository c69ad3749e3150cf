import { ENV_4 } from '../../../../../lib/compliance/controls/env/env-4-first-deploy';
import { MODEL_GATE_TYPE } from '../../../../../lib/compliance/controls/model/model-2-registry-approval';
import { bucket, logGroup } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';

const registry = (name = 'churn-prod') => ({
  Type: 'AWS::SageMaker::ModelPackageGroup',
  DeletionPolicy: 'RetainExceptOnCreate',
  Properties: { ModelPackageGroupName: name },
});
const gate = (group = 'churn-prod') => ({
  Type: MODEL_GATE_TYPE,
  Properties: { ModelPackageGroupName: group, ModelVersion: 'latest-approved', RequireApproval: 'true' },
});
const retrySafe = (resource: Resources[string]) =>
  changed(resource, (r) => (r.DeletionPolicy = 'RetainExceptOnCreate'));
const data: Resources = { Models: retrySafe(bucket('churn-prod-model')), Registry: registry() };
const prod = (stacks: Record<string, Resources>) => () => context(environment({ name: 'Prod', stacks }));

describeControl(ENV_4, {
  compliant: [
    {
      name: 'fixed names are RetainExceptOnCreate and the gate reads a registry an earlier stack creates',
      context: prod({
        Data: data,
        Endpoint: {
          Logs: retrySafe(
            changed(logGroup(), (l) => (l.Properties!.LogGroupName = '/aws/sagemaker/Endpoints/churn-prod')),
          ),
        },
        Serving: { Gate: gate() },
      }),
      evidence: [
        '3 resources with a fixed name or one per account; none outlives a rolled-back creation unacknowledged',
        /^gate Prod\/Serving\/Gate reads registry 'churn-prod', created earlier by Prod\/Data/,
      ],
    },
    {
      name: 'a retained resource without a fixed name does not block a retry',
      context: prod({ Data: { Bucket: changed(bucket('x'), (b) => delete b.Properties!.BucketName) } }),
    },
  ],
  nonCompliant: [
    {
      name: 'a retained bucket with a fixed name',
      context: prod({ Data: { ...data, Models: bucket('churn-prod-model') } }),
      problem:
        /^AWS::S3::Bucket named .*churn-prod-model.* has DeletionPolicy Retain: a rolled-back first deploy leaves it behind/,
    },
    {
      name: 'a retained account singleton (the Macie session)',
      context: prod({
        Data: data,
        DataProtection: {
          Session: { Type: 'AWS::Macie::Session', DeletionPolicy: 'Retain', Properties: {} },
        },
      }),
      problem: /^AWS::Macie::Session \(one per account\) has DeletionPolicy Retain/,
    },
    {
      name: 'the registry created in the same stack as its gate (the first deploy cannot publish in between)',
      context: prod({ Serving: { Registry: registry(), Gate: gate() } }),
      problem: /created in the same stack: no model can be published before the gate runs/,
    },
    {
      name: 'a gate reading a registry no stack creates',
      context: prod({ Data: data, Serving: { Gate: gate('churn-other') } }),
      problem: /reads registry 'churn-other', which no stack of the environment creates/,
    },
  ],
});
