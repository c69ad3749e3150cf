import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { FeatureSpecError, parseFeatureSpec, specColumns } from '../../../src/features';

const SAMPLE_SPEC = join(__dirname, '../../../models/sample-churn/feature-spec.json');
const sampleDocument = (): Record<string, unknown> => JSON.parse(readFileSync(SAMPLE_SPEC, 'utf8'));

function issuesOf(document: unknown): readonly string[] {
  try {
    parseFeatureSpec(document);
  } catch (error) {
    if (error instanceof FeatureSpecError) return error.issues;
    throw error;
  }
  throw new Error('expected the specification to be rejected');
}

const minimal = (fields: unknown[]): Record<string, unknown> => ({ specVersion: 1, name: 't', fields });

describe('parseFeatureSpec', () => {
  it('accepts the sample churn specification and fills in pandas-style one-hot column names', () => {
    const spec = parseFeatureSpec(sampleDocument());
    expect(spec.fields).toHaveLength(19);
    const contract = spec.fields.find((f) => f.name === 'Contract');
    expect(contract).toMatchObject({
      oneHot: { dropFirst: true, columns: ['Contract_One year', 'Contract_Two year'] },
    });
    const internet = spec.fields.find((f) => f.name === 'InternetService');
    expect(internet).toMatchObject({ missing: 'nan', oneHot: { dropFirst: false } });
    expect(specColumns(spec)).toContain('InternetService_DSL');
    expect(spec.fields.find((f) => f.name === 'tenure')).toMatchObject({ column: 'tenure', integer: true });
  });

  it('keeps explicit column names for numeric and one-hot fields', () => {
    const spec = parseFeatureSpec(
      minimal([
        { name: 'age', type: 'numeric', required: true, column: 'age_years' },
        {
          name: 'plan',
          type: 'categorical',
          required: false,
          values: ['a', 'b'],
          oneHot: { dropFirst: false, columns: ['p_a', 'p_b'] },
        },
      ]),
    );
    expect(specColumns(spec)).toEqual(['age_years', 'p_a', 'p_b']);
  });

  it('MODEL-7: reads a declared monotone direction of a numeric field and refuses any other value', () => {
    const spec = parseFeatureSpec(
      minimal([{ name: 'charges', type: 'numeric', required: true, monotone: 'increasing' }]),
    );
    expect(spec.fields[0]).toMatchObject({ monotone: 'increasing' });
    expect(issuesOf(minimal([{ name: 'charges', type: 'numeric', required: true, monotone: 'up' }]))).toEqual(
      [`fields[0] (charges).monotone must be 'increasing' or 'decreasing', got "up"`],
    );
  });

  it('rejects a document that is not an object or has the wrong version', () => {
    expect(issuesOf([])).toEqual(['the document must be a JSON object']);
    expect(issuesOf({ ...sampleDocument(), specVersion: 2 })).toEqual(['$.specVersion must be 1, got 2']);
  });

  it('reports every problem at once, each with its path', () => {
    const issues = issuesOf(
      minimal([
        { name: 'a', type: 'numeric', required: true, minimum: 5, maximum: 1 },
        { name: 'a', type: 'numeric', required: true },
        { name: 'b', type: 'text', required: true },
        { name: 'c', type: 'categorical', values: ['x', 'x'], oneHot: { dropFirst: true } },
        { type: 'numeric', required: true },
      ]),
    );
    expect(issues).toEqual([
      'fields[0] (a): minimum 5 is greater than maximum 1',
      "fields[1] (a): field name 'a' is used twice",
      "fields[2] (b).type must be 'numeric' or 'categorical', got \"text\"",
      'fields[3] (c).required must be true or false',
      "fields[3] (c).values contains 'x' twice",
      'fields[4].name must be a non-empty string',
    ]);
  });

  it('rejects misspelt properties instead of silently ignoring them', () => {
    const issues = issuesOf(minimal([{ name: 'a', type: 'numeric', required: true, maximun: 3 }]));
    expect(issues[0]).toMatch(/^fields\[0\] \(a\)\.maximun is not a known property/);
  });

  it('rejects one-hot settings that cannot encode the values', () => {
    expect(
      issuesOf(
        minimal([
          { name: 'c', type: 'categorical', required: true, values: ['x'], oneHot: { dropFirst: true } },
        ]),
      ),
    ).toEqual(['fields[0] (c): with dropFirst a categorical field needs at least two values']);
    expect(
      issuesOf(
        minimal([
          {
            name: 'c',
            type: 'categorical',
            required: true,
            values: ['x', 'y', 'z'],
            oneHot: { dropFirst: true, columns: ['c_y'] },
          },
        ]),
      ),
    ).toEqual([
      'fields[0] (c).oneHot.columns has 1 names but 2 are needed (one per value except the first, because dropFirst is true)',
    ]);
    expect(
      issuesOf(minimal([{ name: 'c', type: 'categorical', required: true, values: ['x', 'y'] }])),
    ).toEqual(['fields[0] (c) needs oneHot (an object like { "dropFirst": true }) or "native": true']);
  });

  it('rejects two fields writing the same model column', () => {
    const issues = issuesOf(
      minimal([
        { name: 'plan_b', type: 'numeric', required: true },
        {
          name: 'plan',
          type: 'categorical',
          required: true,
          values: ['a', 'b'],
          oneHot: { dropFirst: true },
        },
      ]),
    );
    expect(issues).toEqual(["model column 'plan_b' is produced by both 'plan_b' and 'plan'"]);
  });

  it('puts the source and all issues in the error message', () => {
    expect(() => parseFeatureSpec(minimal([]), 'spec.json')).toThrow(
      'spec.json is invalid:\n  - $.fields must be a non-empty array',
    );
  });
});
