import { App, CfnResource, Stack, Token } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { DeploymentPlan, FixedName } from '../../src/preflight/plan';
import { buildChurnApp } from '../churn-app';
import { ProjectConfig, stageName } from '../config';
import { fixedNameOf } from '../nag/rules/retry-safe-fixed-names';

/**
 * The deployment plan of one environment, read from the app built in process exactly as `cdk synth` builds
 * it (Lambda bundling off: only names and settings are needed), so the preflight checks the names and
 * numbers the stacks will really use.
 */
export function planFromApp(config: ProjectConfig, environmentName: string): DeploymentPlan {
  const env = config.environments.find((e) => e.name === environmentName);
  if (!env) {
    throw new Error(
      `--env '${environmentName}' is not an environment of the configuration (${config.environments.map((e) => e.name).join(', ')})`,
    );
  }
  // The feature flags of cdk.json, as `cdk synth` applies them, so the names are the ones it produces.
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], deployNonce: 'preflight' },
  });
  const { stages } = buildChurnApp(app, { config, sourceCommit: 'preflight' });
  const stage = stages.find((s) => s.stageName === stageName(env.name))!;
  const stacks = stage.node.children.filter((c): c is Stack => Stack.isStack(c));

  const fixedNames: FixedName[] = [];
  let reservedConcurrency = 0;
  for (const stack of stacks) {
    for (const node of stack.node.findAll()) {
      if (!(node instanceof CfnResource)) continue;
      const property = fixedNameOf(node);
      if (property) {
        const camel = `${property.charAt(0).toLowerCase()}${property.slice(1)}`;
        const value = stack.resolve((node as unknown as Record<string, unknown>)[camel]);
        // Names built from other resources' attributes are not known before the deploy, nor fixed.
        if (typeof value === 'string' && !Token.isUnresolved(value)) {
          fixedNames.push({ stackName: stack.stackName, type: node.cfnResourceType, name: value });
        }
      }
      if (node instanceof lambda.CfnFunction) {
        const reserved = stack.resolve(node.reservedConcurrentExecutions);
        if (typeof reserved === 'number') reservedConcurrency += reserved;
      }
    }
  }

  const serving = env.serving;
  const shadow = serving.mode === 'sagemaker' && serving.shadowModelVersion !== undefined;
  return {
    environmentName: env.name,
    account: env.account,
    region: env.region,
    qualifier: config.project.cdkQualifier,
    ...(config.tooling ? { toolingAccount: config.tooling.account } : {}),
    stackNames: stacks.map((s) => s.stackName),
    fixedNames,
    reservedConcurrency,
    ...(serving.mode === 'sagemaker'
      ? {
          sagemakerInstances: {
            instanceType: serving.instanceType,
            // Blue/green creates the new fleet beside the old one, at the size the old one has scaled to.
            peak: 2 * serving.maxInstanceCount + (shadow ? 2 * serving.instanceCount : 0),
            why: `old and new fleet of up to ${serving.maxInstanceCount}${shadow ? `, plus the shadow variant's ${serving.instanceCount} twice` : ''}`,
          },
        }
      : {}),
    macieEnableInAccount: env.macie.enableInAccount,
    macieStackName: stage.dataProtection.stackName,
    cicdStackName: stage.cicd.stackName,
    githubOidcProvider: env.cicd.githubOidcProvider,
    namedRoles: [
      ...env.trustedRoleArns.map((arn, i) => ({
        arn,
        field: `environments.${env.name}.trustedRoleArns[${i}]`,
      })),
      ...env.api.allowedPrincipalArns.map((arn, i) => ({
        arn,
        field: `environments.${env.name}.api.allowedPrincipalArns[${i}]`,
      })),
    ],
    owned: new Map(),
  };
}
