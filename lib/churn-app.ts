import { App, Aspects, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  NIST80053R5Checks,
  NagPack,
  WriteNagSuppressionsToCloudFormationAspect,
} from 'cdk-nag';
import { ENVIRONMENT_NAMES, ProjectConfig, stageName, TOOLING_STACK_ID } from './config';
import { githubRepositoryFrom } from './constructs/github-oidc-deploy-role';
import { ChurnControlsChecks } from './nag/churn-controls-pack';
import { ToolingStack } from './stacks/tooling-stack';
import { EnvironmentStage, tagProjectResources } from './stages/environment-stage';

export interface ChurnAppProps {
  readonly config: ProjectConfig;
  readonly sourceCommit: string;
}

export interface ChurnApp {
  readonly stages: readonly EnvironmentStage[];
  readonly rulePacks: readonly NagPack[];
  /** The tooling account's stack (SEC-5), when the configuration names a tooling account. */
  readonly tooling?: ToolingStack;
}

/**
 * Builds one stage per environment and registers the rule packs (AUD-2) on the whole app, so no
 * environment can be synthesised without them. Acknowledged rules are written into template
 * metadata, where reviewers and the compliance report read them.
 */
export function buildChurnApp(app: App, props: ChurnAppProps): ChurnApp {
  const rulePacks: NagPack[] = [
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
    new NIST80053R5Checks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
    // The project's own controls (SageMaker, Object Lock with MFA, WAF, VPC placement): lib/nag.
    new ChurnControlsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  ];
  Validations.of(app).addPlugins(...rulePacks);
  const stages = props.config.environments.map(
    (environment) =>
      new EnvironmentStage(app, stageName(environment.name), {
        project: props.config.project,
        environment,
        sourceCommit: props.sourceCommit,
      }),
  );
  // Aspects do not cross Stage boundaries, so the pack's own app-level aspect never reaches the
  // templates; each stage gets its own.
  for (const stage of stages) Aspects.of(stage).add(new WriteNagSuppressionsToCloudFormationAspect());
  const tooling = props.config.tooling
    ? buildToolingStack(
        app,
        props.config as ProjectConfig & { tooling: NonNullable<ProjectConfig['tooling']> },
        props.sourceCommit,
      )
    : undefined;
  return { stages, rulePacks, ...(tooling ? { tooling } : {}) };
}

/**
 * The tooling account is not an environment (no workload, no stage of its own): one top-level stack,
 * deployed by `cdk deploy Tooling`, checked by the same rule packs and tagged like the stages (ENV-3).
 */
function buildToolingStack(
  app: App,
  config: ProjectConfig & { tooling: NonNullable<ProjectConfig['tooling']> },
  sourceCommit: string,
): ToolingStack {
  const stack = new ToolingStack(app, TOOLING_STACK_ID, {
    env: { account: config.tooling.account, region: config.tooling.region },
    description: `${config.project.name} tooling: private package repository and the GitHub CI role`,
    // Every pipeline depends on it: deleting it stops all installs.
    terminationProtection: true,
    project: config.project,
    tooling: config.tooling,
    githubRepository: githubRepositoryFrom(app),
    githubEnvironments: ENVIRONMENT_NAMES.filter((name) => config.environments.some((e) => e.name === name)),
  });
  tagProjectResources(stack, config.project, 'tooling', sourceCommit);
  return stack;
}
