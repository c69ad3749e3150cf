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
import type { DeploymentPlan, FixedName } from './plan';

/**
 * The preflight checks (ENV-4): read-only AWS calls with the caller's credentials that tell, before a
 * deploy, every precondition the account does not meet, each with its fix. Clients are injected, so the
 * checks run against mocked SDK clients in tests.
 */

export interface PreflightClients {
  readonly sts: Pick<STSClient, 'send'>;
  readonly ssm: Pick<SSMClient, 'send'>;
  readonly iam: Pick<IAMClient, 'send'>;
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
  readonly s3: Pick<S3Client, 'send'>;
  readonly logs: Pick<CloudWatchLogsClient, 'send'>;
  readonly sagemaker: Pick<SageMakerClient, 'send'>;
  readonly kms: Pick<KMSClient, 'send'>;
  readonly cloudtrail: Pick<CloudTrailClient, 'send'>;
  readonly macie: Pick<Macie2Client, 'send'>;
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly quotas: Pick<ServiceQuotasClient, 'send'>;
}

export interface CheckResult {
  /** What was checked, e.g. `bootstrap`, `name:AWS::S3::Bucket`. */
  readonly check: string;
  readonly ok: boolean;
  /** What was found. */
  readonly detail: string;
  /** What to do, for an unmet precondition. */
  readonly fix?: string;
}

const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** Lambda keeps at least this much concurrency unreserved in every account and region. */
export const LAMBDA_MINIMUM_UNRESERVED = 100;
/** The CDK bootstrap version the stacks need (DefaultStackSynthesizer with a lookup role). */
export const REQUIRED_BOOTSTRAP_VERSION = 6;

function errorName(error: unknown): string {
  return (error as { name?: string } | null)?.name ?? 'Error';
}

function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return (
    /NotFound|NoSuchEntity|NoSuch|ResourceNotFound|ParameterNotFound|TrailNotFound/.test(name) ||
    status === 404 ||
    // SageMaker (ValidationException) and CloudFormation (ValidationError) say "not found" in the message.
    (/^Validation(Exception|Error)$/.test(name) &&
      /not (be )?found|does not exist|Could not find/i.test(String((error as Error).message)))
  );
}

/** A check that could not run is reported as unmet: a deploy would meet the same refusal. */
function couldNotCheck(check: string, error: unknown, permission: string): CheckResult {
  return {
    check,
    ok: false,
    detail: `could not check (${errorName(error)})`,
    fix: `run the preflight with credentials that may call ${permission} in this account`,
  };
}

export async function checkCredentials(
  clients: PreflightClients,
  plan: DeploymentPlan,
): Promise<CheckResult> {
  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    const ok = identity.Account === plan.account;
    return {
      check: 'credentials',
      ok,
      detail: `caller ${identity.Arn ?? '?'} in account ${identity.Account ?? '?'}`,
      ...(ok
        ? {}
        : { fix: `use credentials for account ${plan.account} (environment ${plan.environmentName})` }),
    };
  } catch (error) {
    return {
      check: 'credentials',
      ok: false,
      detail: `no usable AWS credentials (${errorName(error)})`,
      fix: 'configure credentials for the environment account (AWS_PROFILE, or aws sso login)',
    };
  }
}

function bootstrapCommand(plan: DeploymentPlan): string {
  const trust = plan.toolingAccount ? ` --trust ${plan.toolingAccount}` : '';
  return (
    `npx cdk bootstrap aws://${plan.account}/${plan.region} --qualifier ${plan.qualifier}${trust} ` +
    '--cloudformation-execution-policies <reviewed policy ARN> (README, "First deploy of a new account")'
  );
}

