import { defineControl, Findings, notApplicable } from '../control';
import { list, str } from '../template-readers';

export const MODEL_5 = defineControl({
  id: 'MODEL-5',
  implementedBy: [{ name: 'InferenceEndpoint', file: 'lib/constructs/inference-endpoint.ts' }],
  provenBy: [
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: 'MODEL-5: safe rollout blue/green with a canary of the configured size and wait, and the wait as bake time',
    },
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: 'MODEL-5: safe rollout automatic rollback on the four alarms the construct creates, each of which also alerts',
    },
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: 'MODEL-5: shadow variant prod shadows the configured candidate through its own gate resource and model',
    },
  ],
  rules: ['ChurnControls-SageMakerEndpointAutoRollback'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const endpoints = model.ofType('AWS::SageMaker::Endpoint');
    if (endpoints.length === 0) {
      if (ctx.servingMode === 'embedded') {
        return notApplicable(
          `${model.name} has no SageMaker endpoint (serving.mode = embedded); a new model version rolls out with the function deployment`,
          'serving.mode = embedded in the configuration',
        );
      }
      f.bad('no SageMaker endpoint in the templates (the serving stack is not synthesized)');
    }
    for (const e of endpoints) {
      const dc = e.props.DeploymentConfig as
        | {
            BlueGreenUpdatePolicy?: { TrafficRoutingConfiguration?: { Type?: string } };
            AutoRollbackConfiguration?: { Alarms?: unknown[] };
          }
        | undefined;
      const type = dc?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type;
      f.check(
        type === 'CANARY' || type === 'LINEAR',
        `blue/green with ${str(type)} traffic shifting`,
        `no canary or linear blue/green policy (${str(type)})`,
        e,
      );
      const alarms = list(dc?.AutoRollbackConfiguration?.Alarms);
      f.check(
        alarms.length > 0,
        `automatic rollback on ${alarms.length} alarm(s): ${model.describe(alarms, e.stack)}`,
        'no auto-rollback alarms',
        e,
      );
    }
    for (const c of model.ofType('AWS::SageMaker::EndpointConfig')) {
      const shadow = list(c.props.ShadowProductionVariants);
      if (shadow.length) f.ok(`${shadow.length} shadow variant(s) receive a copy of live traffic`, c);
    }
    return f.conclude('enforced', 'blue/green rollout with automatic rollback on alarms');
  },
});
