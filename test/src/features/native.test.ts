import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DriftAccumulator } from '../../../src/drift/accumulator';
import { parseBaseline } from '../../../src/drift/baseline';
import { buildBaseline } from '../../../src/drift/build';
import type { CategoricalFeatureReport } from '../../../src/drift/report';
import {
  FeatureEncoder,
  modelEncoderOptions,
  parseFeatureSpec,
  requestJsonSchema,
  SpecModelMismatchError,
  type FeatureSpec,
} from '../../../src/features';
import { loadModel, RecordScorer } from '../../../src/scorer';
import { fixtureCases, fixturesPresent, XGBOOST_FIXTURES } from '../../helpers/xgboost-fixtures';

const numeric = (name: string) => ({ name, type: 'numeric', required: false });

/** The spec a user writes for the fixtures' native-categorical model (values in their own order). */
function churnSpec(contractValues = ['Two year', 'Month-to-month', 'One year']): FeatureSpec {
  return parseFeatureSpec({
    specVersion: 1,
    name: 'churn-native',
    fields: [
      numeric('tenure'),
      numeric('MonthlyCharges'),
      numeric('TotalCharges'),
      numeric('SeniorCitizen'),
      { name: 'Contract', type: 'categorical', required: true, values: contractValues, native: true },
      {
        name: 'PaymentMethod',
        type: 'categorical',
        required: true,
        values: ['Bank transfer (automatic)', 'Credit card (automatic)', 'Electronic check', 'Mailed check'],
        native: { column: 'PaymentMethod' },
      },
      {
        name: 'InternetService',
        type: 'categorical',
        required: true,
        values: ['DSL', 'Fiber optic', 'No'],
        native: true,
      },
      {
        name: 'Region',
        type: 'categorical',
        required: false,
        values: Array.from({ length: 24 }, (_, i) => `region-${String(i).padStart(2, '0')}`),
        native: true,
      },
    ],
  });
}

describe('native categorical fields in the feature specification', () => {
  it('default the model column to the field name and refuse contradictory settings', () => {
    const spec = parseFeatureSpec({
      specVersion: 1,
      name: 's',
      fields: [{ name: 'plan', type: 'categorical', required: true, values: ['a', 'b'], native: true }],
    });
    expect(spec.fields[0]).toEqual({
      name: 'plan',
      type: 'categorical',
      required: true,
      values: ['a', 'b'],
      native: { column: 'plan' },
      missing: 'nan',
    });
    const field = { name: 'plan', type: 'categorical', required: false, values: ['a', 'b'] };
    expect(() =>
      parseFeatureSpec({
        specVersion: 1,
        name: 's',
        fields: [
          { ...field, native: true, oneHot: { dropFirst: false } },
          { ...field, name: 'p2', native: { column: '' } },
          { ...field, name: 'p3', native: true, missing: 'zeros' },
          { ...field, name: 'p4', native: { col: 'x' } },
        ],
      }),
    ).toThrow(
      /give either oneHot or native, not both[\s\S]*native\.column must be a non-empty string[\s\S]*'zeros' applies to one-hot fields only[\s\S]*native\.col is not a known property/,
    );
  });

  it('encode a value as its code and an absent optional value as missing; the request schema is the same enum', () => {
    const spec = churnSpec();
    const encoder = new FeatureEncoder(spec);
    const encoded = encoder.encode({
      Contract: 'One year',
      PaymentMethod: 'Mailed check',
      InternetService: 'No',
    });
    expect(encoded.ok).toBe(true);
    if (!encoded.ok) return;
    // No model: codes are positions in the field's own values.
    expect(Array.from(encoded.vector.slice(4))).toEqual([2, 3, 2, NaN]);
    expect(
      encoder.encode({ Contract: 'Three years', PaymentMethod: 'Mailed check', InternetService: 'No' }),
    ).toEqual({
      ok: false,
      errors: [
        {
          field: 'Contract',
          message: expect.stringContaining('must be one of "Two year", "Month-to-month"'),
        },
      ],
    });
    const schema = requestJsonSchema(spec, {}) as { properties: Record<string, { enum?: unknown[] }> };
    expect(schema.properties.Contract.enum).toEqual(['Two year', 'Month-to-month', 'One year']);
  });
});

const describeFixtures = fixturesPresent() ? describe : describe.skip;

