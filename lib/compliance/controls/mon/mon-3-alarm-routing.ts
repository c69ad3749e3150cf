import { keysOf } from '../../inventory';
import { defineControl, Findings } from '../control';
import { fnLabel, functionDescription } from '../template-readers';

export const MON_3 = defineControl({
  id: 'MON-3',
  implementedBy: [
    { name: 'AlertTopic', file: 'lib/constructs/alert-topic.ts' },
    { name: 'EndpointRollback', file: 'lib/constructs/endpoint-rollback.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'MON-3: the alert topic each environment has one KMS-encrypted, TLS-only alert topic publishable by CloudWatch and EventBridge of the account',
    },
    {
      file: 'test/lib/monitoring/monitoring-stack.test.ts',
      name: 'Monitoring stack in every environment (MON-1, MON-2, MON-3, MON-4) every alarm notifies the encrypted alert topic',
    },
    {
      file: 'test/lib/monitoring/constructs.test.ts',
      name: 'EndpointRollback (MON-3) is triggered by the watched alarms entering ALARM, and by a heartbeat',
    },
  ],
  rules: ['AwsSolutions-SNS3', 'NIST.800.53.R5-SNSEncryptedKMS'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const topics = model.ofType('AWS::SNS::Topic');
    const encrypted = topics.filter((t) => keysOf(model, t).length > 0);
    if (encrypted.length === 0) f.bad('no KMS-encrypted alert topic');
    for (const t of topics)
      f.check(
        encrypted.includes(t),
        `alert topic encrypted with ${keysOf(model, t)
          .map((k) => k.path)
          .join(', ')}`,
        'topic not encrypted with a customer-managed key',
        t,
      );
    const alarms = model.ofType('AWS::CloudWatch::Alarm');
    const silent = alarms.filter(
      (a) => !model.referencedResources(a.props.AlarmActions, a.stack).some((t) => encrypted.includes(t)),
    );
    for (const a of silent) f.bad('alarm notifies no encrypted alert topic', a);
    if (alarms.length && silent.length === 0) f.ok(`all ${alarms.length} alarms notify the alert topic`);
    const rollback = model
      .ofType('AWS::Lambda::Function')
      .filter((fn) => /rollback/i.test(`${fn.path} ${functionDescription(model, fn)}`));
    for (const fn of rollback) f.ok(`rollback function ${fnLabel(model, fn)}`, fn);
    return f.conclude('enforced', 'alarms go to a KMS-encrypted topic');
  },
});
