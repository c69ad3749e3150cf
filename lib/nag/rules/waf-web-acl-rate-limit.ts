import { CfnResource } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { ChurnRule, resolved } from '../rule';

/** NET-5, SEC-4: every web ACL limits the request rate per client with a rate-based rule. */
export const WafWebAclRateLimit: ChurnRule = {
  id: 'WafWebAclRateLimit',
  info: 'The WAF web ACL has no rate-based rule.',
  explanation:
    'One client must not be able to exhaust the API or run up inference cost: add a rule with a RateBasedStatement (per client IP) to every web ACL (NET-5, SEC-4).',
  level: NagMessageLevel.ERROR,
  controls: ['NET-5', 'SEC-4'],
  check: (node: CfnResource) => {
    if (!(node instanceof wafv2.CfnWebACL)) return NagRuleCompliance.NOT_APPLICABLE;
    const rules = JSON.stringify(resolved(node, node.rules) ?? []);
    return /"rateBasedStatement"|"RateBasedStatement"/.test(rules)
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
