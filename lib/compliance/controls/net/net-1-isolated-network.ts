import { defineControl, Findings } from '../control';
import { isCdkManagedProvider, list, plural } from '../template-readers';

const FORBIDDEN_NETWORK_TYPES = [
  'AWS::EC2::InternetGateway',
  'AWS::EC2::NatGateway',
  'AWS::EC2::EgressOnlyInternetGateway',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::EIP',
];

export const NET_1 = defineControl({
  id: 'NET-1',
  implementedBy: [
    { name: 'IsolatedNetwork', file: 'lib/constructs/isolated-network.ts' },
    { name: 'SecureFunction', file: 'lib/constructs/secure-function.ts' },
    { name: 'InferenceEndpoint', file: 'lib/constructs/inference-endpoint.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'NET-1: isolated network no internet gateway, NAT gateway or egress-only gateway exists in any environment',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'NET-1: isolated network every environment has one VPC whose subnets span at least two AZs and never map public IPs',
    },
    {
      file: 'test/lib/constructs/secure-function.test.ts',
      name: 'SecureFunction (NET-1, KEY-1, SEC-2) runs arm64 on the current Node.js runtime inside the VPC with the workload security group',
    },
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: 'MODEL-4, NET-1, NET-3, KEY-1: the secure endpoint every model runs with network isolation in the isolated subnets of every AZ, in its own group',
    },
  ],
  rules: ['ChurnControls-LambdaInVpcWithCmk', 'AwsSolutions-VPC7', 'NIST.800.53.R5-LambdaInsideVPC'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const vpcs = model.ofType('AWS::EC2::VPC');
    if (vpcs.length === 0) f.bad('no VPC in the templates');
    for (const vpc of vpcs) f.ok(`VPC ${model.describe(vpc.props.CidrBlock, vpc.stack)}`, vpc);
    for (const subnet of model.ofType('AWS::EC2::Subnet')) {
      f.check(
        subnet.props.MapPublicIpOnLaunch !== true,
        `subnet ${model.describe(subnet.props.CidrBlock, subnet.stack)} in ${model.describe(subnet.props.AvailabilityZone, subnet.stack)}, no public IPs`,
        'subnet maps public IPs on launch',
        subnet,
      );
    }
    const routes = model.ofType('AWS::EC2::Route');
    for (const table of model.ofType('AWS::EC2::RouteTable')) {
      const own = routes.filter((r) => model.target(r.props.RouteTableId, r.stack) === table);
      f.ok(
        `route table with ${plural(own.length, 'explicit route')} (local VPC route and S3 gateway endpoint route only)`,
        table,
      );
    }
    for (const route of routes) {
      if (route.props.GatewayId || route.props.NatGatewayId || route.props.EgressOnlyInternetGatewayId) {
        f.bad(
          `route to ${model.describe(route.props.DestinationCidrBlock, route.stack)} leaves the VPC through a gateway`,
          route,
        );
      }
    }
    const forbidden = model.ofType(...FORBIDDEN_NETWORK_TYPES);
    for (const h of forbidden) f.bad(`${h.type} exists`, h);
    if (forbidden.length === 0)
      f.ok('no internet gateway, NAT gateway, egress-only gateway or Elastic IP exists');
    for (const fn of model.ofType('AWS::Lambda::Function')) {
      const vpc = fn.props.VpcConfig as { SubnetIds?: unknown } | undefined;
      if (isCdkManagedProvider(fn)) {
        f.ok(
          'CDK-managed deployment-time provider outside the VPC (no customer data, no environment; see the rule-pack exclusion)',
          fn,
        );
      } else {
        f.check(
          list(vpc?.SubnetIds).length > 0,
          'function runs in the isolated subnets',
          'function is not in the VPC',
          fn,
        );
      }
    }
    for (const m of model.ofType('AWS::SageMaker::Model')) {
      f.check(
        list((m.props.VpcConfig as { Subnets?: unknown } | undefined)?.Subnets).length > 0,
        'SageMaker model runs in the isolated subnets',
        'SageMaker model has no VpcConfig',
        m,
      );
    }
    return f.conclude('enforced', 'isolated subnets only; no route or gateway to the internet');
  },
});