export async function checkBootstrap(
  clients: PreflightClients,
  plan: DeploymentPlan,
): Promise<CheckResult[]> {
  const name = `/cdk-bootstrap/${plan.qualifier}/version`;
  let version: number;
  try {
    const out = await clients.ssm.send(new GetParameterCommand({ Name: name }));
    version = Number(out.Parameter?.Value);
  } catch (error) {
    if (!isNotFound(error)) return [couldNotCheck('bootstrap', error, 'ssm:GetParameter')];
    return [
      {
        check: 'bootstrap',
        ok: false,
        detail: `no CDK bootstrap with qualifier '${plan.qualifier}' in ${plan.region} (${name} is missing)`,
        fix: bootstrapCommand(plan),
      },
    ];
  }
  const results: CheckResult[] = [
    version >= REQUIRED_BOOTSTRAP_VERSION
      ? { check: 'bootstrap', ok: true, detail: `qualifier '${plan.qualifier}', version ${version}` }
      : {
          check: 'bootstrap',
          ok: false,
          detail: `bootstrap version ${version} is older than ${REQUIRED_BOOTSTRAP_VERSION}`,
          fix: bootstrapCommand(plan),
        },
  ];
  if (plan.toolingAccount) {
    const role = `cdk-${plan.qualifier}-deploy-role-${plan.account}-${plan.region}`;
    try {
      const out = await clients.iam.send(new GetRoleCommand({ RoleName: role }));
      const trust = decodeURIComponent(out.Role?.AssumeRolePolicyDocument ?? '');
      const trusted =
        trust.includes(`arn:aws:iam::${plan.toolingAccount}:root`) ||
        trust.includes(`"${plan.toolingAccount}"`);
      results.push(
        trusted
          ? {
              check: 'bootstrap trust',
              ok: true,
              detail: `${role} trusts the tooling account ${plan.toolingAccount}`,
            }
          : {
              check: 'bootstrap trust',
              ok: false,
              detail: `${role} does not trust the tooling account ${plan.toolingAccount}`,
              fix: `bootstrap again with --trust ${plan.toolingAccount}: ${bootstrapCommand(plan)}`,
            },
      );
    } catch (error) {
      results.push(
        isNotFound(error)
          ? {
              check: 'bootstrap trust',
              ok: false,
              detail: `the bootstrap deploy role ${role} does not exist`,
              fix: bootstrapCommand(plan),
            }
          : couldNotCheck('bootstrap trust', error, 'iam:GetRole'),
      );
    }
  }
  return results;
}

