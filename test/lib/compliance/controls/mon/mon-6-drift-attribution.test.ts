import { MON_6 } from '../../../../../lib/compliance/controls/mon/mon-6-drift-attribution';
import { alarm, lambdaFunction } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, Resources } from '../harness';

const resources: Resources = {
  DriftCheck: lambdaFunction({
    Description: 'Drift and data-quality check over captured inference data (prod)',
    Environment: { Variables: { MIN_CONCENTRATED_SHARE: '0.8', MAX_CONCENTRATED_CALLERS: '2' } },
  }),
  Schedule: {
    Type: 'AWS::Events::Rule',
    Properties: {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [{ Arn: getAtt('DriftCheck', 'Arn'), Id: 't' }],
    },
  },
  FeatureDrift: alarm('DriftedFeatures'),
  Concentrated: alarm('ConcentratedDrift'),
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Monitoring: r } }));

describeControl(MON_6, {
  compliant: [
    {
      name: 'the drift check knows what concentrated means, and a concentrated drift has its own alarm',
      context: ctx(resources),
      evidence: [
        /calls a drift concentrated when at most 2 callers explain at least 0\.8 of it$/,
        'alarm Prod/Monitoring/Concentrated on ConcentratedDrift, apart from the feature drift alarm',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'only the feature drift alarm: a poisoning campaign looks like natural drift',
      context: ctx(changed(resources, (r) => delete r.Concentrated)),
      problem: 'no alarm on ConcentratedDrift: a drift concentrated in few callers is not told apart',
    },
    {
      name: 'the drift check is not told what counts as concentrated',
      context: ctx(changed(resources, (r) => delete r.DriftCheck.Properties!.Environment)),
      problem: /is not given MIN_CONCENTRATED_SHARE, MAX_CONCENTRATED_CALLERS$/,
    },
    {
      name: 'the concentrated drift alarm notifies nobody',
      context: ctx(changed(resources, (r) => (r.Concentrated.Properties!.AlarmActions = []))),
      problem: 'alarm on ConcentratedDrift notifies nobody',
    },
  ],
});
