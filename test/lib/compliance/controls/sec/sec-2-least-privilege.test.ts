import { SEC_2 } from '../../../../../lib/compliance/controls/sec/sec-2-least-privilege';
import { managedPolicy, role } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';

const ack = (id: string) => ({
  cdk_nag: { rules_to_suppress: [{ id, reason: 'ENI actions accept no resource narrower than *' }] },
});
const resources: Resources = {
  Role: role(),
  Policy: {
    ...managedPolicy('Role', [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::churn-prod-model/models/*' },
      { Effect: 'Allow', Action: ['ec2:CreateNetworkInterface'], Resource: '*' },
    ]),
    Metadata: ack('AwsSolutions-IAM5[Resource::*]'),
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Api: r } }));

describeControl(SEC_2, {
  compliant: [
    {
      name: "named actions; a '*' resource only where acknowledged with its reason",
      context: ctx(resources),
      evidence: ["'*' resource for ec2:CreateNetworkInterface — acknowledged with its reason"],
    },
  ],
  nonCompliant: [
    {
      name: 'a service-wide action',
      context: ctx(
        changed(
          resources,
          (r) =>
            ((
              r.Policy.Properties!.PolicyDocument as { Statement: Array<{ Action: string[] }> }
            ).Statement[0].Action = ['s3:*']),
        ),
      ),
      problem: 'action s3:* allows every action of the service',
    },
    {
      name: "a '*' resource without an acknowledgment",
      context: ctx(changed(resources, (r) => delete r.Policy.Metadata)),
      problem: "'*' resource for ec2:CreateNetworkInterface without an acknowledgment",
    },
    {
      name: 'an AWS managed policy on a project role',
      context: ctx(
        changed(
          resources,
          (r) => (r.Role.Properties!.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AmazonS3FullAccess']),
        ),
      ),
      problem: 'role uses AWS managed policy AmazonS3FullAccess',
    },
    {
      name: 'a NotAction allow',
      context: ctx({
        ...resources,
        Broad: managedPolicy('Role', [{ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::x' }]),
      }),
      problem: 'NotAction statement allows everything except iam:*',
    },
  ],
});
