import { App, Aspects, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  NIST80053R5Checks,
  NagPack,
  WriteNagSuppressionsToCloudFormationAspect,
} from 'cdk-nag';
import { ProjectConfig, stageName } from './config';
import { ChurnControlsChecks } from './nag/churn-controls-pack';
import { EnvironmentStage } from './stages/environment-stage';

export interface ChurnAppProps {
  readonly config: ProjectConfig;
  readonly sourceCommit: string;
}

export interface ChurnApp {
  readonly stages: readonly EnvironmentStage[];
  readonly rulePacks: readonly NagPack[];
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
  return { stages, rulePacks };
}
