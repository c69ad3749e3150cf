import { CfnResource } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { asList, ChurnRule, field, resolved } from '../rule';

/** MODEL-4, NET-1: a SageMaker model runs in the VPC's subnets with network isolation on. */
export const SageMakerModelIsolated: ChurnRule = {
  id: 'SageMakerModelIsolated',
  info: 'The SageMaker model is not in a VPC with network isolation enabled.',
  explanation:
    'Model containers must not reach the internet or other AWS services on their own: set EnableNetworkIsolation and a VpcConfig with the isolated subnets and a security group (MODEL-4, NET-1).',
  level: NagMessageLevel.ERROR,
  controls: ['MODEL-4', 'NET-1'],
  check: (node: CfnResource) => {
    if (node.cfnResourceType !== 'AWS::SageMaker::Model') return NagRuleCompliance.NOT_APPLICABLE;
    if (!(node instanceof sagemaker.CfnModel)) return NagRuleCompliance.NON_COMPLIANT;
    const isolated = resolved(node, node.enableNetworkIsolation) === true;
    const vpc = resolved(node, node.vpcConfig);
    const subnets = asList(field(vpc, 'subnets'));
    const groups = asList(field(vpc, 'securityGroupIds'));
    return isolated && subnets.length > 0 && groups.length > 0
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
