import fc from 'fast-check';
import {
  buildCustomerMetadata,
  checkCommit,
  checkMetadataValue,
  METADATA_LIMITS,
  parseMetrics,
  readCustomerMetadata,
  RegistryError,
} from '../../../src/registry';
import { ARTIFACT_SHA256, COMMIT } from './aws-fakes';

const metrics = { auc: 0.91, precision: 0.8, recall: 0.7, f1: 0.7467 };

function expectUsageError(run: () => unknown, message: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).kind).toBe('usage');
    expect((error as RegistryError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a usage error');
}

describe('parseMetrics', () => {
  it('accepts the four required metrics and keeps extra numeric ones', () => {
    expect(parseMetrics(JSON.stringify({ ...metrics, logloss: 0.31 }), 'm.json')).toEqual({
      ...metrics,
      logloss: 0.31,
    });
  });

  it('names the missing metric', () => {
    expectUsageError(
      () => parseMetrics(JSON.stringify({ auc: 0.9, precision: 0.8, recall: 0.7 }), 'm.json'),
      /no 'f1'/,
    );
  });

  it('rejects a required metric outside [0, 1] and non-numbers, naming the metric', () => {
    expectUsageError(
      () => parseMetrics(JSON.stringify({ ...metrics, auc: 1.2 }), 'm.json'),
      /'auc' must be between 0 and 1/,
    );
    expectUsageError(
      () => parseMetrics(JSON.stringify({ ...metrics, recall: '0.7' }), 'm.json'),
      /'recall' must be a finite number/,
    );
  });

  it('rejects invalid JSON and non-objects', () => {
    expectUsageError(() => parseMetrics('{auc:', 'm.json'), /m.json is not valid JSON/);
    expectUsageError(() => parseMetrics('[0.9]', 'm.json'), /must hold a JSON object/);
  });
});

describe('SageMaker metadata limits', () => {
  const base = {
    artifactSha256: ARTIFACT_SHA256,
    artifactS3VersionId: 'abc/DEF+123=',
    sourceCommit: COMMIT,
    trainingDataVersion: 's3://data/v3',
  };

  it('records digest, version id, commit, data version and every metric under stable keys', () => {
    expect(buildCustomerMetadata({ ...base, metrics })).toEqual({
      'artifact-sha256': ARTIFACT_SHA256,
      'artifact-s3-version-id': 'abc/DEF+123=',
      'source-commit': COMMIT,
      'training-data-version': 's3://data/v3',
      'metric-auc': '0.91',
      'metric-precision': '0.8',
      'metric-recall': '0.7',
      'metric-f1': '0.7467',
    });
  });

  it('refuses values longer than 256 characters or with characters SageMaker rejects', () => {
    expectUsageError(
      () => checkMetadataValue('--data-version', 'v'.repeat(METADATA_LIMITS.maxValueLength + 1)),
      /at most 256/,
    );
    expectUsageError(
      () => checkMetadataValue('--data-version', 'v1,v2'),
      /--data-version 'v1,v2' contains characters/,
    );
    expect(checkMetadataValue('--data-version', 'v'.repeat(256))).toHaveLength(256);
  });

  it('refuses more than 50 entries in total', () => {
    const many = { ...metrics } as Record<string, number>;
    for (let i = 0; i < 47; i += 1) many[`extra${i}`] = i;
    expectUsageError(
      () => buildCustomerMetadata({ ...base, metrics: many as typeof metrics }),
      /at most 50 metadata entries/,
    );
  });

  it('accepts git commit ids and rejects anything else', () => {
    expect(checkCommit('ABCDEF1')).toBe('abcdef1');
    expectUsageError(() => checkCommit('main'), /not a git commit id/);
  });

  it('reads back exactly the metrics it wrote, for any values in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.record({
          auc: fc.double({ min: 0, max: 1, noNaN: true }),
          precision: fc.double({ min: 0, max: 1, noNaN: true }),
          recall: fc.double({ min: 0, max: 1, noNaN: true }),
          f1: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (generated) => {
          const properties = buildCustomerMetadata({ ...base, metrics: generated });
          for (const value of Object.values(properties)) expect(value.length).toBeLessThanOrEqual(256);
          expect(readCustomerMetadata(properties).metrics).toEqual(generated);
        },
      ),
      { numRuns: 200 },
    );
  });
});
