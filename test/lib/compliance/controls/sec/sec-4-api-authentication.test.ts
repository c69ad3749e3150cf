import { SEC_4 } from '../../../../../lib/compliance/controls/sec/sec-4-api-authentication';
import { restApi } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';

const resources: Resources = {
  ...restApi(),
  Acl: {
    Type: 'AWS::WAFv2::WebACL',
    Properties: {
      Rules: [
        {
          Name: 'BodySizeLimit',
          Action: { Block: {} },
          Statement: {
            SizeConstraintStatement: { ComparisonOperator: 'GT', Size: 65536, FieldToMatch: { Body: {} } },
          },
        },
      ],
    },
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Api: r } }));

describeControl(SEC_4, {
  compliant: [
    {
      name: 'a SigV4 method validating its body, a throttled stage and a WAF body-size limit',
      context: ctx(resources),
      evidence: [
        /: authorization AWS_IAM$/,
        /: body validated against a JSON-schema model$/,
        'WAF rule BodySizeLimit blocks oversized bodies',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'a method without authorization',
      context: ctx(changed(resources, (r) => (r.Method.Properties!.AuthorizationType = 'NONE'))),
      problem: /^POST .* has no authorization$/,
    },
    {
      name: 'a method that does not validate its body',
      context: ctx(changed(resources, (r) => (r.Validator.Properties!.ValidateRequestBody = false))),
      problem: /^POST .* does not validate the request body$/,
    },
    {
      name: 'a stage without throttling',
      context: ctx(changed(resources, (r) => (r.Stage.Properties!.MethodSettings = []))),
      problem: 'stage has no throttling',
    },
    {
      name: 'the body-size rule only counting',
      context: ctx(
        changed(
          resources,
          (r) => ((r.Acl.Properties!.Rules as Array<Record<string, unknown>>)[0].Action = { Count: {} }),
        ),
      ),
      problem: 'no WAF rule blocks oversized request bodies',
    },
  ],
});
