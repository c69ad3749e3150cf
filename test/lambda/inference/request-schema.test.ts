import { inferenceRequestSchema } from '../../../lambda/inference/request-schema';
import { SPEC } from './fixtures';

describe('DATA-1: API Gateway request model from the feature specification', () => {
  const schema = inferenceRequestSchema(SPEC, { maxBatchSize: 50, customerIdPattern: '^[0-9]{4}-[A-Z]{5}$' });

  test('one record or a bounded batch of records, draft-04, without oneOf (so errors name the property)', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.type).toEqual(['object', 'array']);
    expect(schema).toMatchObject({ minItems: 1, maxItems: 50, additionalProperties: false });
    expect(schema).not.toHaveProperty('oneOf');
    // The object keywords at the top level and the array's items are the same record schema.
    expect(schema.properties).toEqual(schema.items.properties);
    expect(schema.required).toEqual(schema.items.required);
  });

  test('a record has exactly customerId plus the specification fields, required ones listed', () => {
    const record = schema.items;
    expect(Object.keys(record.properties)).toEqual(['customerId', ...SPEC.fields.map((f) => f.name)]);
    expect(record.additionalProperties).toBe(false);
    expect(record.required).toEqual([
      'customerId',
      ...SPEC.fields.filter((f) => f.required).map((f) => f.name),
    ]);
    expect(record.properties.customerId).toMatchObject({ type: 'string', pattern: '^[0-9]{4}-[A-Z]{5}$' });
    expect(record.properties.Contract).toMatchObject({ enum: ['Month-to-month', 'One year', 'Two year'] });
    expect(record.properties.tenure).toMatchObject({
      type: 'number',
      multipleOf: 1,
      minimum: 0,
      maximum: 72,
    });
    // No line terminator in an id, whatever a regex engine's `$` does before one.
    expect(record.properties.customerId).toMatchObject({ not: { pattern: '[\\n\\r\\u0085\\u2028\\u2029]' } });
  });

  test('a non-positive batch size is refused', () => {
    expect(() => inferenceRequestSchema(SPEC, { maxBatchSize: 0, customerIdPattern: '.*' })).toThrow(
      /maxBatchSize/,
    );
  });
});
