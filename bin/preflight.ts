#!/usr/bin/env node
/**
 * `npm run preflight -- --env <name> [--config <file>]`: checks, with read-only AWS calls and the caller's
 * credentials, that the environment's account is ready for a deploy, and prints each unmet precondition
 * with its fix (ENV-4). Exit code 0 when ready, 1 when not, 2 for bad usage.
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Macie2Client } from '@aws-sdk/client-macie2';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { loadConfig, resolveConfigPath } from '../lib/config';
import { planFromApp } from '../lib/preflight/plan-from-app';
import { formatPreflight, runPreflight, type PreflightClients } from '../src/preflight/checks';

export const PREFLIGHT_USAGE = `usage: npm run preflight -- --env <dev|test|prod> [--config <file>]

Checks the environment's AWS account before a deploy, with read-only calls and your credentials:
the CDK bootstrap (qualifier, trust of the tooling account), resources that already exist under the
stacks' fixed names, Macie versus macie.enableInAccount, an existing GitHub OIDC provider, the Lambda
concurrency quota against the reserved concurrency of the stacks, the SageMaker instance quota for a
blue/green update, and every role the configuration names. Prints each unmet precondition with its
fix. Exit code 0 when ready, 1 when not, 2 for bad usage.
The configuration is --config, else CHURN_CONFIG, else config/example.json.`;

export function clientsFor(region: string): PreflightClients {
  const options = { region };
  return {
    sts: new STSClient(options),
    ssm: new SSMClient(options),
    iam: new IAMClient(options),
    cloudformation: new CloudFormationClient(options),
    s3: new S3Client(options),
    logs: new CloudWatchLogsClient(options),
    sagemaker: new SageMakerClient(options),
    kms: new KMSClient(options),
    cloudtrail: new CloudTrailClient(options),
    macie: new Macie2Client(options),
    lambda: new LambdaClient(options),
    quotas: new ServiceQuotasClient(options),
  };
}

export async function runPreflightCli(
  argv: readonly string[],
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
  clients: (region: string) => PreflightClients = clientsFor,
): Promise<number> {
  let values: { env?: string; config?: string; help?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: { env: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n${PREFLIGHT_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(PREFLIGHT_USAGE);
    return 0;
  }
  if (!values.env) {
    io.stderr(`error: --env is required\n${PREFLIGHT_USAGE}`);
    return 2;
  }
  let plan;
  try {
    plan = planFromApp(loadConfig(resolveConfigPath(values.config)), values.env);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}`);
    return 2;
  }
  const results = await runPreflight(clients(plan.region), plan);
  io.stdout(formatPreflight(results, plan));
  return results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) {
  void runPreflightCli(process.argv.slice(2), {
    stdout: (text) => console.log(text),
    stderr: (text) => console.error(text),
  }).then((code) => {
    process.exitCode = code;
  });
}
