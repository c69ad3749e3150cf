import { defineControl, Findings } from '../control';
import { bucketName, bucketPolicyStatements, conditionValues, NO_API, restApis } from '../template-readers';
import { Statement, statementsOf } from '../../model';

/** A Deny whose condition is `aws:SecureTransport = false`: it refuses every plain-HTTP request. */
const deniesPlainHttp = (s: Statement) =>
  s.effect === 'Deny' && conditionValues(s, 'Bool', 'aws:SecureTransport').map(String).includes('false');

const TLS_12_OR_LATER = /^(TLS_1_2|TLS13|TLS_1_3|SecurityPolicy_TLS1[23])/i;

export const KEY_4 = defineControl({
  id: 'KEY-4',
  implementedBy: [
    { name: 'SecureBucket', file: 'lib/constructs/secure-bucket.ts' },
    { name: 'ProtectedApi', file: 'lib/constructs/protected-api.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'KEY-1, KEY-4, MODEL-1, DATA-3, NET-6: buckets every bucket blocks public access, is versioned and denies non-TLS and TLS below 1.2',
    },
    {
      file: 'test/lib/api/api-stack.test.ts',
      name: 'SEC-4: authorization on every method, callers limited by the resource policy KEY-4: the API endpoint only accepts TLS 1.2 or newer',
    },
  ],
  rules: ['AwsSolutions-S10', 'NIST.800.53.R5-S3BucketSSLRequestsOnly', 'NIST.800.53.R5-APIGWSSLEnabled'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    for (const bucket of model.ofType('AWS::S3::Bucket')) {
      const name = bucketName(model, bucket);
      f.check(
        bucketPolicyStatements(model, bucket).some(deniesPlainHttp),
        `${name} denies requests without TLS`,
        `${name} does not deny non-TLS requests`,
        bucket,
      );
    }
    for (const topic of model.ofType('AWS::SNS::TopicPolicy')) {
      if (statementsOf(topic.props.PolicyDocument).some(deniesPlainHttp))
        f.ok('topic policy denies publishing without TLS', topic);
    }
    const apis = restApis(model);
    if (apis.length === 0) f.bad(`${NO_API}; the API's TLS 1.2 policy cannot be shown`);
    const domains = model.ofType('AWS::ApiGateway::DomainName');
    for (const api of apis) {
      const policy = String(api.props.SecurityPolicy ?? '');
      const domain = domains.find((d) => TLS_12_OR_LATER.test(String(d.props.SecurityPolicy ?? '')));
      f.check(
        TLS_12_OR_LATER.test(policy) || !!domain,
        `REST API security policy ${policy || String(domain?.props.SecurityPolicy)}`,
        'REST API declares no TLS 1.2+ security policy',
        api,
      );
    }
    return f.conclude('enforced', 'buckets deny non-TLS requests; the API enforces TLS 1.2+');
  },
});
