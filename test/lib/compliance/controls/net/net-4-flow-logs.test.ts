import { NET_4 } from '../../../../../lib/compliance/controls/net/net-4-flow-logs';
import { changed, context, describeControl, environment, getAtt, ref, Resources } from '../harness';

const network: Resources = {
  LogsKey: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
  Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.30.0.0/16' } },
  FlowLogGroup: {
    Type: 'AWS::Logs::LogGroup',
    Properties: { KmsKeyId: getAtt('LogsKey', 'Arn'), RetentionInDays: 365 },
  },
  FlowLog: {
    Type: 'AWS::EC2::FlowLog',
    Properties: {
      ResourceId: ref('Vpc'),
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: ref('FlowLogGroup'),
    },
  },
};
const ctx = (resources: Resources) => () => context(environment({ stacks: { Network: resources } }));

describeControl(NET_4, {
  compliant: [
    {
      name: 'a VPC logging all traffic to an encrypted log group with retention',
      context: ctx(network),
      evidence: ['flow log records ALL traffic', 'flow-log group retention 365 days'],
    },
  ],
  nonCompliant: [
    {
      name: 'a VPC without a flow log',
      context: ctx(changed(network, (r) => delete r.FlowLog)),
      problem: 'VPC has no flow log',
    },
    {
      name: 'a flow log of rejected traffic only',
      context: ctx(changed(network, (r) => (r.FlowLog.Properties!.TrafficType = 'REJECT'))),
      problem: 'flow log records only REJECT traffic',
    },
    {
      name: 'a flow-log group without a customer-managed key',
      context: ctx(changed(network, (r) => delete r.FlowLogGroup.Properties!.KmsKeyId)),
      problem: 'flow-log group has no customer-managed KMS key',
    },
    {
      name: 'a flow-log group that keeps logs forever',
      context: ctx(changed(network, (r) => delete r.FlowLogGroup.Properties!.RetentionInDays)),
      problem: 'flow-log group keeps logs forever (no retention)',
    },
  ],
});
