import type { FeatureSpec, FieldSpec } from './spec';

/** The subset of JSON Schema draft-04 the generator emits (API Gateway REST models use draft 4). */
export interface JsonSchemaDraft4 {
  readonly $schema?: string;
  readonly title?: string;
  readonly description?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchemaDraft4>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly enum?: readonly (string | null)[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly multipleOf?: number;
}

export interface RequestSchemaOptions {
  /** @default `${spec.name} request record` */
  readonly title?: string;
  /**
   * Whether optional fields may be sent as JSON null (meaning missing) as well as omitted.
   * @default true
   */
  readonly allowNullForOptional?: boolean;
  /**
   * Whether to include `$schema`. API Gateway accepts it; embedding the schema in a larger one may not.
   * @default true
   */
  readonly includeSchemaKeyword?: boolean;
}

export const JSON_SCHEMA_DRAFT_04 = 'http://json-schema.org/draft-04/schema#';

function fieldSchema(field: FieldSpec, allowNull: boolean): JsonSchemaDraft4 {
  const nullable = allowNull && !field.required;
  const description = field.description !== undefined ? { description: field.description } : {};
  if (field.type === 'numeric') {
    // Whole numbers are `number` + `multipleOf: 1`, not `integer`: a draft-04 validator that keeps the
    // number's text (API Gateway's, Python's) refuses `49.0` and `4.9e1` as integers, while JSON.parse in the
    // function cannot tell them from `49`. With multipleOf both sides accept them, so the contract is the same.
    return {
      type: nullable ? ['number', 'null'] : 'number',
      ...description,
      ...(field.integer ? { multipleOf: 1 } : {}),
      ...(field.minimum !== undefined ? { minimum: field.minimum } : {}),
      ...(field.maximum !== undefined ? { maximum: field.maximum } : {}),
    };
  }
  return {
    type: nullable ? ['string', 'null'] : 'string',
    ...description,
    enum: nullable ? [...field.values, null] : [...field.values],
  };
}

/**
 * JSON Schema (draft-04) for one raw request record: an object with exactly the specification's
 * fields, required ones listed in `required`, numeric ranges as inclusive minimum/maximum (draft-04's
 * exclusive bounds are booleans, so they are never emitted), whole numbers as `multipleOf: 1` and
 * categorical values as `enum`.
 * Numeric fields are typed as JSON numbers: CSV-style numeric strings are for the CLI, not the API.
 */
export function requestJsonSchema(spec: FeatureSpec, options: RequestSchemaOptions = {}): JsonSchemaDraft4 {
  const allowNull = options.allowNullForOptional ?? true;
  const properties: Record<string, JsonSchemaDraft4> = {};
  for (const field of spec.fields) properties[field.name] = fieldSchema(field, allowNull);
  return {
    ...(options.includeSchemaKeyword === false ? {} : { $schema: JSON_SCHEMA_DRAFT_04 }),
    title: options.title ?? `${spec.name} request record`,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    type: 'object',
    properties,
    required: spec.fields.filter((f) => f.required).map((f) => f.name),
    additionalProperties: false,
  };
}
