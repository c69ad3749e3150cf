import { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { ChurnRule, policyStatements, resolved } from '../rule';

/**
 * NET-2: an interface endpoint without a policy lets any credential (including another account's)
 * call any API of the service through the VPC; its policy must name the actions workloads use.
 */
export const InterfaceEndpointPolicy: ChurnRule = {
  id: 'InterfaceEndpointPolicy',
  info: 'The interface VPC endpoint has no endpoint policy, or its policy allows every action.',
  explanation:
    'Give every interface endpoint a least-privilege policy: the actions the workloads call, for principals of this account (DEFAULT_INTERFACE_ENDPOINTS in isolated-network.ts) (NET-2).',
  level: NagMessageLevel.ERROR,
  controls: ['NET-2'],
  check: (node: CfnResource) => {
    if (!(node instanceof ec2.CfnVPCEndpoint)) return NagRuleCompliance.NOT_APPLICABLE;
    if (resolved(node, node.vpcEndpointType) !== 'Interface') return NagRuleCompliance.NOT_APPLICABLE;
    const document = resolved(node, node.policyDocument);
    if (!document) return NagRuleCompliance.NON_COMPLIANT;
    const statements = policyStatements(document);
    const allowsEverything = statements.some(
      (s) => s.effect === 'Allow' && s.actions.some((a) => a === '*' || a.endsWith(':*')),
    );
    return statements.length > 0 && !allowsEverything
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
