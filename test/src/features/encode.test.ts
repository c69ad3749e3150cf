import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  FeatureEncoder,
  parseFeatureSpec,
  SpecModelMismatchError,
  type RawRecord,
} from '../../../src/features';

const spec = parseFeatureSpec(
  JSON.parse(readFileSync(join(__dirname, '../../../models/sample-churn/feature-spec.json'), 'utf8')),
);

const customer: RawRecord = {
  gender: 'Female',
  SeniorCitizen: 0,
  Partner: 'Yes',
  Dependents: 'No',
  tenure: 12,
  PhoneService: 'Yes',
  MultipleLines: 'No',
  InternetService: 'Fiber optic',
  OnlineSecurity: 'No',
  OnlineBackup: 'Yes',
  DeviceProtection: 'No',
  TechSupport: 'No',
  StreamingTV: 'Yes',
  StreamingMovies: 'No internet service',
  Contract: 'Month-to-month',
  PaperlessBilling: 'Yes',
  PaymentMethod: 'Electronic check',
  MonthlyCharges: 89.1,
  TotalCharges: 1069.2,
};

function valueOf(encoder: FeatureEncoder, vector: Float64Array, column: string): number {
  return vector[encoder.columns.indexOf(column)];
}

describe('FeatureEncoder', () => {
  const encoder = new FeatureEncoder(spec);

  it('one-hot encodes categoricals with and without drop-first and passes numbers through', () => {
    const result = encoder.encode(customer);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const v = result.vector;
    expect(valueOf(encoder, v, 'Partner_Yes')).toBe(1);
    expect(valueOf(encoder, v, 'gender_Male')).toBe(0);
    expect(valueOf(encoder, v, 'Contract_One year')).toBe(0);
    expect(valueOf(encoder, v, 'Contract_Two year')).toBe(0);
    expect(valueOf(encoder, v, 'InternetService_Fiber optic')).toBe(1);
    expect(valueOf(encoder, v, 'InternetService_DSL')).toBe(0);
    expect(valueOf(encoder, v, 'StreamingMovies_No internet service')).toBe(1);
    expect(valueOf(encoder, v, 'tenure')).toBe(12);
    expect(valueOf(encoder, v, 'MonthlyCharges')).toBe(89.1);
    expect(encoder.columns).toHaveLength(v.length);
  });

  it('parses CSV strings strictly and treats blank optional numbers as missing', () => {
    const result = encoder.encode({ ...customer, tenure: ' 7 ', MonthlyCharges: '1e2', TotalCharges: ' ' });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(valueOf(encoder, result.vector, 'tenure')).toBe(7);
    expect(valueOf(encoder, result.vector, 'MonthlyCharges')).toBe(100);
    expect(valueOf(encoder, result.vector, 'TotalCharges')).toBeNaN();
    const withoutTotal: Record<string, unknown> = { ...customer };
    delete withoutTotal.TotalCharges;
    expect(encoder.encode(withoutTotal).ok).toBe(true);
  });

  it('reports every bad field of a record with a message naming the rule broken', () => {
    const result = encoder.encode({
      ...customer,
      tenure: 80,
      SeniorCitizen: 0.5,
      Contract: 'monthly',
      MonthlyCharges: '0x10',
      gender: undefined,
      TotalCharges: -1,
      Extra: 1,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { field: 'Extra', message: 'is not a field of the feature specification' },
      { field: 'gender', message: 'is required' },
      { field: 'SeniorCitizen', message: 'must be a whole number; got 0.5' },
      { field: 'tenure', message: 'must be at most 72; got 80' },
      {
        field: 'Contract',
        message: 'must be one of "Month-to-month", "One year", "Two year"; got "monthly"',
      },
      { field: 'MonthlyCharges', message: 'must be a number; got "0x10"' },
      { field: 'TotalCharges', message: 'must be at least 0; got -1' },
    ]);
  });

  it('rejects non-string categorical values and non-finite numbers', () => {
    const result = encoder.encode({ ...customer, Partner: true, MonthlyCharges: Infinity });
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'Partner', message: 'must be one of "No", "Yes"; got boolean true' },
        { field: 'MonthlyCharges', message: 'must be a finite number; got Infinity' },
      ],
    });
  });

  it('ignores unknown fields such as ids and labels when asked to', () => {
    const lenient = new FeatureEncoder(spec, { unknownFields: 'ignore' });
    expect(lenient.encode({ ...customer, customerID: '1234-ABCDE', Churn: 'No' }).ok).toBe(true);
  });

  it('writes optional categoricals as missing or as zeros, as the spec says', () => {
    const custom = parseFeatureSpec({
      specVersion: 1,
      name: 'x',
      fields: [
        { name: 'a', type: 'categorical', required: false, values: ['p', 'q'], oneHot: { dropFirst: false } },
        {
          name: 'b',
          type: 'categorical',
          required: false,
          values: ['p', 'q'],
          oneHot: { dropFirst: false },
          missing: 'zeros',
        },
      ],
    });
    const result = new FeatureEncoder(custom).encode({ a: null, b: '' });
    expect(result.ok && Array.from(result.vector)).toEqual([NaN, NaN, 0, 0]);
  });

  it('follows the model column order when bound to a model and refuses a spec that does not match it', () => {
    const bound = new FeatureEncoder(spec, { modelFeatureNames: [...encoder.columns].reverse() });
    const result = bound.encode(customer);
    const plain = encoder.encode(customer);
    expect(result.ok && plain.ok && Array.from(result.vector)).toEqual(
      plain.ok && Array.from(plain.vector).reverse(),
    );
    expect(
      () => new FeatureEncoder(spec, { modelFeatureNames: [...encoder.columns.slice(1), 'f99'] }),
    ).toThrow(SpecModelMismatchError);
    expect(
      () => new FeatureEncoder(spec, { modelFeatureNames: [...encoder.columns.slice(1), 'f99'] }),
    ).toThrow(
      'does not match the model; model columns not produced by the specification: f99; specification columns the model does not have: gender_Male',
    );
  });

  it('sums one-hot column contributions back onto their source field', () => {
    const contributions = new Float64Array(encoder.columns.length).map((_, i) => i + 1);
    const byField = encoder.sumBySourceField(contributions);
    expect(Object.keys(byField)).toEqual(spec.fields.map((f) => f.name));
    const at = (c: string): number => encoder.columns.indexOf(c) + 1;
    expect(byField.Contract).toBe(at('Contract_One year') + at('Contract_Two year'));
    expect(byField.InternetService).toBe(
      at('InternetService_DSL') + at('InternetService_Fiber optic') + at('InternetService_No'),
    );
    expect(byField.tenure).toBe(at('tenure'));
    expect(Object.values(byField).reduce((a, b) => a + b, 0)).toBe(contributions.reduce((a, b) => a + b, 0));
    expect(() => encoder.sumBySourceField([1, 2])).toThrow(RangeError);
    const ordered = encoder.sumBySourceFieldInto(contributions, new Float64Array(encoder.fieldNames.length));
    expect(Array.from(ordered)).toEqual(encoder.fieldNames.map((name) => byField[name]));
  });
});
