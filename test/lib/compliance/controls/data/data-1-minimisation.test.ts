import { DATA_1 } from '../../../../../lib/compliance/controls/data/data-1-minimisation';
import { kmsKey, lambdaFunction, managedPolicy, restApi, role } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, ref, Resources } from '../harness';

const record = {
  type: 'object',
  properties: { customerId: { type: 'string' }, tenure: { type: 'integer' } },
  additionalProperties: false,
};
const resources: Resources = {
  ...restApi(),
  RequestModel: {
    Type: 'AWS::ApiGateway::Model',
    Properties: { RestApiId: ref('Api'), Schema: { ...record, type: ['object', 'array'], items: record } },
  },
  PseudonymKey: kmsKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', EnableKeyRotation: false }),
  FunctionRole: role(),
  Function: lambdaFunction(),
  Pseudonymise: managedPolicy('FunctionRole', [
    { Effect: 'Allow', Action: 'kms:GenerateMac', Resource: getAtt('PseudonymKey', 'Arn') },
  ]),
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Api: r } }));
const schema = (r: Resources) =>
  r.RequestModel.Properties!.Schema as { items: Record<string, unknown>; additionalProperties?: unknown };

describeControl(DATA_1, {
  compliant: [
    {
      name: 'a closed request schema (one record or a batch) and an HMAC key the function uses to pseudonymise',
      context: ctx(resources),
      evidence: [
        'request model refuses properties outside the feature specification (2 object schemas)',
        /^HMAC key HMAC_256 used by Prod\/Api\/Pseudonymise \(kms:GenerateMac\)$/,
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'a batch record that accepts unknown properties',
      context: ctx(changed(resources, (r) => delete schema(r).items.additionalProperties)),
      problem: 'request model accepts unknown properties at #/items',
    },
    {
      name: 'no HMAC key',
      context: ctx(changed(resources, (r) => delete r.PseudonymKey)),
      problem: 'no KMS HMAC key for pseudonymising customer ids',
    },
    {
      name: 'an HMAC key nobody may use',
      context: ctx(changed(resources, (r) => delete r.Pseudonymise)),
      problem: 'no role may call kms:GenerateMac with the HMAC key',
    },
  ],
});
