import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  DEFAULT_GITHUB_REPOSITORY,
  GithubOidcDeployRole,
  githubRepositoryFrom,
} from '../../../lib/constructs/github-oidc-deploy-role';
import { deployRoleName } from '../../../lib/stacks/cicd-stack';
import { buildTestApp, resourcesOfType } from '../../helpers/app';

type Statement = {
  Effect: string;
  Action: string | string[];
  Principal?: Record<string, unknown>;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const testApp = buildTestApp();
// The placeholder locally; the real repository inside GitHub Actions, which sets GITHUB_REPOSITORY.
const repository = githubRepositoryFrom(testApp.app);

function cicdTemplate(stage: string): Template {
  return Template.fromStack(testApp.stage(stage).cicd);
}

describe('GitHub OIDC deploy role (SEC-3)', () => {
  test.each(['Dev', 'Test', 'Prod'])(
    '%s: one GitHub OIDC provider for sts.amazonaws.com, without thumbprints',
    (stage) => {
      const providers = resourcesOfType(cicdTemplate(stage), 'AWS::IAM::OIDCProvider');
      expect(providers).toHaveLength(1);
      const props = providers[0][1].Properties!;
      expect(props.Url).toBe('https://token.actions.githubusercontent.com');
      expect(props.ClientIdList).toEqual(['sts.amazonaws.com']);
      // IAM validates GitHub's certificate against trusted root CAs; a pinned thumbprint only breaks on rotation.
      expect(props.ThumbprintList).toBeUndefined();
    },
  );

  test.each([
    ['Dev', 'dev'],
    ['Test', 'test'],
    ['Prod', 'prod'],
  ])(
    '%s: the trust policy pins the audience and exactly this repository and GitHub environment',
    (stage, env) => {
      const template = cicdTemplate(stage);
      const [[providerId]] = resourcesOfType(template, 'AWS::IAM::OIDCProvider');
      const roles = resourcesOfType(template, 'AWS::IAM::Role');
      expect(roles).toHaveLength(1);
      const role = roles[0][1].Properties!;
      expect(role.RoleName).toBe(deployRoleName('churn', env));
      expect(role.MaxSessionDuration).toBe(3600);
      const statements = (role.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
      expect(statements).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: { Ref: providerId } },
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': `repo:${repository}:environment:${env}`,
            },
          },
        },
      ]);
    },
  );

  test('the role may only assume the CDK bootstrap roles of its own account and region', () => {
    const template = cicdTemplate('Prod');
    const [[roleId]] = resourcesOfType(template, 'AWS::IAM::Role');
    const policies = resourcesOfType(template, 'AWS::IAM::ManagedPolicy');
    expect(policies).toHaveLength(1);
    const props = policies[0][1].Properties as {
      Roles: unknown[];
      PolicyDocument: { Statement: Statement[] };
    };
    expect(props.Roles).toEqual([{ Ref: roleId }]);
    expect(props.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: 'arn:aws:iam::333333333333:role/cdk-hnb659fds-*-role-333333333333-eu-west-1',
      },
    ]);
    expect(resourcesOfType(template, 'AWS::IAM::Policy')).toEqual([]);
    expect(resourcesOfType(template, 'AWS::IAM::User')).toEqual([]);
    expect(resourcesOfType(template, 'AWS::IAM::AccessKey')).toEqual([]);
  });

  test('the repository comes from the githubRepository context, then GITHUB_REPOSITORY, validated', () => {
    const app = new App({ context: { githubRepository: 'acme/churn-infra' } });
    expect(githubRepositoryFrom(app, { GITHUB_REPOSITORY: 'other/repo' })).toBe('acme/churn-infra');
    expect(githubRepositoryFrom(new App(), { GITHUB_REPOSITORY: 'acme/from-actions' })).toBe(
      'acme/from-actions',
    );
    expect(githubRepositoryFrom(new App(), {})).toBe(DEFAULT_GITHUB_REPOSITORY);
    expect(() => githubRepositoryFrom(new App({ context: { githubRepository: 'acme/*' } }), {})).toThrow(
      /context githubRepository \(or GITHUB_REPOSITORY\) must be '<owner>\/<repository>'.*got 'acme\/\*'/,
    );
  });

  test('a wildcard repository or environment is refused, and an existing provider is reused', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const base = { cdkQualifier: 'hnb659fds', roleName: 'deploy' };
    expect(
      () =>
        new GithubOidcDeployRole(stack, 'A', { ...base, repository: 'acme/*', githubEnvironment: 'prod' }),
    ).toThrow(/repository must be '<owner>\/<name>', got 'acme\/\*'/);
    expect(
      () => new GithubOidcDeployRole(stack, 'B', { ...base, repository: 'acme/x', githubEnvironment: 'pr*' }),
    ).toThrow(/githubEnvironment must be a plain GitHub environment name/);
    const existing = new GithubOidcDeployRole(stack, 'C', {
      ...base,
      repository: 'acme/x',
      githubEnvironment: 'prod',
    });
    new GithubOidcDeployRole(stack, 'D', {
      ...base,
      roleName: 'deploy-2',
      repository: 'acme/x',
      githubEnvironment: 'test',
      provider: existing.provider,
    });
    // Counted in the construct tree: a second synth would only repeat what the stage tests above prove.
    expect(stack.node.findAll().filter((c) => c instanceof iam.CfnOIDCProvider)).toHaveLength(1);
  });
});
