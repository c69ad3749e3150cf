import { CfnResource } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { ChurnRule, resolved, same, stackResources } from '../rule';

/**
 * NET-5: every web ACL has logging. The logging configuration is a separate resource
 * (AWS::WAFv2::LoggingConfiguration), so the rule looks for one in the web ACL's stack.
 */
export const WafWebAclLogging: ChurnRule = {
  id: 'WafWebAclLogging',
  info: 'The WAF web ACL has no logging configuration in its stack.',
  explanation:
    'Blocked and allowed requests must be reviewable after an incident: add an AWS::WAFv2::LoggingConfiguration for the web ACL to a KMS-encrypted aws-waf-logs- log group, with the authorization header redacted (NET-5).',
  level: NagMessageLevel.ERROR,
  controls: ['NET-5'],
  check: (node: CfnResource) => {
    if (!(node instanceof wafv2.CfnWebACL)) return NagRuleCompliance.NOT_APPLICABLE;
    const arn = resolved(node, node.attrArn);
    const logged = stackResources(node)
      .filter((r): r is wafv2.CfnLoggingConfiguration => r instanceof wafv2.CfnLoggingConfiguration)
      .some((l) => same(resolved(l, l.resourceArn), arn));
    return logged ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
