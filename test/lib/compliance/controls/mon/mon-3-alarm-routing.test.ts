import { MON_3 } from '../../../../../lib/compliance/controls/mon/mon-3-alarm-routing';
import { alarm, kmsKey, TAGS } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, Resources } from '../harness';

const resources: Resources = {
  LogsKey: kmsKey(),
  Alerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: getAtt('LogsKey', 'Arn'), Tags: TAGS } },
  Errors: alarm('5XXError'),
  Drift: alarm('DriftedFeatures'),
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Audit: r } }));

describeControl(MON_3, {
  compliant: [
    {
      name: 'every alarm notifies the KMS-encrypted alert topic',
      context: ctx(resources),
      evidence: ['all 2 alarms notify the alert topic', 'alert topic encrypted with Prod/Audit/LogsKey'],
    },
  ],
  nonCompliant: [
    {
      name: 'an alarm that notifies nobody',
      context: ctx(changed(resources, (r) => (r.Drift.Properties!.AlarmActions = []))),
      problem: 'alarm notifies no encrypted alert topic',
    },
    {
      name: 'an unencrypted topic',
      context: ctx(changed(resources, (r) => delete r.Alerts.Properties!.KmsMasterKeyId)),
      problem: 'no KMS-encrypted alert topic',
    },
  ],
});
