import { keysOf } from '../../inventory';
import { defineControl, Findings } from '../control';
import { str } from '../template-readers';

export const NET_4 = defineControl({
  id: 'NET-4',
  implementedBy: [
    { name: 'IsolatedNetwork', file: 'lib/constructs/isolated-network.ts' },
    { name: 'EncryptedLogGroup', file: 'lib/constructs/encrypted-log-group.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'NET-4, KEY-1, DATA-3: flow logs and log groups every VPC logs all traffic to a KMS-encrypted log group with retention',
    },
  ],
  rules: ['AwsSolutions-VPC7', 'NIST.800.53.R5-VPCFlowLogsEnabled'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const flowLogs = model.ofType('AWS::EC2::FlowLog');
    for (const vpc of model.ofType('AWS::EC2::VPC')) {
      const logs = flowLogs.filter((fl) => model.target(fl.props.ResourceId, fl.stack) === vpc);
      if (logs.length === 0) f.bad('VPC has no flow log', vpc);
      for (const fl of logs) {
        const group = model.target(fl.props.LogGroupName ?? fl.props.LogDestination, fl.stack);
        const key = group ? keysOf(model, group)[0] : undefined;
        if (!group || group.type !== 'AWS::Logs::LogGroup') {
          f.bad(
            `flow log (${str(fl.props.TrafficType)}) delivers to ${model.describe(fl.props.LogDestination ?? fl.props.LogGroupName, fl.stack)}, not to a log group of this environment`,
            fl,
          );
          continue;
        }
        f.check(
          fl.props.TrafficType === 'ALL',
          'flow log records ALL traffic',
          `flow log records only ${str(fl.props.TrafficType)} traffic`,
          fl,
        );
        f.check(
          !!key,
          `→ log group ${group.path} → key ${key?.path}`,
          'flow-log group has no customer-managed KMS key',
          group,
        );
        f.check(
          typeof group.props.RetentionInDays === 'number',
          `flow-log group retention ${str(group.props.RetentionInDays)} days`,
          'flow-log group keeps logs forever (no retention)',
          group,
        );
      }
    }
    if (model.ofType('AWS::EC2::VPC').length === 0) f.bad('no VPC, so no flow logs');
    return f.conclude(
      'enforced',
      'VPC flow logs of all traffic go to a KMS-encrypted log group with retention',
    );
  },
});
