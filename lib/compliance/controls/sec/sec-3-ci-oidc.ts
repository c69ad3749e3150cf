import { statementsOf } from '../../model';
import { defineControl, Findings } from '../control';
import { conditionValues, list, parseWorkflows, policyDocuments, rolesOfPolicy } from '../template-readers';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
const LONG_LIVED_KEY_INPUTS = ['aws-access-key-id', 'aws-secret-access-key'];

export const SEC_3 = defineControl({
  id: 'SEC-3',
  implementedBy: [
    { name: 'GithubOidcDeployRole', file: 'lib/constructs/github-oidc-deploy-role.ts' },
    { name: 'CicdStack', file: 'lib/stacks/cicd-stack.ts' },
    { name: 'dev', file: '.github/workflows/deploy.yml' },
  ],
  provenBy: [
    {
      file: 'test/lib/constructs/github-oidc-deploy-role.test.ts',
      name: 'GitHub OIDC deploy role (SEC-3) %s: the trust policy pins the audience and exactly this repository and GitHub environment',
    },
    {
      file: 'test/lib/constructs/github-oidc-deploy-role.test.ts',
      name: 'GitHub OIDC deploy role (SEC-3) the role may only assume the CDK bootstrap roles of its own account and region',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const providers = model
      .ofType('AWS::IAM::OIDCProvider', 'Custom::AWSCDKOpenIdConnectProvider')
      .filter((h) => model.describe(h.props.Url, h.stack) === `https://${GITHUB_OIDC_HOST}`);
    if (providers.length === 0) f.bad(`no GitHub OIDC provider (${GITHUB_OIDC_HOST}) in the templates`);
    for (const p of providers) {
      f.check(
        list(p.props.ClientIdList ?? p.props.ClientIDList).includes('sts.amazonaws.com'),
        'OIDC provider audience sts.amazonaws.com',
        'OIDC provider lacks the sts.amazonaws.com audience',
        p,
      );
    }
    const deployRoles = model
      .ofType('AWS::IAM::Role')
      .filter((r) =>
        providers.some((p) =>
          model.referencedResources(r.props.AssumeRolePolicyDocument, r.stack).includes(p),
        ),
      );
    if (providers.length && deployRoles.length === 0) f.bad('no role trusts the GitHub OIDC provider');
    for (const role of deployRoles) {
      for (const s of statementsOf(role.props.AssumeRolePolicyDocument)) {
        const aud = conditionValues(s, 'StringEquals', `${GITHUB_OIDC_HOST}:aud`);
        const sub = conditionValues(s, 'StringEquals', `${GITHUB_OIDC_HOST}:sub`);
        f.check(
          aud.length === 1 && aud[0] === 'sts.amazonaws.com',
          'trust pins aud = sts.amazonaws.com',
          'trust does not pin the audience',
          role,
        );
        f.check(
          sub.length > 0 && sub.every((v) => typeof v === 'string' && !v.includes('*')),
          `trust pins sub = ${sub.map(String).join(', ')}`,
          'trust does not pin the repository and environment (sub) exactly',
          role,
        );
      }
      for (const { handle, statements } of policyDocuments(model)) {
        if (!rolesOfPolicy(model, handle).includes(role)) continue;
        for (const s of statements.filter((x) => x.effect === 'Allow')) {
          const resources = s.resources.map((r) => model.describe(r, handle.stack));
          f.check(
            s.actions.every((a) => a === 'sts:AssumeRole' || a === 'sts:TagSession') &&
              resources.every((r) => /:role\/cdk-[^*]+-\*-role-/.test(r)),
            `deploy role may only ${s.actions.join(', ')} on ${resources.join(', ')}`,
            `deploy role may ${s.actions.join(', ')} on ${resources.join(', ')} (only the CDK bootstrap roles are allowed)`,
            handle,
          );
        }
      }
    }
    for (const w of parseWorkflows(ctx.repository)) {
      const steps = w.jobs.flatMap((j) => j.steps);
      const keyed = steps.filter((s) =>
        Object.keys(s.with).some((k) => LONG_LIVED_KEY_INPUTS.includes(k.toLowerCase())),
      );
      if (keyed.length) f.bad(`${w.file} passes long-lived AWS keys`);
      else if (steps.some((s) => 'role-to-assume' in s.with))
        f.ok(`${w.file} authenticates with OIDC (role-to-assume, id-token: write)`);
    }
    for (const h of model.ofType('AWS::IAM::User', 'AWS::IAM::AccessKey'))
      f.bad(`${h.type}: long-lived credentials`, h);
    return f.conclude(
      'enforced',
      'CI/CD assumes a per-environment deploy role through GitHub OIDC; no access keys',
    );
  },
});
