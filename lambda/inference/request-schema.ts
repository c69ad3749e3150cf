import {
  JSON_SCHEMA_DRAFT_04,
  requestJsonSchema,
  type FeatureSpec,
  type JsonSchemaDraft4,
} from '../../src/features';
import { CUSTOMER_ID_FIELD, MAX_CUSTOMER_ID_LENGTH } from './request';

/**
 * The request model: one JSON-schema document that is both a record schema (for an object) and a batch
 * schema (for an array). Draft-04 applies `properties`/`required`/`additionalProperties` only to objects
 * and `items`/`minItems`/`maxItems` only to arrays, so no `oneOf` is needed; API Gateway then reports each
 * violation against the offending property instead of "failed to match exactly one schema".
 */
export interface InferenceRequestSchema extends RecordSchema {
  readonly $schema: string;
  readonly title: string;
  readonly type: readonly ['object', 'array'];
  readonly minItems: number;
  readonly maxItems: number;
  readonly items: RecordSchema;
}

export interface RecordSchema extends Omit<JsonSchemaDraft4, 'properties' | 'type'> {
  readonly type?: JsonSchemaDraft4['type'];
  readonly properties: Readonly<Record<string, JsonSchemaDraft4 | CustomerIdSchema>>;
}

interface CustomerIdSchema {
  readonly type: 'string';
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: string;
  readonly not: { readonly pattern: string };
  readonly description: string;
}

/**
 * Line terminators in a customer id. `$` matches before a final line terminator in Java and Python regular
 * expressions but not in ECMA-262, so without this a configured `^...$` pattern would let `"1234-ABCDE\n"`
 * through some draft-04 validators and not others; excluding them makes every engine decide the same.
 */
const LINE_TERMINATORS = '[\\n\\r\\u0085\\u2028\\u2029]';

/**
 * The API Gateway request model (JSON Schema draft-04): one customer record or an array of 1..maxBatchSize
 * records, each the feature specification's record schema plus `customerId`. Built from the same
 * specification as the function's validator, so the edge rejects what the function would reject.
 */
export function inferenceRequestSchema(
  spec: FeatureSpec,
  options: { readonly maxBatchSize: number; readonly customerIdPattern: string },
): InferenceRequestSchema {
  if (!Number.isInteger(options.maxBatchSize) || options.maxBatchSize < 1) {
    throw new RangeError(`maxBatchSize must be a positive integer, got ${options.maxBatchSize}`);
  }
  const base = requestJsonSchema(spec, { includeSchemaKeyword: false });
  if (base.properties?.[CUSTOMER_ID_FIELD] !== undefined) {
    throw new Error(`feature specification '${spec.name}' must not define a '${CUSTOMER_ID_FIELD}' field`);
  }
  const record: RecordSchema = {
    ...base,
    properties: {
      [CUSTOMER_ID_FIELD]: {
        type: 'string',
        minLength: 1,
        maxLength: MAX_CUSTOMER_ID_LENGTH,
        pattern: options.customerIdPattern,
        not: { pattern: LINE_TERMINATORS },
        description:
          'The business customer id; pseudonymised with a keyed HMAC before it is logged or stored',
      },
      ...base.properties,
    },
    required: [CUSTOMER_ID_FIELD, ...(base.required ?? [])],
  };
  const { type: _object, ...recordKeywords } = record;
  return {
    $schema: JSON_SCHEMA_DRAFT_04,
    ...recordKeywords,
    title: `${spec.name} inference request`,
    description: `One customer, or an array of at most ${options.maxBatchSize}`,
    type: ['object', 'array'],
    minItems: 1,
    maxItems: options.maxBatchSize,
    items: record,
  };
}
