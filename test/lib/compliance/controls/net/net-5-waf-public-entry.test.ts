import { NET_5 } from '../../../../../lib/compliance/controls/net/net-5-waf-public-entry';
import { restApi } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, ref, Resources } from '../harness';

const managed = (name: string) => ({
  Name: name,
  OverrideAction: { None: {} },
  Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } },
});
const api: Resources = {
  ...restApi(),
  Acl: {
    Type: 'AWS::WAFv2::WebACL',
    Properties: {
      Scope: 'REGIONAL',
      Rules: [
        {
          Name: 'RateLimit',
          Action: { Block: {} },
          Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } },
        },
        managed('AWSManagedRulesCommonRuleSet'),
        managed('AWSManagedRulesKnownBadInputsRuleSet'),
        managed('AWSManagedRulesAmazonIpReputationList'),
      ],
    },
  },
  Association: {
    Type: 'AWS::WAFv2::WebACLAssociation',
    Properties: {
      ResourceArn: {
        'Fn::Join': ['', ['arn:aws:apigateway:eu-west-1::/restapis/', ref('Api'), '/stages/', ref('Stage')]],
      },
      WebACLArn: getAtt('Acl', 'Arn'),
    },
  },
  Logging: {
    Type: 'AWS::WAFv2::LoggingConfiguration',
    Properties: {
      ResourceArn: getAtt('Acl', 'Arn'),
      LogDestinationConfigs: ['arn:aws:logs:eu-west-1:333333333333:log-group:aws-waf-logs-churn-prod'],
    },
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Api: r } }));
const rules = (r: Resources) => r.Acl.Properties!.Rules as Array<Record<string, unknown>>;

describeControl(NET_5, {
  compliant: [
    {
      name: 'the API stage behind a web ACL that blocks with the managed groups and a rate rule, with logging',
      context: ctx(api),
      evidence: [
        'web ACL blocks with AWSManagedRulesCommonRuleSet',
        'web ACL has a blocking rate-based rule (RateLimit)',
        /^WAF logging to /,
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'the stage without a web ACL',
      context: ctx(changed(api, (r) => delete r.Association)),
      problem: 'API stage prod has no WAF web ACL',
    },
    {
      name: 'a managed group overridden to count only',
      context: ctx(changed(api, (r) => (rules(r)[1].OverrideAction = { Count: {} }))),
      problem: 'AWSManagedRulesCommonRuleSet only counts (override action is not None)',
    },
    {
      name: 'the IP reputation group missing',
      context: ctx(changed(api, (r) => rules(r).splice(3, 1))),
      problem: 'web ACL lacks managed rule group AWSManagedRulesAmazonIpReputationList',
    },
    {
      name: 'no rate-based rule',
      context: ctx(changed(api, (r) => rules(r).splice(0, 1))),
      problem: 'web ACL has no rate-based rule',
    },
    {
      name: 'no WAF logging',
      context: ctx(changed(api, (r) => delete r.Logging)),
      problem: 'web ACL has no logging configuration',
    },
    {
      name: 'a second public entry: a Lambda function URL',
      context: ctx({
        ...api,
        Url: { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'NONE', TargetFunctionArn: 'x' } },
      }),
      problem: 'unexpected public entry point: Lambda function URL — auth NONE',
    },
  ],
});
