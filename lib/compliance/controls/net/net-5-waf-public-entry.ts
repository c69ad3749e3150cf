import { publicEntryPoints } from '../../inventory';
import { defineControl, Findings } from '../control';
import { managedGroupRule, NO_API, restApis, ruleBlocks, rulesWith } from '../template-readers';

const REQUIRED_WAF_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
];

export const NET_5 = defineControl({
  id: 'NET-5',
  implementedBy: [{ name: 'ProtectedApi', file: 'lib/constructs/protected-api.ts' }],
  provenBy: [
    {
      file: 'test/lib/api/api-stack.test.ts',
      name: 'NET-5: WAF in front of the stage a regional web ACL is associated with the API stage',
    },
    {
      file: 'test/lib/api/api-stack.test.ts',
      name: 'NET-5: WAF in front of the stage AWS managed rule groups: common, known bad inputs, IP reputation',
    },
    {
      file: 'test/lib/api/api-stack.test.ts',
      name: 'NET-5: WAF in front of the stage WAF logs go to a KMS-encrypted aws-waf-logs- group, with credentials redacted',
    },
    {
      file: 'test/lib/nag/rules/waf-web-acl-logging.test.ts',
      name: 'ChurnControls-WafWebAclLogging (NET-5) a web ACL whose logging configuration names another ACL is a finding',
    },
  ],
  rules: ['ChurnControls-WafWebAclLogging', 'ChurnControls-WafWebAclRateLimit', 'AwsSolutions-APIG3'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    if (restApis(model).length === 0) f.bad(NO_API);
    const associations = model.ofType('AWS::WAFv2::WebACLAssociation');
    const loggingConfigs = model.ofType('AWS::WAFv2::LoggingConfiguration');
    for (const stage of model.ofType('AWS::ApiGateway::Stage')) {
      const api = model.target(stage.props.RestApiId, stage.stack);
      const stageName = model.describe(stage.props.StageName, stage.stack);
      const assoc = associations.find((a) => {
        const refs = model.referencedResources(a.props.ResourceArn, a.stack);
        return refs.includes(stage) || (api !== undefined && refs.includes(api));
      });
      if (!assoc) {
        f.bad(`API stage ${stageName} has no WAF web ACL`, stage);
        continue;
      }
      const acl = model.target(assoc.props.WebACLArn, assoc.stack);
      if (!acl) {
        f.bad('WAF association names a web ACL outside this environment', assoc);
        continue;
      }
      f.ok(`API stage ${stageName} is protected by ${acl.path}`, stage);
      for (const group of REQUIRED_WAF_GROUPS) {
        const rule = managedGroupRule(acl, group);
        if (!rule) f.bad(`web ACL lacks managed rule group ${group}`, acl);
        else
          f.check(
            ruleBlocks(rule),
            `web ACL blocks with ${group}`,
            `${group} only counts (override action is not None)`,
            acl,
          );
      }
      const rate = rulesWith(acl, 'RateBasedStatement');
      f.check(
        rate.some(ruleBlocks),
        `web ACL has a blocking rate-based rule (${rate.map((r) => r.Name).join(', ')})`,
        rate.length ? 'the rate-based rule only counts' : 'web ACL has no rate-based rule',
        acl,
      );
      const logging = loggingConfigs.find((l) => model.target(l.props.ResourceArn, l.stack) === acl);
      f.check(
        !!logging,
        `WAF logging to ${logging ? model.describe(logging.props.LogDestinationConfigs, logging.stack) : ''}`,
        'web ACL has no logging configuration',
        logging ?? acl,
      );
    }
    const others = publicEntryPoints(model).filter((e) => e.kind !== 'API Gateway stage');
    for (const e of others) f.bad(`unexpected public entry point: ${e.kind} — ${e.detail}`);
    return f.conclude('enforced', 'the inference API is the only public entry, behind WAF with logging');
  },
});
