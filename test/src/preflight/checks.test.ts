import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, GetTrailCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { GetMacieSessionCommand, Macie2Client } from '@aws-sdk/client-macie2';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeModelPackageGroupCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { runPreflightCli } from '../../../bin/preflight';
import { planFromApp } from '../../../lib/preflight/plan-from-app';
import { formatPreflight, runPreflight, type PreflightClients } from '../../../src/preflight/checks';
import type { DeploymentPlan } from '../../../src/preflight/plan';
import { exampleConfig } from '../../helpers/app';

/** ENV-4: the preflight, every AWS call mocked; each unmet precondition is reported with its fix. */

const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const iam = mockClient(IAMClient);
const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const logs = mockClient(CloudWatchLogsClient);
const sagemaker = mockClient(SageMakerClient);
const kms = mockClient(KMSClient);
const cloudtrail = mockClient(CloudTrailClient);
const macie = mockClient(Macie2Client);
const lambda = mockClient(LambdaClient);
const quotas = mockClient(ServiceQuotasClient);
const mocks = [sts, ssm, iam, cfn, s3, logs, sagemaker, kms, cloudtrail, macie, lambda, quotas];

const clients: PreflightClients = {
  sts: new STSClient({}),
  ssm: new SSMClient({}),
  iam: new IAMClient({}),
  cloudformation: new CloudFormationClient({}),
  s3: new S3Client({}),
  logs: new CloudWatchLogsClient({}),
  sagemaker: new SageMakerClient({}),
  kms: new KMSClient({}),
  cloudtrail: new CloudTrailClient({}),
  macie: new Macie2Client({}),
  lambda: new LambdaClient({}),
  quotas: new ServiceQuotasClient({}),
};

const config = exampleConfig();
const prodPlan = planFromApp(config, 'prod');
const ACCOUNT = '333333333333';

function awsError(name: string, message = name, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/** A fresh, bootstrapped account that meets every precondition of prod. */
function readyAccount(): void {
  for (const m of mocks) m.reset();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/me` });
  // A generic answer first, the specific ones after it: the mock prefers the latest matching definition.
  ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
  ssm
    .on(GetParameterCommand, { Name: '/cdk-bootstrap/hnb659fds/version' })
    .resolves({ Parameter: { Value: '27' } });
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'r',
      Path: '/',
      RoleId: 'id',
      Arn: 'arn',
      CreateDate: new Date(),
      AssumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify({ Statement: [{ Principal: { AWS: 'arn:aws:iam::444444444444:root' } }] }),
      ),
    },
  });
  iam
    .on(GetRoleCommand, { RoleName: 'churn-prod-github-deploy' })
    .rejects(awsError('NoSuchEntityException', 'no', 404));
  iam
    .on(GetRoleCommand, { RoleName: 'churn-prod-model-execution' })
    .rejects(awsError('NoSuchEntityException', 'no', 404));
  iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [] });
  cfn
    .on(DescribeStackResourcesCommand)
    .rejects(awsError('ValidationError', 'Stack with id x does not exist'));
  s3.on(HeadBucketCommand).rejects(awsError('NotFound', 'NotFound', 404));
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
  sagemaker
    .on(DescribeModelPackageGroupCommand)
    .rejects(awsError('ValidationException', 'Model Package Group does not exist'));
  sagemaker.on(DescribeEndpointCommand).rejects(awsError('ValidationException', 'Could not find endpoint'));
  kms.on(DescribeKeyCommand).rejects(awsError('NotFoundException', 'Alias is not found', 400));
  cloudtrail.on(GetTrailCommand).rejects(awsError('TrailNotFoundException'));
  macie.on(GetMacieSessionCommand).rejects(awsError('AccessDeniedException', 'Macie is not enabled', 403));
  lambda.on(GetAccountSettingsCommand).resolves({
    AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 },
  });
  quotas.on(ListServiceQuotasCommand).resolves({
    Quotas: [{ QuotaName: 'ml.m5.xlarge for endpoint usage', QuotaCode: 'L-2F737F8D', Value: 20 }],
  });
}

beforeEach(readyAccount);

async function unmet(plan: DeploymentPlan = prodPlan): Promise<string[]> {
  return (await runPreflight(clients, plan)).filter((r) => !r.ok).map((r) => `${r.check}: ${r.fix}`);
}

describe('the plan read from the app (ENV-4)', () => {
  test('names every fixed-name resource of prod with its stack, and the reserved concurrency', () => {
    const names = prodPlan.fixedNames.map((f) => `${f.stackName} ${f.type} ${f.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'Prod-Data AWS::S3::Bucket churn-prod-model-333333333333-eu-west-1',
        'Prod-Data AWS::SageMaker::ModelPackageGroup churn-prod',
        'Prod-Endpoint AWS::Logs::LogGroup /aws/sagemaker/Endpoints/churn-prod',
        'Prod-Endpoint AWS::SageMaker::Endpoint churn-prod',
        'Prod-Audit AWS::CloudTrail::Trail churn-prod-audit',
        'Prod-Keys AWS::KMS::Alias alias/churn/prod/logs',
        'Prod-Serving AWS::SSM::Parameter /churn/prod/served-model/version',
      ]),
    );
    expect(prodPlan.reservedConcurrency).toBeGreaterThan(10);
    expect(prodPlan.sagemakerInstances).toEqual({
      instanceType: 'ml.m5.xlarge',
      peak: 16,
      why: "old and new fleet of up to 6, plus the shadow variant's 2 twice",
    });
  });
});

