import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Stack } from 'aws-cdk-lib';
import { findings, newStack } from '../helpers';

function webAcl(stack: Stack, id: string): wafv2.CfnWebACL {
  return new wafv2.CfnWebACL(stack, id, {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: id, sampledRequestsEnabled: true },
    rules: [
      {
        name: 'rate',
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: 'IP' } },
        visibilityConfig: {
          cloudWatchMetricsEnabled: true,
          metricName: 'rate',
          sampledRequestsEnabled: true,
        },
      },
    ],
  });
}

describe('ChurnControls-WafWebAclLogging (NET-5)', () => {
  test('a web ACL with a logging configuration in its stack is compliant', () => {
    const stack = newStack();
    const acl = webAcl(stack, 'Acl');
    new wafv2.CfnLoggingConfiguration(stack, 'Logging', {
      resourceArn: acl.attrArn,
      logDestinationConfigs: ['arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-api'],
    });
    expect(findings(stack)).toEqual([]);
  });

  test('a web ACL whose logging configuration names another ACL is a finding', () => {
    const stack = newStack();
    const logged = webAcl(stack, 'Logged');
    webAcl(stack, 'Unlogged');
    new wafv2.CfnLoggingConfiguration(stack, 'Logging', {
      resourceArn: logged.attrArn,
      logDestinationConfigs: ['arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-api'],
    });
    expect(findings(stack)).toEqual(['ChurnControls-WafWebAclLogging Subject/Unlogged']);
  });
});
