import { defineControl, Findings } from '../control';
import { grantsOf, NO_API, restApis, str } from '../template-readers';

/** JSON-schema nodes that describe an object (they declare properties or type object). */
function* objectSchemas(
  schema: unknown,
  path = '#',
): Generator<{ path: string; node: Record<string, unknown> }> {
  if (schema === null || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const [i, s] of schema.entries()) yield* objectSchemas(s, `${path}/${i}`);
    return;
  }
  const node = schema as Record<string, unknown>;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (node.properties !== undefined || types.includes('object')) yield { path, node };
  for (const key of ['items', 'oneOf', 'anyOf', 'allOf', 'not']) {
    if (node[key] !== undefined) yield* objectSchemas(node[key], `${path}/${key}`);
  }
  for (const [name, sub] of Object.entries((node.properties ?? {}) as Record<string, unknown>)) {
    yield* objectSchemas(sub, `${path}/properties/${name}`);
  }
}

export const DATA_1 = defineControl({
  id: 'DATA-1',
  implementedBy: [
    { name: 'InferenceFunction', file: 'lib/constructs/inference-function.ts' },
    { name: 'inferenceRequestSchema', file: 'lambda/inference/request-schema.ts' },
    { name: 'Pseudonymiser', file: 'lambda/inference/pseudonyms.ts' },
  ],
  provenBy: [
    {
      file: 'test/lambda/inference/request-schema.test.ts',
      name: 'DATA-1: API Gateway request model from the feature specification a record has exactly customerId plus the specification fields, required ones listed',
    },
    {
      file: 'test/lambda/inference/core.test.ts',
      name: 'embedded scoring (DATA-1, DATA-5) the pseudonym is a KMS GenerateMac (HMAC_SHA_256) of the id with the configured key',
    },
    {
      file: 'test/lambda/inference/handler.test.ts',
      name: 'inference handler (API Gateway proxy, embedded model) DATA-1/DATA-4: no raw customer id or raw feature value appears in any log line',
    },
    {
      file: 'test/lib/api/api-stack.test.ts',
      name: 'the inference function (KEY-1, NET-1, DATA-1) the pseudonymisation key is an HMAC key only the function may use, for GenerateMac only',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const hmac = model
      .ofType('AWS::KMS::Key')
      .filter((k) => String(k.props.KeySpec ?? '').startsWith('HMAC'));
    if (hmac.length === 0) f.bad('no KMS HMAC key for pseudonymising customer ids');
    for (const k of hmac) {
      const users = grantsOf(model, 'kms:GenerateMac').filter(({ statement, handle }) =>
        statement.resources.some((r) => model.referencedResources(r, handle.stack).includes(k)),
      );
      f.check(
        users.length > 0,
        `HMAC key ${str(k.props.KeySpec)} used by ${users.map((u) => u.handle.path).join(', ')} (kms:GenerateMac)`,
        'no role may call kms:GenerateMac with the HMAC key',
        k,
      );
    }
    if (restApis(model).length === 0) f.bad(`${NO_API}; the request schema cannot be shown`);
    const models = model.ofType('AWS::ApiGateway::Model');
    if (restApis(model).length && models.length === 0) f.bad('the REST API has no request model');
    for (const m of models) {
      const objects = [...objectSchemas(m.props.Schema)];
      const open = objects.filter((o) => o.node.additionalProperties !== false);
      if (objects.length === 0) f.bad('request model describes no object', m);
      for (const o of open) f.bad(`request model accepts unknown properties at ${o.path}`, m);
      if (objects.length && open.length === 0)
        f.ok(
          `request model refuses properties outside the feature specification (${objects.length} object schemas)`,
          m,
        );
    }
    return f.conclude(
      'enforced',
      'only the model features are accepted; customer ids are replaced by a keyed HMAC',
    );
  },
});