describe('preflight checks (ENV-4)', () => {
  test('a ready account passes every check, and the CLI exits 0', async () => {
    expect(await unmet()).toEqual([]);
    const out: string[] = [];
    const code = await runPreflightCli(
      ['--env', 'prod'],
      { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
      () => clients,
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('ready to deploy');
  });

  test('no bootstrap: names the bootstrap command with the qualifier and the tooling account to trust', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/cdk-bootstrap/hnb659fds/version' })
      .rejects(awsError('ParameterNotFound'));
    const [problem] = await unmet();
    expect(problem).toMatch(
      /^bootstrap: npx cdk bootstrap aws:\/\/333333333333\/eu-west-1 --qualifier hnb659fds --trust 444444444444 /,
    );
  });

  test('a bootstrap that does not trust the tooling account is unmet', async () => {
    iam.on(GetRoleCommand, { RoleName: 'cdk-hnb659fds-deploy-role-333333333333-eu-west-1' }).resolves({
      Role: {
        RoleName: 'x',
        Path: '/',
        RoleId: 'i',
        Arn: 'a',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: '{}',
      },
    });
    expect(await unmet()).toEqual([
      expect.stringMatching(/^bootstrap trust: bootstrap again with --trust 444444444444/),
    ]);
  });

  test('leftovers under fixed names outside their stack are each reported with how to remove them', async () => {
    sagemaker.on(DescribeModelPackageGroupCommand).resolves({ ModelPackageGroupName: 'churn-prod' });
    logs
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/aws/sagemaker/Endpoints/churn-prod' })
      .resolves({
        logGroups: [{ logGroupName: '/aws/sagemaker/Endpoints/churn-prod' }],
      });
    expect(await unmet()).toEqual([
      expect.stringMatching(
        /^name AWS::SageMaker::ModelPackageGroup churn-prod: .*delete-model-package-group/,
      ),
      "name AWS::Logs::LogGroup /aws/sagemaker/Endpoints/churn-prod: aws logs delete-log-group --log-group-name '/aws/sagemaker/Endpoints/churn-prod'",
    ]);
  });

  test('a name that exists inside the stack that creates it (a redeploy) is no collision', async () => {
    sagemaker.on(DescribeModelPackageGroupCommand).resolves({ ModelPackageGroupName: 'churn-prod' });
    cfn.on(DescribeStackResourcesCommand, { StackName: 'Prod-Data' }).resolves({
      StackResources: [
        {
          ResourceType: 'AWS::SageMaker::ModelPackageGroup',
          PhysicalResourceId: `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:model-package-group/churn-prod`,
          LogicalResourceId: 'R',
          ResourceStatus: 'CREATE_COMPLETE',
          Timestamp: new Date(),
        },
      ],
    });
    expect(await unmet()).toEqual([]);
  });

  test('Macie enabled already while the configuration enables it: set enableInAccount false', async () => {
    macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
    expect(await unmet()).toEqual([
      'macie: set environments.prod.macie.enableInAccount to false (the classification job is created either way)',
    ]);
  });

  test("an existing GitHub OIDC provider while the configuration creates one: set 'existing'", async () => {
    iam.on(ListOpenIDConnectProvidersCommand).resolves({
      OpenIDConnectProviderList: [
        { Arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
      ],
    });
    iam.on(GetOpenIDConnectProviderCommand).resolves({ Url: 'token.actions.githubusercontent.com' });
    expect(await unmet()).toEqual([
      "github oidc: set environments.prod.cicd.githubOidcProvider to 'existing'",
    ]);
  });

  test("a new account's Lambda concurrency quota of 10 cannot hold the reservations: names the quota increase", async () => {
    lambda.on(GetAccountSettingsCommand).resolves({
      AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 },
    });
    const needed = 10 - (10 - prodPlan.reservedConcurrency) + 100;
    expect(await unmet()).toEqual([
      `lambda concurrency: aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value ${needed}`,
    ]);
  });

  test('functions the environment already has give back their own reservations', async () => {
    lambda.on(GetAccountSettingsCommand).resolves({
      AccountLimit: {
        ConcurrentExecutions: 150,
        UnreservedConcurrentExecutions: 150 - prodPlan.reservedConcurrency,
      },
    });
    cfn.on(DescribeStackResourcesCommand, { StackName: 'Prod-Api' }).resolves({
      StackResources: [
        {
          ResourceType: 'AWS::Lambda::Function',
          PhysicalResourceId: 'fn',
          LogicalResourceId: 'F',
          ResourceStatus: 'CREATE_COMPLETE',
          Timestamp: new Date(),
        },
      ],
    });
    lambda
      .on(GetFunctionConcurrencyCommand)
      .resolves({ ReservedConcurrentExecutions: prodPlan.reservedConcurrency });
    expect(await unmet()).toEqual([]);
  });

  test('a SageMaker endpoint quota below the blue/green peak is unmet, with the quota code', async () => {
    quotas.on(ListServiceQuotasCommand).resolves({
      Quotas: [{ QuotaName: 'ml.m5.xlarge for endpoint usage', QuotaCode: 'L-2F737F8D', Value: 4 }],
    });
    expect(await unmet()).toEqual([
      'sagemaker quota: aws service-quotas request-service-quota-increase --service-code sagemaker --quota-code L-2F737F8D --desired-value 16',
    ]);
  });

  test('a named role that does not exist is unmet, naming the configuration field', async () => {
    iam
      .on(GetRoleCommand, { RoleName: 'churn-api-client' })
      .rejects(awsError('NoSuchEntityException', 'no', 404));
    expect(await unmet()).toEqual([
      'role arn:aws:iam::333333333333:role/churn-api-client: create the role, or remove it from environments.prod.api.allowedPrincipalArns[0]',
    ]);
  });

  test('credentials for another account stop the preflight at once; the CLI exits 1 and prints the fix', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:x' });
    const out: string[] = [];
    const code = await runPreflightCli(
      ['--env', 'prod'],
      { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
      () => clients,
    );
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('fix: use credentials for account 333333333333 (environment prod)');
    expect(ssm.calls()).toHaveLength(0);
  });

  test('a check the caller may not run is unmet rather than silently passed', async () => {
    lambda.on(GetAccountSettingsCommand).rejects(awsError('AccessDeniedException', 'denied', 403));
    expect(await unmet()).toEqual([
      'lambda concurrency: run the preflight with credentials that may call lambda:GetAccountSettings, lambda:GetFunctionConcurrency in this account',
    ]);
  });

  test('bad usage exits 2 with the usage text', async () => {
    const err: string[] = [];
    expect(
      await runPreflightCli([], { stdout: () => undefined, stderr: (t) => err.push(t) }, () => clients),
    ).toBe(2);
    expect(err.join('')).toContain('--env is required');
    expect(
      await runPreflightCli(
        ['--env', 'staging'],
        { stdout: () => undefined, stderr: (t) => err.push(t) },
        () => clients,
      ),
    ).toBe(2);
    expect(err.join('')).toContain("--env 'staging' is not an environment");
  });

  test('the report marks each check and ends with the verdict', () => {
    const text = formatPreflight(
      [
        { check: 'bootstrap', ok: true, detail: 'version 27' },
        { check: 'macie', ok: false, detail: 'enabled twice', fix: 'set it false' },
      ],
      prodPlan,
    );
    expect(text.split('\n')).toEqual([
      'preflight for prod (aws://333333333333/eu-west-1)',
      '✓ bootstrap: version 27',
      '✗ macie: enabled twice',
      '    fix: set it false',
      '1 unmet precondition(s): not ready to deploy',
    ]);
  });
});
