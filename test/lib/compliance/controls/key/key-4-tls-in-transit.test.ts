import { KEY_4 } from '../../../../../lib/compliance/controls/key/key-4-tls-in-transit';
import { bucket, bucketPolicy, kmsKey, restApi } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';

const tlsDeny = {
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Resource: '*',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const resources: Resources = {
  DataKey: kmsKey(),
  Bucket: bucket('churn-prod-data'),
  Policy: bucketPolicy('Bucket', [tlsDeny]),
  ...changed(restApi(), (r) => (r.Api.Properties!.SecurityPolicy = 'TLS_1_2')),
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Data: r } }));

describeControl(KEY_4, {
  compliant: [
    {
      name: 'the bucket denies plain HTTP and the API requires TLS 1.2',
      context: ctx(resources),
      evidence: ['churn-prod-data denies requests without TLS', 'REST API security policy TLS_1_2'],
    },
  ],
  nonCompliant: [
    {
      name: 'a bucket that accepts plain HTTP',
      context: ctx(changed(resources, (r) => (r.Policy = bucketPolicy('Bucket', [])))),
      problem: 'churn-prod-data does not deny non-TLS requests',
    },
    {
      name: 'a deny on SecureTransport true (the inverse of what protects)',
      context: ctx(
        changed(
          resources,
          (r) =>
            (r.Policy = bucketPolicy('Bucket', [
              { ...tlsDeny, Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
            ])),
        ),
      ),
      problem: 'churn-prod-data does not deny non-TLS requests',
    },
    {
      name: 'an API without a TLS 1.2 security policy',
      context: ctx(changed(resources, (r) => delete r.Api.Properties!.SecurityPolicy)),
      problem: 'REST API declares no TLS 1.2+ security policy',
    },
  ],
});
