import { stageName } from '../../lib/config';
import { decide, EnvironmentPolicies, type AccessRequest, type Decision } from '../helpers/access';
import { buildTestApp, exampleConfig } from '../helpers/app';
import { CfnEnvironment } from '../helpers/cfn-environment';

/**
 * The calls AWS documents for each integration the stacks rely on, evaluated against the synthesized
 * policies with the request context the calling service sends. One row per call, one test per row and
 * environment; negative rows prove what must stay denied.
 */

const config = exampleConfig();
const testApp = buildTestApp(config);
const environments = new Map(
  config.environments.map((env) => [
    env.name,
    new EnvironmentPolicies(new CfnEnvironment(testApp.stage(stageName(env.name)))),
  ]),
);

interface Row {
  /** What the row proves, with the control id where one applies. */
  readonly call: string;
  readonly expected: Decision;
  readonly request: (p: EnvironmentPolicies, ctx: RowContext) => AccessRequest;
}

interface RowContext {
  readonly account: string;
  readonly region: string;
  readonly project: string;
  readonly env: string;
}

const OTHER_ACCOUNT = '999999999999';

const trailArn = (c: RowContext, account = c.account) =>
  `arn:aws:cloudtrail:${c.region}:${account}:trail/${c.project}-${c.env}-audit`;
const logsKey = (p: EnvironmentPolicies, c: RowContext) => p.key(`${c.project}/${c.env}/logs`);

export const ROWS: readonly Row[] = [
  {
    call: 'AUD-1 CloudTrail describes the logs key when the trail is created (no encryption context)',
    expected: 'Allowed',
    request: (p, c) => ({
      principal: 'cloudtrail.amazonaws.com',
      action: 'kms:DescribeKey',
      resource: logsKey(p, c).arn,
      resourcePolicy: logsKey(p, c).policy,
      context: { 'aws:SourceArn': trailArn(c), 'aws:SourceAccount': c.account },
    }),
  },
  {
    call: "AUD-1 CloudTrail generates a data key for a log file with the trail's encryption context",
    expected: 'Allowed',
    request: (p, c) => ({
      principal: 'cloudtrail.amazonaws.com',
      action: 'kms:GenerateDataKey',
      resource: logsKey(p, c).arn,
      resourcePolicy: logsKey(p, c).policy,
      context: {
        'aws:SourceArn': trailArn(c),
        'aws:SourceAccount': c.account,
        'kms:EncryptionContext:aws:cloudtrail:arn': trailArn(c),
        'kms:EncryptionContextKeys': ['aws:cloudtrail:arn', 'aws:s3:arn'],
      },
    }),
  },
  {
    call: "negative: another account's trail cannot describe or use the logs key (confused deputy)",
    expected: 'ImplicitlyDenied',
    request: (p, c) => ({
      principal: 'cloudtrail.amazonaws.com',
      action: 'kms:DescribeKey',
      resource: logsKey(p, c).arn,
      resourcePolicy: logsKey(p, c).policy,
      context: { 'aws:SourceArn': trailArn(c, OTHER_ACCOUNT), 'aws:SourceAccount': OTHER_ACCOUNT },
    }),
  },
  {
    call: 'NET-2 the custom-resource framework waits for its handler through the Lambda endpoint (GetFunction)',
    expected: 'Allowed',
    request: (p, c) => frameworkLambdaCall(p, c, 'lambda:GetFunction'),
  },
  {
    call: 'NET-2 the custom-resource framework invokes its handler through the Lambda endpoint',
    expected: 'Allowed',
    request: (p, c) => frameworkLambdaCall(p, c, 'lambda:InvokeFunction'),
  },
];

/** The model gate's framework function calling the Lambda API for its handler, from inside the VPC. */
function frameworkLambdaCall(p: EnvironmentPolicies, c: RowContext, action: string): AccessRequest {
  const role = p.role('Serving/Gate/Provider/FrameworkRole/Resource');
  const handler = p.env.byPath('Serving/Gate/Provider/Handler/Function/Resource');
  const endpoint = p.endpointPolicy('lambda');
  return {
    principal: role.arn,
    action,
    resource: String(p.env.resolve({ 'Fn::GetAtt': [handler.logicalId, 'Arn'] }, handler.stack)),
    identityPolicies: role.policies,
    endpointPolicies: [endpoint.policy],
    context: {
      'aws:SourceVpce': endpoint.id,
      'aws:PrincipalAccount': c.account,
      'aws:PrincipalArn': role.arn,
    },
  };
}

describe.each(config.environments.map((e) => [e.name, e] as const))('%s', (name, env) => {
  const policies = environments.get(name)!;
  const ctx: RowContext = {
    account: env.account,
    region: env.region,
    project: config.project.name,
    env: name,
  };
  test.each(ROWS.map((row) => [row.call, row] as const))('%s', async (_call, row) => {
    expect(await decide(row.request(policies, ctx), env.account)).toBe(row.expected);
  });
});
