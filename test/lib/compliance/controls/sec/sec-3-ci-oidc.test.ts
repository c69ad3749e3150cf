import { SEC_3 } from '../../../../../lib/compliance/controls/sec/sec-3-ci-oidc';
import { managedPolicy, TAGS } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, Resources } from '../harness';
import { RepositoryFacts } from '../../../../../lib/compliance/controls/control';

const HOST = 'token.actions.githubusercontent.com';
const resources: Resources = {
  Provider: {
    Type: 'AWS::IAM::OIDCProvider',
    Properties: { Url: `https://${HOST}`, ClientIdList: ['sts.amazonaws.com'], Tags: TAGS },
  },
  DeployRole: {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRoleWithWebIdentity',
            Principal: { Federated: getAtt('Provider', 'Arn') },
            Condition: {
              StringEquals: {
                [`${HOST}:aud`]: 'sts.amazonaws.com',
                [`${HOST}:sub`]: 'repo:example-org/churn:environment:prod',
              },
            },
          },
        ],
      },
      Tags: TAGS,
    },
  },
  DeployPolicy: managedPolicy('DeployRole', [
    {
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: 'arn:aws:iam::333333333333:role/cdk-hnb659fds-*-role-333333333333-eu-west-1',
    },
  ]),
};
const oidcWorkflow: RepositoryFacts = {
  workflows: [
    {
      file: '.github/workflows/deploy.yml',
      text: 'permissions:\n  id-token: write\njobs:\n  prod:\n    steps:\n      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df\n        with:\n          role-to-assume: arn\n',
    },
  ],
};
const ctx =
  (r: Resources, repository = oidcWorkflow) =>
  () =>
    context(environment({ stacks: { Cicd: r } }), { repository });
const trust = (r: Resources) =>
  (
    r.DeployRole.Properties!.AssumeRolePolicyDocument as {
      Statement: Array<{ Condition: { StringEquals: Record<string, string> } }>;
    }
  ).Statement[0].Condition.StringEquals;

describeControl(SEC_3, {
  compliant: [
    {
      name: 'a deploy role trusted by GitHub OIDC for one repository and environment, assuming only the CDK roles',
      context: ctx(resources),
      evidence: [
        'trust pins sub = repo:example-org/churn:environment:prod',
        '.github/workflows/deploy.yml authenticates with OIDC (role-to-assume, id-token: write)',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'any repository may assume the role',
      context: ctx(changed(resources, (r) => (trust(r)[`${HOST}:sub`] = 'repo:*'))),
      problem: 'trust does not pin the repository and environment (sub) exactly',
    },
    {
      name: 'the deploy role may do more than assume the CDK roles',
      context: ctx({
        ...resources,
        Extra: managedPolicy('DeployRole', [
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::x/*' },
        ]),
      }),
      problem:
        /^deploy role may s3:GetObject on arn:aws:s3:::x\/\* \(only the CDK bootstrap roles are allowed\)$/,
    },
    {
      name: 'a workflow passing long-lived keys',
      context: ctx(resources, {
        workflows: [
          {
            file: '.github/workflows/deploy.yml',
            text: 'jobs:\n  p:\n    steps:\n      - uses: x@y\n        with:\n          aws-access-key-id: ${{ secrets.KEY }}\n',
          },
        ],
      }),
      problem: '.github/workflows/deploy.yml passes long-lived AWS keys',
    },
    {
      name: 'no GitHub OIDC provider',
      context: ctx(changed(resources, (r) => delete r.Provider)),
      problem: 'no GitHub OIDC provider (token.actions.githubusercontent.com) in the templates',
    },
  ],
});
