import { CfnResource } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { asList, ChurnRule, field, resolved } from '../rule';

/** MODEL-5: an endpoint update shifts traffic blue/green and rolls back on CloudWatch alarms. */
export const SageMakerEndpointAutoRollback: ChurnRule = {
  id: 'SageMakerEndpointAutoRollback',
  info: 'The SageMaker endpoint has no blue/green deployment policy with automatic rollback alarms.',
  explanation:
    'A new model version must reach customers gradually and return to the previous fleet by itself when errors or latency rise: set DeploymentConfig with a BlueGreenUpdatePolicy and AutoRollbackConfiguration alarms (MODEL-5).',
  level: NagMessageLevel.ERROR,
  controls: ['MODEL-5'],
  check: (node: CfnResource) => {
    if (node.cfnResourceType !== 'AWS::SageMaker::Endpoint') return NagRuleCompliance.NOT_APPLICABLE;
    if (!(node instanceof sagemaker.CfnEndpoint)) return NagRuleCompliance.NON_COMPLIANT;
    const config = resolved(node, node.deploymentConfig);
    const blueGreen = field(config, 'blueGreenUpdatePolicy');
    const alarms = asList(field(field(config, 'autoRollbackConfiguration'), 'alarms'));
    return blueGreen && alarms.length > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
