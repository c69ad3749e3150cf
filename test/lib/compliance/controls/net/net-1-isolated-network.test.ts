import { NET_1 } from '../../../../../lib/compliance/controls/net/net-1-isolated-network';
import { lambdaFunction, TAGS } from '../fixtures';
import { changed, context, describeControl, environment, ref, Resources } from '../harness';

const network: Resources = {
  Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.30.0.0/16', Tags: TAGS } },
  Subnet: {
    Type: 'AWS::EC2::Subnet',
    Properties: {
      VpcId: ref('Vpc'),
      CidrBlock: '10.30.0.0/20',
      AvailabilityZone: 'eu-west-1a',
      MapPublicIpOnLaunch: false,
    },
  },
  RouteTable: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('Vpc') } },
  Function: lambdaFunction(),
  Model: {
    Type: 'AWS::SageMaker::Model',
    Properties: {
      EnableNetworkIsolation: true,
      VpcConfig: { Subnets: [ref('Subnet')], SecurityGroupIds: ['sg-1'] },
    },
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Network: r } }));

describeControl(NET_1, {
  compliant: [
    {
      name: 'isolated subnets, no gateway, the function and the SageMaker model inside the VPC',
      context: ctx(network),
      evidence: [
        'no internet gateway, NAT gateway, egress-only gateway or Elastic IP exists',
        'subnet 10.30.0.0/20 in eu-west-1a, no public IPs',
        'function runs in the isolated subnets',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'an internet gateway exists',
      context: ctx({ ...network, Igw: { Type: 'AWS::EC2::InternetGateway', Properties: {} } }),
      problem: 'AWS::EC2::InternetGateway exists',
    },
    {
      name: 'a route leaves the VPC through a gateway',
      context: ctx({
        ...network,
        Route: {
          Type: 'AWS::EC2::Route',
          Properties: {
            RouteTableId: ref('RouteTable'),
            DestinationCidrBlock: '0.0.0.0/0',
            GatewayId: 'igw-1',
          },
        },
      }),
      problem: 'route to 0.0.0.0/0 leaves the VPC through a gateway',
    },
    {
      name: 'a subnet maps public IPs',
      context: ctx(changed(network, (r) => (r.Subnet.Properties!.MapPublicIpOnLaunch = true))),
      problem: 'subnet maps public IPs on launch',
    },
    {
      name: 'a function outside the VPC',
      context: ctx(changed(network, (r) => delete r.Function.Properties!.VpcConfig)),
      problem: 'function is not in the VPC',
    },
    {
      name: 'a SageMaker model outside the VPC',
      context: ctx(changed(network, (r) => delete r.Model.Properties!.VpcConfig)),
      problem: 'SageMaker model has no VpcConfig',
    },
  ],
});
