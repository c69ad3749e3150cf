import { CfnResource, CustomResourceProviderBase } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { asList, ChurnRule, field, resolved } from '../rule';

/**
 * CDK's own singleton providers (core `CustomResourceProvider`, e.g. the one behind
 * Custom::VpcRestrictDefaultSG) are raw CfnResources typed AWS::Lambda::Function. They run only while
 * CloudFormation deploys, receive no customer data, carry no environment variables to encrypt, and
 * CDK offers no way to place them in a VPC. They are recognised by their construct type, not by a
 * logical-id prefix, so a function of our own can never slip through under a similar name; the
 * compliance report lists each of them under NET-1 so a reviewer still sees them.
 */
export function isCdkSingletonProvider(node: CfnResource): boolean {
  return !(node instanceof lambda.CfnFunction) && node.node.scope instanceof CustomResourceProviderBase;
}

/** NET-1, KEY-1: every function runs in the VPC and encrypts its environment with a customer-managed key. */
export const LambdaInVpcWithCmk: ChurnRule = {
  id: 'LambdaInVpcWithCmk',
  info: 'The Lambda function is not in the VPC, or its environment is not encrypted with a customer-managed key.',
  explanation:
    'Functions reach AWS only through the VPC endpoints and keep their configuration encrypted with the environment data key: set VpcConfig (subnets and security groups) and KmsKeyArn; use SecureFunction (NET-1, KEY-1).',
  level: NagMessageLevel.ERROR,
  controls: ['NET-1', 'KEY-1'],
  check: (node: CfnResource) => {
    if (node.cfnResourceType !== 'AWS::Lambda::Function') return NagRuleCompliance.NOT_APPLICABLE;
    if (isCdkSingletonProvider(node)) return NagRuleCompliance.NOT_APPLICABLE;
    if (!(node instanceof lambda.CfnFunction)) return NagRuleCompliance.NON_COMPLIANT;
    const vpc = resolved(node, node.vpcConfig);
    const inVpc =
      asList(field(vpc, 'subnetIds')).length > 0 && asList(field(vpc, 'securityGroupIds')).length > 0;
    const key = resolved(node, node.kmsKeyArn);
    const customerKey = key !== undefined && !JSON.stringify(key).includes('alias/aws/');
    return inVpc && customerKey ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
