import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { findings, newStack } from '../helpers';

const visibility = (name: string) => ({
  cloudWatchMetricsEnabled: true,
  metricName: name,
  sampledRequestsEnabled: true,
});
const managed = {
  name: 'common',
  priority: 1,
  overrideAction: { none: {} },
  statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } },
  visibilityConfig: visibility('common'),
};

function acl(
  stack: ReturnType<typeof newStack>,
  id: string,
  rules: wafv2.CfnWebACL.RuleProperty[],
): wafv2.CfnWebACL {
  const webAcl = new wafv2.CfnWebACL(stack, id, {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility(id),
    rules,
  });
  new wafv2.CfnLoggingConfiguration(stack, `${id}Logging`, {
    resourceArn: webAcl.attrArn,
    logDestinationConfigs: ['arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-x'],
  });
  return webAcl;
}

describe('ChurnControls-WafWebAclRateLimit (NET-5, SEC-4)', () => {
  test('a web ACL with a rate-based rule is compliant', () => {
    const stack = newStack();
    acl(stack, 'Acl', [
      managed,
      {
        name: 'rate',
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: 500, aggregateKeyType: 'IP' } },
        visibilityConfig: visibility('rate'),
      },
    ]);
    expect(findings(stack)).toEqual([]);
  });

  test('a web ACL with managed rule groups only is a finding', () => {
    const stack = newStack();
    acl(stack, 'Acl', [managed]);
    expect(findings(stack)).toEqual(['ChurnControls-WafWebAclRateLimit Subject/Acl']);
  });
});
