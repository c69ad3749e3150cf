import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildChurnApp } from '../../../lib/churn-app';
import { validateConfig } from '../../../lib/config';
import { rawExampleConfig, resourcesOfType, TEST_COMMIT } from '../../helpers/app';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdkJson = require('../../../cdk.json');

/**
 * ENV-4, SEC-3: IAM allows one OIDC provider per issuer URL per account, and many accounts have GitHub's
 * already; there the Cicd stack must use it instead of failing to create a second one.
 */

function cicdTemplate(provider?: 'create' | 'existing'): Template {
  const raw = rawExampleConfig() as { environments: Record<string, Record<string, unknown>> };
  if (provider) raw.environments.prod!.cicd = { githubOidcProvider: provider };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const { stages } = buildChurnApp(app, {
    config: validateConfig(raw, 'variant'),
    sourceCommit: TEST_COMMIT,
  });
  return Template.fromStack(stages.find((s) => s.stageName === 'Prod')!.cicd);
}

test("ENV-4 with githubOidcProvider 'existing' the Cicd stack creates no provider and trusts the account's own", () => {
  const template = cicdTemplate('existing');
  expect(resourcesOfType(template, 'AWS::IAM::OIDCProvider')).toHaveLength(0);
  const [[, role]] = resourcesOfType(template, 'AWS::IAM::Role');
  const trust = JSON.stringify(role!.Properties!.AssumeRolePolicyDocument);
  expect(trust).toContain(':iam::333333333333:oidc-provider/token.actions.githubusercontent.com');
  expect(trust).toContain('"token.actions.githubusercontent.com:sub":"repo:');
});

test('ENV-4 by default the Cicd stack creates the provider (a fresh account has none)', () => {
  expect(resourcesOfType(cicdTemplate(), 'AWS::IAM::OIDCProvider')).toHaveLength(1);
});

test('the configuration refuses any other value, naming the field', () => {
  const raw = rawExampleConfig() as { environments: Record<string, Record<string, unknown>> };
  raw.environments.prod!.cicd = { githubOidcProvider: 'reuse' };
  expect(() => validateConfig(raw, 'variant')).toThrow(/environments\.prod\.cicd\.githubOidcProvider/);
});
