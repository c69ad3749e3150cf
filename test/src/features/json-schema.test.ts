import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { JSON_SCHEMA_DRAFT_04, parseFeatureSpec, requestJsonSchema } from '../../../src/features';

const spec = parseFeatureSpec(
  JSON.parse(readFileSync(join(__dirname, '../../../models/sample-churn/feature-spec.json'), 'utf8')),
);

describe('requestJsonSchema', () => {
  const schema = requestJsonSchema(spec);

  it('describes a closed draft-04 object with the required fields listed', () => {
    expect(schema.$schema).toBe(JSON_SCHEMA_DRAFT_04);
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toHaveLength(18);
    expect(schema.required).not.toContain('TotalCharges');
    expect(Object.keys(schema.properties ?? {})).toEqual(spec.fields.map((f) => f.name));
  });

  it('maps ranges, integers and allowed values onto draft-04 keywords', () => {
    // Whole numbers as multipleOf 1: `49.0` is the same JSON number to every reader.
    expect(schema.properties?.tenure).toEqual({
      type: 'number',
      description: 'Months the customer has been with the company',
      multipleOf: 1,
      minimum: 0,
      maximum: 72,
    });
    expect(schema.properties?.Contract).toMatchObject({
      type: 'string',
      enum: ['Month-to-month', 'One year', 'Two year'],
    });
    expect(schema.properties?.TotalCharges).toMatchObject({ type: ['number', 'null'], minimum: 0 });
  });

  it('uses only draft-04 keywords (no const, exclusive bounds as numbers, or $id)', () => {
    const text = JSON.stringify(schema);
    for (const keyword of ['"const"', '"$id"', '"exclusiveMinimum"', '"exclusiveMaximum"', '"examples"']) {
      expect(text).not.toContain(keyword);
    }
  });

  it('can leave out null for optional fields and the $schema keyword', () => {
    const strict = requestJsonSchema(spec, {
      allowNullForOptional: false,
      includeSchemaKeyword: false,
      title: 'Churn',
    });
    expect(strict.$schema).toBeUndefined();
    expect(strict.title).toBe('Churn');
    expect(strict.properties?.TotalCharges?.type).toBe('number');
  });
});
