import { MODEL_5 } from '../../../../../lib/compliance/controls/model/model-5-safe-rollout';
import { changed, context, describeControl, environment, ref, Resources } from '../harness';

const resources: Resources = {
  Endpoint: {
    Type: 'AWS::SageMaker::Endpoint',
    Properties: {
      EndpointConfigName: 'c',
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'CANARY',
            CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
          },
        },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: ref('Errors') }] },
      },
    },
  },
  Config: {
    Type: 'AWS::SageMaker::EndpointConfig',
    Properties: { ShadowProductionVariants: [{ VariantName: 'shadow' }] },
  },
};
const ctx = (r: Resources) => () =>
  context(environment({ stacks: { Serving: r } }), { servingMode: 'sagemaker' });
const deployment = (r: Resources) =>
  r.Endpoint.Properties!.DeploymentConfig as Record<string, Record<string, unknown>>;

describeControl(MODEL_5, {
  compliant: [
    {
      name: 'blue/green canary with rollback alarms and a shadow variant',
      context: ctx(resources),
      evidence: [
        'blue/green with CANARY traffic shifting',
        '1 shadow variant(s) receive a copy of live traffic',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'all traffic shifted at once',
      context: ctx(
        changed(
          resources,
          (r) => (deployment(r).BlueGreenUpdatePolicy.TrafficRoutingConfiguration = { Type: 'ALL_AT_ONCE' }),
        ),
      ),
      problem: 'no canary or linear blue/green policy (ALL_AT_ONCE)',
    },
    {
      name: 'no rollback alarms',
      context: ctx(changed(resources, (r) => delete deployment(r).AutoRollbackConfiguration)),
      problem: 'no auto-rollback alarms',
    },
  ],
});
