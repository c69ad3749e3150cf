import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { githubRepositoryFrom } from '../../../lib/constructs/github-oidc-deploy-role';
import { PackageRepository } from '../../../lib/constructs/package-repository';
import { buildTestApp, CfnResource, resourcesOfType } from '../../helpers/app';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Principal?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const testApp = buildTestApp();
const repository = githubRepositoryFrom(testApp.app);
const template = Template.fromStack(testApp.tooling!);
const only = (type: string): [string, CfnResource] => {
  const found = resourcesOfType(template, type);
  expect(found).toHaveLength(1);
  return found[0];
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const statements = (doc: unknown) => (doc as { Statement: Statement[] }).Statement;
const [keyId, key] = only('AWS::KMS::Key');
const [domainId, domain] = only('AWS::CodeArtifact::Domain');
const [roleId, role] = only('AWS::IAM::Role');
const repositories = resourcesOfType(template, 'AWS::CodeArtifact::Repository');
const store = repositories.find(([, r]) => r.Properties!.RepositoryName === 'npm-store')!;
const ci = repositories.find(([, r]) => r.Properties!.RepositoryName === 'ci')!;

describe('private package repository (SEC-5)', () => {
  test('the tooling stack deploys to the tooling account, with termination protection', () => {
    const stack = testApp.tooling!;
    expect({ account: stack.account, region: stack.region }).toEqual({
      account: '444444444444',
      region: 'eu-west-1',
    });
    expect(stack.terminationProtection).toBe(true);
  });

  test('the domain is encrypted with the tooling key, whose policy lets CodeArtifact create grants only for AWS resources', () => {
    expect(domain.Properties!.DomainName).toBe('churn-packages');
    expect(domain.Properties!.EncryptionKey).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(key.Properties!.EnableKeyRotation).toBe(true);
    const viaCodeArtifact = statements(key.Properties!.KeyPolicy).filter(
      (s) => s.Condition?.StringEquals?.['kms:ViaService'] !== undefined,
    );
    expect(viaCodeArtifact.length).toBeGreaterThan(0);
    for (const s of viaCodeArtifact) {
      expect(list(s.Condition!.StringEquals['kms:ViaService'])).toEqual([
        'codeartifact.eu-west-1.amazonaws.com',
      ]);
      expect(s.Condition!.StringEquals['kms:CallerAccount']).toBe('444444444444');
    }
    const grants = viaCodeArtifact.find((s) => list(s.Action).includes('kms:CreateGrant'))!;
    expect(grants.Condition!.Bool).toEqual({ 'kms:GrantIsForAWSResource': 'true' });
    expect(viaCodeArtifact.some((s) => list(s.Action).includes('kms:DescribeKey'))).toBe(true);
  });

  test('the CI repository reads through the npm store, the only repository connected to public:npmjs', () => {
    expect(repositories).toHaveLength(2);
    expect(store[1].Properties!.ExternalConnections).toEqual(['public:npmjs']);
    expect(ci[1].Properties!.ExternalConnections).toBeUndefined();
    expect(ci[1].Properties!.Upstreams).toEqual([{ 'Fn::GetAtt': [store[0], 'Name'] }]);
    // The GetAtt orders creation: the store first, deleted last, so the upstream always exists.
  });

  test('domain and repository policies name only the CI role, never a wildcard', () => {
    const documents = [
      ['domain', domain.Properties!.PermissionsPolicyDocument],
      ['ci', ci[1].Properties!.PermissionsPolicyDocument],
    ] as const;
    for (const [what, doc] of documents) {
      for (const s of statements(doc)) {
        expect({ what, principal: s.Principal }).toEqual({
          what,
          principal: { AWS: { 'Fn::GetAtt': [roleId, 'Arn'] } },
        });
        expect(s.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': '444444444444' } });
      }
    }
    expect(list(statements(domain.Properties!.PermissionsPolicyDocument)[0].Action)).toEqual([
      'codeartifact:GetAuthorizationToken',
    ]);
    expect(list(statements(ci[1].Properties!.PermissionsPolicyDocument)[0].Action)).toEqual([
      'codeartifact:GetRepositoryEndpoint',
      'codeartifact:ReadFromRepository',
    ]);
    // Nobody reads the store directly: it has no policy granting anyone anything.
    expect(store[1].Properties!.PermissionsPolicyDocument).toBeUndefined();
  });

  test('the CI role is trusted only by exact GitHub claims of this repository, and may only read packages', () => {
    expect(role.Properties!.RoleName).toBe('churn-github-ci');
    const [trust] = statements(role.Properties!.AssumeRolePolicyDocument);
    expect(trust.Condition!.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': [
        `repo:${repository}:pull_request`,
        `repo:${repository}:ref:refs/heads/main`,
        `repo:${repository}:environment:dev`,
        `repo:${repository}:environment:test`,
        `repo:${repository}:environment:prod`,
      ],
    });
    const [[, policy]] = resourcesOfType(template, 'AWS::IAM::ManagedPolicy');
    expect(policy.Properties!.Roles).toEqual([{ Ref: roleId }]);
    expect(statements(policy.Properties!.PolicyDocument)).toEqual([
      {
        Effect: 'Allow',
        Action: 'codeartifact:GetAuthorizationToken',
        Resource: { 'Fn::GetAtt': [domainId, 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['codeartifact:GetRepositoryEndpoint', 'codeartifact:ReadFromRepository'],
        Resource: { 'Fn::GetAtt': [ci[0], 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 'sts:GetServiceBearerToken',
        Resource: '*',
        Condition: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } },
      },
    ]);
  });

  test('ENV-4: a failed first deploy leaves no named domain or repository behind to block the retry', () => {
    for (const [, r] of [[domainId, domain], ...repositories] as Array<[string, CfnResource]>) {
      expect(r.DeletionPolicy).toBe('Delete');
    }
  });

  describe('props are validated, naming the property', () => {
    const build = (props: Partial<ConstructorParameters<typeof PackageRepository>[2]>) => () => {
      const stack = new Stack(new App(), 'S', { env: { account: '444444444444', region: 'eu-west-1' } });
      new PackageRepository(stack, 'Packages', {
        domainName: 'churn-packages',
        storeRepositoryName: 'npm-store',
        repositoryName: 'ci',
        encryptionKey: new kms.Key(stack, 'Key'),
        readers: [new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() })],
        ...props,
      });
    };
    test.each([
      [{ domainName: 'Bad_Name' }, /domainName 'Bad_Name' must be 3-50 lower-case/],
      [{ repositoryName: 'npm-store' }, /repositoryName must differ from storeRepositoryName/],
      [{ storeRepositoryName: 'a/b' }, /storeRepositoryName 'a\/b' must be 2-100/],
      [{ readers: [] }, /readers must name at least one role/],
    ])('%j is refused', (props, message) => {
      expect(build(props)).toThrow(message);
    });
  });
});
