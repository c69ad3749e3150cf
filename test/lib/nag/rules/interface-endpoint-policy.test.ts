import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { findings, newStack } from '../helpers';

function vpc(stack: ReturnType<typeof newStack>): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

describe('ChurnControls-InterfaceEndpointPolicy (NET-2)', () => {
  test('an interface endpoint with a least-privilege policy is compliant; gateway endpoints are not in scope', () => {
    const stack = newStack();
    const network = vpc(stack);
    const endpoint = network.addInterfaceEndpoint('Kms', {
      service: ec2.InterfaceVpcEndpointAwsService.KMS,
      open: false,
    });
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:PrincipalAccount': '123456789012' } },
      }),
    );
    network.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    expect(findings(stack)).toEqual([]);
  });

  test('an interface endpoint without a policy, or allowing every action, is a finding', () => {
    const stack = newStack();
    const network = vpc(stack);
    network.addInterfaceEndpoint('Sts', { service: ec2.InterfaceVpcEndpointAwsService.STS, open: false });
    const wide = network.addInterfaceEndpoint('Logs', {
      service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      open: false,
    });
    wide.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['logs:*'],
        resources: ['*'],
      }),
    );
    expect(findings(stack)).toEqual([
      'ChurnControls-InterfaceEndpointPolicy Subject/Vpc/Logs/Resource',
      'ChurnControls-InterfaceEndpointPolicy Subject/Vpc/Sts/Resource',
    ]);
  });
});