/** The physical resource ids each existing stack of the plan owns (absent: the stack does not exist). */
export async function ownedResources(
  clients: PreflightClients,
  stackNames: readonly string[],
): Promise<Map<string, Array<{ type: string; physicalId: string }>>> {
  const owned = new Map<string, Array<{ type: string; physicalId: string }>>();
  for (const stackName of stackNames) {
    try {
      const out = await clients.cloudformation.send(
        new DescribeStackResourcesCommand({ StackName: stackName }),
      );
      owned.set(
        stackName,
        (out.StackResources ?? []).map((r) => ({
          type: r.ResourceType ?? '',
          physicalId: r.PhysicalResourceId ?? '',
        })),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return owned;
}

/** How to tell whether a named resource exists, and how to remove a leftover one. */
interface NameProbe {
  readonly exists: (clients: PreflightClients, name: string) => Promise<boolean>;
  readonly remove: (name: string) => string;
  readonly permission: string;
}

const PROBES: Readonly<Record<string, NameProbe>> = {
  'AWS::S3::Bucket': {
    exists: async (c, name) => {
      try {
        await c.s3.send(new HeadBucketCommand({ Bucket: name }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        // 403: the name is taken, by this account without access or by another account.
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403)
          return true;
        throw error;
      }
    },
    remove: (name) =>
      `the bucket name is taken: if it is a leftover of this project, empty and delete it (aws s3 rb s3://${name}); otherwise change project.name`,
    permission: 's3:ListBucket',
  },
  'AWS::Logs::LogGroup': {
    exists: async (c, name) => {
      const out = await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
      return (out.logGroups ?? []).some((g) => g.logGroupName === name);
    },
    remove: (name) => `aws logs delete-log-group --log-group-name '${name}'`,
    permission: 'logs:DescribeLogGroups',
  },
  'AWS::SageMaker::ModelPackageGroup': {
    exists: async (c, name) => {
      try {
        await c.sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    remove: (name) =>
      `a group left by an earlier deploy: delete it if it holds no version you need (aws sagemaker delete-model-package-group --model-package-group-name ${name}), or import it into the stack (npx cdk import)`,
    permission: 'sagemaker:DescribeModelPackageGroup',
  },
  'AWS::SageMaker::Endpoint': {
    exists: async (c, name) => {
      try {
        await c.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    remove: (name) => `aws sagemaker delete-endpoint --endpoint-name ${name}`,
    permission: 'sagemaker:DescribeEndpoint',
  },
  'AWS::IAM::Role': {
    exists: async (c, name) => {
      try {
        await c.iam.send(new GetRoleCommand({ RoleName: name }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    remove: (name) => `detach its policies and delete it (aws iam delete-role --role-name ${name})`,
    permission: 'iam:GetRole',
  },
  'AWS::KMS::Alias': {
    exists: async (c, name) => {
      try {
        await c.kms.send(new DescribeKeyCommand({ KeyId: name }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    remove: (name) => `aws kms delete-alias --alias-name ${name}`,
    permission: 'kms:DescribeKey',
  },
  'AWS::SSM::Parameter': {
    exists: async (c, name) => {
      try {
        await c.ssm.send(new GetParameterCommand({ Name: name }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    remove: (name) => `aws ssm delete-parameter --name '${name}'`,
    permission: 'ssm:GetParameter',
  },
  'AWS::CloudTrail::Trail': {
    exists: async (c, name) => {
      try {
        await c.cloudtrail.send(new GetTrailCommand({ Name: name }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    remove: (name) => `aws cloudtrail delete-trail --name ${name}`,
    permission: 'cloudtrail:GetTrail',
  },
};

/** The types whose fixed names the preflight can probe with a read-only call. */
export const PROBED_TYPES: readonly string[] = Object.keys(PROBES);

/**
 * Every fixed name the stacks will create: one that exists already, outside the stack that would create it
 * (left over by a rolled-back or deleted deploy, or made by hand), makes that deploy fail "already exists".
 */
export async function checkFixedNames(
  clients: PreflightClients,
  plan: DeploymentPlan,
  owned: Map<string, Array<{ type: string; physicalId: string }>>,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const fixed of plan.fixedNames) {
    const probe = PROBES[fixed.type];
    if (!probe) continue;
    const check = `name ${fixed.type} ${fixed.name}`;
    let exists: boolean;
    try {
      exists = await probe.exists(clients, fixed.name);
    } catch (error) {
      results.push(couldNotCheck(check, error, probe.permission));
      continue;
    }
    if (!exists) {
      results.push({ check, ok: true, detail: 'free' });
    } else if (ownedBy(owned, fixed)) {
      results.push({ check, ok: true, detail: `exists, managed by stack ${fixed.stackName}` });
    } else {
      results.push({
        check,
        ok: false,
        detail: `exists, but not in stack ${fixed.stackName}: the deploy would fail with "already exists"`,
        fix: probe.remove(fixed.name),
      });
    }
  }
  return results;
}

function ownedBy(owned: Map<string, Array<{ type: string; physicalId: string }>>, fixed: FixedName): boolean {
  return (owned.get(fixed.stackName) ?? []).some(
    (r) => r.type === fixed.type && (r.physicalId === fixed.name || r.physicalId.endsWith(`/${fixed.name}`)),
  );
}

export async function checkMacie(clients: PreflightClients, plan: DeploymentPlan): Promise<CheckResult> {
  let enabled: boolean;
  try {
    const out = await clients.macie.send(new GetMacieSessionCommand({}));
    enabled = out.status === 'ENABLED' || out.status === 'PAUSED';
  } catch (error) {
    const disabled = /not enabled|isn't enabled/i.test(String((error as Error).message)) || isNotFound(error);
    if (!disabled) return couldNotCheck('macie', error, 'macie2:GetMacieSession');
    enabled = false;
  }
  const field = `environments.${plan.environmentName}.macie.enableInAccount`;
  const ownSession = (plan.owned.get(plan.macieStackName) ?? []).some(
    (r) => r.type === 'AWS::Macie::Session',
  );
  if (plan.macieEnableInAccount && enabled && !ownSession) {
    return {
      check: 'macie',
      ok: false,
      detail: 'Macie is already enabled in this account, and the configuration would enable it again',
      fix: `set ${field} to false (the classification job is created either way)`,
    };
  }
  if (!plan.macieEnableInAccount && !enabled) {
    return {
      check: 'macie',
      ok: false,
      detail:
        'Macie is not enabled, and the configuration does not enable it: the classification job needs it',
      fix: `set ${field} to true, or have the organisation's Macie administrator enable Macie in this account`,
    };
  }
  return {
    check: 'macie',
    ok: true,
    detail: `Macie ${enabled ? 'enabled' : 'not enabled yet'}; ${field} = ${plan.macieEnableInAccount}`,
  };
}

export async function checkGithubOidc(clients: PreflightClients, plan: DeploymentPlan): Promise<CheckResult> {
  let existing: string | undefined;
  try {
    const out = await clients.iam.send(new ListOpenIDConnectProvidersCommand({}));
    existing = (out.OpenIDConnectProviderList ?? [])
      .map((p) => p.Arn ?? '')
      .find((arn) => arn.endsWith(`oidc-provider/${GITHUB_OIDC_HOST}`));
    if (existing)
      await clients.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: existing }));
  } catch (error) {
    return couldNotCheck('github oidc', error, 'iam:ListOpenIDConnectProviders');
  }
  const field = `environments.${plan.environmentName}.cicd.githubOidcProvider`;
  const ownProvider = (plan.owned.get(plan.cicdStackName) ?? []).some((r) => r.physicalId === existing);
  if (plan.githubOidcProvider === 'create' && existing && !ownProvider) {
    return {
      check: 'github oidc',
      ok: false,
      detail: `the account already has GitHub's OIDC provider (${existing}); IAM allows one per issuer`,
      fix: `set ${field} to 'existing'`,
    };
  }
  if (plan.githubOidcProvider === 'existing' && !existing) {
    return {
      check: 'github oidc',
      ok: false,
      detail: 'the configuration uses an existing GitHub OIDC provider, and the account has none',
      fix: `set ${field} to 'create'`,
    };
  }
  return {
    check: 'github oidc',
    ok: true,
    detail: existing ? `provider ${existing}` : 'no provider yet; the Cicd stack creates it',
  };
}

export async function checkLambdaConcurrency(
  clients: PreflightClients,
  plan: DeploymentPlan,
): Promise<CheckResult> {
  try {
    const settings = await clients.lambda.send(new GetAccountSettingsCommand({}));
    const limit = settings.AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    // Functions of this environment that exist already hold part of what the plan asks for.
    let held = 0;
    for (const resources of plan.owned.values()) {
      for (const r of resources.filter((x) => x.type === 'AWS::Lambda::Function')) {
        const out = await clients.lambda.send(
          new GetFunctionConcurrencyCommand({ FunctionName: r.physicalId }),
        );
        held += out.ReservedConcurrentExecutions ?? 0;
      }
    }
    const left = unreserved + held - plan.reservedConcurrency;
    if (left >= LAMBDA_MINIMUM_UNRESERVED) {
      return {
        check: 'lambda concurrency',
        ok: true,
        detail: `the stacks reserve ${plan.reservedConcurrency} of ${limit}; ${left} stay unreserved`,
      };
    }
    const needed = limit - left + LAMBDA_MINIMUM_UNRESERVED;
    return {
      check: 'lambda concurrency',
      ok: false,
      detail: `the stacks reserve ${plan.reservedConcurrency}, leaving ${left} unreserved of ${limit}; Lambda keeps at least ${LAMBDA_MINIMUM_UNRESERVED} unreserved`,
      fix: `aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value ${needed}`,
    };
  } catch (error) {
    return couldNotCheck(
      'lambda concurrency',
      error,
      'lambda:GetAccountSettings, lambda:GetFunctionConcurrency',
    );
  }
}

export async function checkSageMakerQuota(
  clients: PreflightClients,
  plan: DeploymentPlan,
): Promise<CheckResult | undefined> {
  const need = plan.sagemakerInstances;
  if (!need) return undefined;
  const quotaName = `${need.instanceType} for endpoint usage`;
  try {
    let token: string | undefined;
    do {
      const out = await clients.quotas.send(
        new ListServiceQuotasCommand({ ServiceCode: 'sagemaker', NextToken: token }),
      );
      const quota = (out.Quotas ?? []).find((q) => q.QuotaName === quotaName);
      if (quota) {
        const value = quota.Value ?? 0;
        return value >= need.peak
          ? {
              check: 'sagemaker quota',
              ok: true,
              detail: `${quotaName}: ${value}, peak need ${need.peak} (${need.why})`,
            }
          : {
              check: 'sagemaker quota',
              ok: false,
              detail: `${quotaName} is ${value}; a blue/green update needs ${need.peak} (${need.why})`,
              fix: `aws service-quotas request-service-quota-increase --service-code sagemaker --quota-code ${quota.QuotaCode} --desired-value ${need.peak}`,
            };
      }
      token = out.NextToken;
    } while (token);
    return {
      check: 'sagemaker quota',
      ok: false,
      detail: `no quota '${quotaName}' in this region: the instance type may not be offered here`,
      fix: `choose a serving.instanceType SageMaker offers for endpoints in ${plan.region}`,
    };
  } catch (error) {
    return couldNotCheck('sagemaker quota', error, 'servicequotas:ListServiceQuotas');
  }
}

export async function checkNamedRoles(
  clients: PreflightClients,
  plan: DeploymentPlan,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { arn, field } of plan.namedRoles) {
    const name = arn.split(':role/')[1]?.split('/').pop() ?? arn;
    try {
      await clients.iam.send(new GetRoleCommand({ RoleName: name }));
      results.push({ check: `role ${arn}`, ok: true, detail: `exists (${field})` });
    } catch (error) {
      results.push(
        isNotFound(error)
          ? {
              check: `role ${arn}`,
              ok: false,
              detail: `does not exist: policies that name it would be refused (${field})`,
              fix: `create the role, or remove it from ${field}`,
            }
          : couldNotCheck(`role ${arn}`, error, 'iam:GetRole'),
      );
    }
  }
  return results;
}

/** Runs every check; the account is ready when every result is ok. */
export async function runPreflight(clients: PreflightClients, plan: DeploymentPlan): Promise<CheckResult[]> {
  const credentials = await checkCredentials(clients, plan);
  if (!credentials.ok) return [credentials];
  const owned = await ownedResources(clients, plan.stackNames);
  const withOwned: DeploymentPlan = { ...plan, owned };
  const quota = await checkSageMakerQuota(clients, withOwned);
  return [
    credentials,
    ...(await checkBootstrap(clients, withOwned)),
    ...(await checkFixedNames(clients, withOwned, owned)),
    await checkMacie(clients, withOwned),
    await checkGithubOidc(clients, withOwned),
    await checkLambdaConcurrency(clients, withOwned),
    ...(quota ? [quota] : []),
    ...(await checkNamedRoles(clients, withOwned)),
  ];
}

/** The report: one line per check, `✓` or `✗`, and the fix under each unmet one. */
export function formatPreflight(
  results: readonly CheckResult[],
  plan: Pick<DeploymentPlan, 'environmentName' | 'account' | 'region'>,
): string {
  const lines = [`preflight for ${plan.environmentName} (aws://${plan.account}/${plan.region})`];
  for (const r of results) {
    lines.push(`${r.ok ? '✓' : '✗'} ${r.check}: ${r.detail}`);
    if (!r.ok && r.fix) lines.push(`    fix: ${r.fix}`);
  }
  const unmet = results.filter((r) => !r.ok).length;
  lines.push(unmet === 0 ? 'ready to deploy' : `${unmet} unmet precondition(s): not ready to deploy`);
  return lines.join('\n');
}
