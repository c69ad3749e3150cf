import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Stack } from 'aws-cdk-lib';
import { findings, newStack } from '../helpers';

function isolatedVpc(stack: Stack): ec2.Vpc {
  // restrictDefaultSecurityGroup adds CDK's singleton Custom::VpcRestrictDefaultSG provider function.
  return new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    restrictDefaultSecurityGroup: true,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

const code = {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler=async()=>1'),
};

describe('ChurnControls-LambdaInVpcWithCmk (NET-1, KEY-1)', () => {
  test('a function in the VPC with a customer-managed environment key is compliant; CDK singleton providers are exempt', () => {
    const stack = newStack();
    const vpc = isolatedVpc(stack);
    new lambda.Function(stack, 'Fn', {
      ...code,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      environment: { MODE: 'x' },
      environmentEncryption: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    });
    expect(
      stack.node
        .findAll()
        .some((c) => c.node.path.includes('Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler')),
    ).toBe(true);
    expect(findings(stack)).toEqual([]);
  });

  test('a function outside the VPC, or without a customer-managed key, is a finding', () => {
    const stack = newStack();
    const vpc = isolatedVpc(stack);
    new lambda.Function(stack, 'Outside', { ...code, environmentEncryption: new kms.Key(stack, 'Key') });
    new lambda.Function(stack, 'NoKey', {
      ...code,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    expect(findings(stack)).toEqual([
      'ChurnControls-LambdaInVpcWithCmk Subject/NoKey/Resource',
      'ChurnControls-LambdaInVpcWithCmk Subject/Outside/Resource',
    ]);
  });
});
