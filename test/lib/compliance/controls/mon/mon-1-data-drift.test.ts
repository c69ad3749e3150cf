import { MON_1 } from '../../../../../lib/compliance/controls/mon/mon-1-data-drift';
import { alarm, lambdaFunction } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, Resources } from '../harness';

const resources: Resources = {
  Check: lambdaFunction({ Description: 'Scheduled drift check of captured inference data' }),
  Schedule: {
    Type: 'AWS::Events::Rule',
    Properties: {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [{ Arn: getAtt('Check', 'Arn'), Id: 'check' }],
    },
  },
  FeatureDrift: alarm('DriftedFeatures'),
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Monitoring: r } }));

describeControl(MON_1, {
  compliant: [
    {
      name: 'a scheduled drift check and an alarm on drifted features',
      context: ctx(resources),
      evidence: [
        /^rate\(1 hour\) runs Prod\/Monitoring\/Check/,
        'drift alarm Prod/Monitoring/FeatureDrift on DriftedFeatures',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'the drift check runs on no schedule',
      context: ctx(changed(resources, (r) => delete r.Schedule)),
      problem: 'no scheduled drift check function in the templates (the monitoring stack is not synthesized)',
    },
    {
      name: 'feature drift raises no alarm',
      context: ctx(changed(resources, (r) => delete r.FeatureDrift)),
      problem: 'no alarm on DriftedFeatures: feature drift would go unnoticed',
    },
  ],
});
