import { MODEL_2 } from '../../../../../lib/compliance/controls/model/model-2-registry-approval';
import { managedPolicy, role, TAGS } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';

const resources: Resources = {
  Group: {
    Type: 'AWS::SageMaker::ModelPackageGroup',
    Properties: { ModelPackageGroupName: 'churn-prod', Tags: TAGS },
  },
  Gate: {
    Type: 'Custom::ModelGate',
    Properties: {
      ModelPackageGroupName: 'churn-prod',
      ModelVersion: 'latest-approved',
      RequireApproval: 'true',
    },
  },
  GateRole: role(),
  GatePolicy: managedPolicy('GateRole', [
    {
      Effect: 'Allow',
      Action: 'sagemaker:DescribeModelPackage',
      Resource: 'arn:aws:sagemaker:eu-west-1:333333333333:model-package/churn-prod/*',
    },
  ]),
};
const ctx =
  (r: Resources, name = 'Prod') =>
  () =>
    context(environment({ name, stacks: { Serving: r } }));

describeControl(MODEL_2, {
  compliant: [
    {
      name: 'a registry and a gate that serves approved versions only',
      context: ctx(resources),
      evidence: [
        'registry churn-prod',
        'gate Prod/Serving/Gate: churn-prod version latest-approved, approval required',
      ],
    },
    {
      name: 'dev may serve a version pending approval',
      context: ctx(
        changed(resources, (r) => (r.Gate.Properties!.RequireApproval = 'false')),
        'Dev',
      ),
      evidence: ['gate Dev/Serving/Gate: churn-prod version latest-approved, approval not required'],
    },
  ],
  nonCompliant: [
    {
      name: 'prod serving a version without approval',
      context: ctx(changed(resources, (r) => (r.Gate.Properties!.RequireApproval = 'false'))),
      problem:
        'gate Prod/Serving/Gate: churn-prod version latest-approved, approval not required — only approved versions may deploy here',
    },
    {
      name: 'no registry',
      context: ctx(changed(resources, (r) => delete r.Group)),
      problem: 'no SageMaker model package group (registry) in the templates',
    },
    {
      name: 'no gate between the registry and what is served',
      context: ctx(changed(resources, (r) => delete r.Gate)),
      problem: 'no deploy-time model gate resolves the served version from the registry',
    },
  ],
});
