import { defineControl, Findings } from '../control';
import { apiMethods, list, NO_API, restApis, ruleBlocks, rulesWith, str } from '../template-readers';

const AUTHENTICATING = ['AWS_IAM', 'COGNITO_USER_POOLS', 'CUSTOM'];

export const SEC_4 = defineControl({
  id: 'SEC-4',
  implementedBy: [{ name: 'ProtectedApi', file: 'lib/constructs/protected-api.ts' }],
  provenBy: [
    {
      file: 'test/lib/api/api-stack.test.ts',
      name: 'SEC-4: authorization on every method, callers limited by the resource policy every method of every environment uses IAM (SigV4) authorization',
    },
    {
      file: 'test/lib/api/api-stack.test.ts',
      name: 'SEC-4: authorization on every method, callers limited by the resource policy jwt mode puts a Cognito user pool authorizer on every method',
    },
    {
      file: 'test/lib/nag/rules/waf-web-acl-rate-limit.test.ts',
      name: 'ChurnControls-WafWebAclRateLimit (NET-5, SEC-4) a web ACL with managed rule groups only is a finding',
    },
  ],
  rules: [
    'AwsSolutions-APIG4',
    'AwsSolutions-COG4',
    'AwsSolutions-APIG2',
    'ChurnControls-WafWebAclRateLimit',
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const apis = restApis(model);
    if (apis.length === 0) f.bad(NO_API);
    const methods = apiMethods(model);
    if (apis.length && methods.length === 0) f.bad('the REST API has no methods');
    for (const m of methods) {
      const label = `${str(m.props.HttpMethod)} ${model.describe(m.props.ResourceId, m.stack)}`;
      f.check(
        AUTHENTICATING.includes(String(m.props.AuthorizationType)),
        `${label}: authorization ${str(m.props.AuthorizationType)}`,
        `${label} has no authorization`,
        m,
      );
      const validator = model.target(m.props.RequestValidatorId, m.stack);
      f.check(
        !!validator && validator.props.ValidateRequestBody === true && !!m.props.RequestModels,
        `${label}: body validated against a JSON-schema model`,
        `${label} does not validate the request body`,
        m,
      );
    }
    for (const stage of model.ofType('AWS::ApiGateway::Stage')) {
      const settings = list<Record<string, unknown>>(stage.props.MethodSettings);
      f.check(
        settings.some((s) => typeof s.ThrottlingRateLimit === 'number'),
        `stage throttling ${settings.map((s) => `${str(s.ThrottlingRateLimit)}/s burst ${str(s.ThrottlingBurstLimit)}`).join(', ')}`,
        'stage has no throttling',
        stage,
      );
    }
    const plans = model.ofType('AWS::ApiGateway::UsagePlan');
    if (plans.length) f.ok(`${plans.length} usage plan(s) limit each client`);
    if (apis.length) {
      const sizeRules = model
        .ofType('AWS::WAFv2::WebACL')
        .flatMap((acl) => rulesWith(acl, 'SizeConstraintStatement'));
      f.check(
        sizeRules.some(ruleBlocks),
        `WAF rule ${sizeRules.map((r) => r.Name).join(', ')} blocks oversized bodies`,
        'no WAF rule blocks oversized request bodies',
      );
    }
    return f.conclude('enforced', 'every method authenticates, validates its body and is throttled');
  },
});
