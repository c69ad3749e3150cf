import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildChurnApp, ChurnApp } from '../../lib/churn-app';
import { EXAMPLE_CONFIG_PATH, loadConfig, ProjectConfig } from '../../lib/config';
import { EnvironmentStage } from '../../lib/stages/environment-stage';
// The same feature flags `cdk synth` uses, so tests see the templates users deploy.
import cdkJson from '../../cdk.json';

export const TEST_COMMIT = '0123456789abcdef0123456789abcdef01234567';

export function exampleConfig(): ProjectConfig {
  return loadConfig(EXAMPLE_CONFIG_PATH);
}

export interface TestApp extends ChurnApp {
  readonly app: App;
  stage(name: string): EnvironmentStage;
}

/** Builds the app from a configuration with Lambda bundling switched off (esbuild stays out of unit tests). */
export function buildTestApp(config: ProjectConfig = exampleConfig()): TestApp {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const built = buildChurnApp(app, { config, sourceCommit: TEST_COMMIT });
  return {
    app,
    ...built,
    stage(name: string) {
      const found = built.stages.find((s) => s.stageName === name);
      if (!found) throw new Error(`no stage ${name}`);
      return found;
    },
  };
}

export function stacksOf(stage: Stage): Stack[] {
  return stage.node.children.filter((c): c is Stack => Stack.isStack(c));
}

/** Every stack template of every stage, labelled `Stage/Stack` for failure messages. */
export function allTemplates(testApp: TestApp): Array<{ label: string; stack: Stack; template: Template }> {
  return testApp.stages.flatMap((stage) =>
    stacksOf(stage).map((stack) => ({
      label: `${stage.stageName}/${stack.node.id}`,
      stack,
      template: Template.fromStack(stack),
    })),
  );
}

export type CfnResource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  Condition?: string;
  Metadata?: Record<string, unknown>;
};

export function resourcesOfType(template: Template, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.toJSON().Resources as Record<string, CfnResource>).filter(
    ([, r]) => r.Type === type,
  );
}

/** Deep copy of a configuration with one environment changed, for validation tests. */
export function rawExampleConfig(): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return JSON.parse(JSON.stringify(require('../../config/example.json')));
}