describeFixtures('a native categorical model from XGBoost 3.4.1 behind a feature specification', () => {
  const modelPath = join(XGBOOST_FIXTURES, 'xgboost-3.4.1', 'native-categorical', 'model.json');
  const model = loadModel(readFileSync(modelPath));
  const fixture = fixtureCases().find((c) => c.id === 'xgboost-3.4.1/native-categorical');
  if (!fixture) throw new Error('fixture missing');
  const records = fixture.cells.map((cells) =>
    Object.fromEntries(fixture.header.map((h, i) => [h, cells[i]])),
  );

  it("codes values by the model's stored category names, whatever order the specification lists them in", () => {
    const scorer = new RecordScorer(model, churnSpec());
    let worst = 0;
    records.forEach((record, i) => {
      const scored = scorer.score(record, { explain: true });
      if (!scored.ok) throw new Error(JSON.stringify(scored.errors));
      worst = Math.max(worst, Math.abs(scored.result.prediction - fixture.prediction[i]));
      const contributions = scored.result.contributions ?? {};
      fixture.header.forEach((h, j) => {
        worst = Math.max(worst, Math.abs(contributions[h] - fixture.contributions[i][j]) / 10);
      });
    });
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  it('refuses a one-hot specification for a native model, and values the model does not know', () => {
    const oneHot = parseFeatureSpec({
      specVersion: 1,
      name: 'one-hot',
      fields: [
        ...[
          'tenure',
          'MonthlyCharges',
          'TotalCharges',
          'SeniorCitizen',
          'PaymentMethod',
          'InternetService',
          'Region',
        ].map(numeric),
        {
          name: 'Contract',
          type: 'categorical',
          required: true,
          values: ['x'],
          oneHot: { dropFirst: false, columns: ['Contract'] },
        },
      ],
    });
    expect(() => new RecordScorer(model, oneHot)).toThrow(SpecModelMismatchError);
    expect(() => new RecordScorer(model, oneHot)).toThrow(
      /model column 'Contract' is native categorical \(trained with enable_categorical\); declare field 'Contract' as categorical with "native": true/,
    );
    expect(() => new RecordScorer(model, churnSpec(['Two year', 'Three year']))).toThrow(
      /field 'Contract' allows "Three year", which the model's categories \("Month-to-month", "One year", "Two year"\) do not include/,
    );
  });

  it('baselines and drift-checks the feature by name, also from positional captures that carry codes', () => {
    const spec = churnSpec();
    const encoder = new FeatureEncoder(spec, modelEncoderOptions(model, 'ignore'));
    expect(encoder.nativeCategories('Contract')).toEqual({
      column: 'Contract',
      categories: ['Month-to-month', 'One year', 'Two year'],
    });
    const contract = records.map((r) => String(r.Contract));
    const baseline = parseBaseline(
      JSON.parse(
        JSON.stringify(
          buildBaseline({
            columns: [
              {
                name: 'Contract',
                kind: 'categorical',
                values: contract,
                allowed: spec.fields[4].type === 'categorical' ? spec.fields[4].values : null,
                native: encoder.nativeCategories('Contract'),
              },
            ],
            scores: fixture.prediction,
            featureOrder: ['Contract'],
            source: {
              trainingData: 't',
              trainingDataSha256: '',
              rows: contract.length,
              featureSpec: 's',
              featureSpecSha256: '',
              model: 'm',
              modelSha256: '',
            },
          }),
        ),
      ),
    );
    const acc = new DriftAccumulator(baseline);
    // Codes 0..2 name the three contracts; 7 is no category, '' is missing.
    for (const cell of ['2', '0', '1', '7', '']) acc.positionalRow([cell]);
    acc.csvRow('2', 0, 1);
    const report = acc.finish().features.find((f) => f.name === 'Contract') as CategoricalFeatureReport;
    expect(report.quality).toMatchObject({ records: 6, nulls: 1, typeErrors: 1 });
    expect(report.unseen.count).toBe(0);
  });
});

describe('a model without stored category names (XGBoost 1.7.4, trained from codes)', () => {
  const model = loadModel(
    readFileSync(join(__dirname, '../../fixtures/xgboost/native_categorical_codes.model.json')),
  );

  it('codes a native field by its position in the specification values', () => {
    const spec = parseFeatureSpec({
      specVersion: 1,
      name: 'codes',
      fields: [
        numeric('f0'),
        {
          name: 'f1',
          type: 'categorical',
          required: false,
          values: ['a', 'b', 'c', 'd', 'e', 'f'],
          native: true,
        },
        {
          name: 'f2',
          type: 'categorical',
          required: true,
          values: Array.from({ length: 40 }, (_, i) => `w${i}`),
          native: true,
        },
        numeric('f3'),
      ],
    });
    const scorer = new RecordScorer(model, spec);
    const scored = scorer.score({ f0: 0.5, f1: 'e', f2: 'w33', f3: -1 });
    expect(scored.ok && scored.result.prediction).toBe(model.predict([0.5, 4, 33, -1]));
  });
});
