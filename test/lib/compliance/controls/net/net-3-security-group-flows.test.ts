import { NET_3 } from '../../../../../lib/compliance/controls/net/net-3-security-group-flows';
import { changed, context, describeControl, environment, getAtt, ref, Resources } from '../harness';

const groups: Resources = {
  Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.30.0.0/16' } },
  Restrict: {
    Type: 'Custom::VpcRestrictDefaultSG',
    Properties: { DefaultSecurityGroupId: getAtt('Vpc', 'DefaultSecurityGroup') },
  },
  Workload: {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: {
      VpcId: ref('Vpc'),
      SecurityGroupEgress: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          CidrIp: '10.30.0.0/16',
          Description: 'HTTPS to endpoints',
        },
      ],
    },
  },
  Endpoints: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: ref('Vpc') } },
  Ingress: {
    Type: 'AWS::EC2::SecurityGroupIngress',
    Properties: {
      GroupId: getAtt('Endpoints', 'GroupId'),
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: getAtt('Workload', 'GroupId'),
    },
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Network: r } }));

describeControl(NET_3, {
  compliant: [
    {
      name: 'HTTPS from the workload group to the endpoints only, and the default group emptied',
      context: ctx(groups),
      evidence: [
        /^ingress tcp 443-443 from <Prod\/Network\/Workload\.GroupId>/,
        'the VPC default security group is stripped of all rules at deploy time',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'SSH open to the internet',
      context: ctx(
        changed(groups, (r) =>
          Object.assign(r.Ingress.Properties!, {
            FromPort: 22,
            ToPort: 22,
            CidrIp: '0.0.0.0/0',
            SourceSecurityGroupId: undefined,
          }),
        ),
      ),
      problem: /— open to the internet$/,
    },
    {
      name: 'an ingress rule that is not HTTPS',
      context: ctx(
        changed(groups, (r) => Object.assign(r.Ingress.Properties!, { FromPort: 80, ToPort: 80 })),
      ),
      problem: /— not HTTPS$/,
    },
    {
      name: 'all traffic to anywhere',
      context: ctx(
        changed(
          groups,
          (r) => (r.Workload.Properties!.SecurityGroupEgress = [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }]),
        ),
      ),
      problem: /— all traffic to anywhere$/,
    },
    {
      name: 'the VPC default security group keeps its rules',
      context: ctx(changed(groups, (r) => delete r.Restrict)),
      problem: 'the VPC default security group keeps its default rules',
    },
  ],
});
