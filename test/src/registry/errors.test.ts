import { DigestMismatchError } from '../../../src/integrity/digest';
import { EXIT_CODES, RegistryError, toRegistryError } from '../../../src/registry';
import { s3Error, sageMakerError } from './aws-fakes';

const group = { kind: 'group', group: 'churn-dev' } as const;
const object = { kind: 's3Object', uri: 's3://b/k' } as const;

describe('toRegistryError', () => {
  it.each<[string, unknown, Parameters<typeof toRegistryError>[2], RegistryError['kind']]>([
    ['SageMaker AccessDeniedException', sageMakerError('AccessDeniedException', 'no'), group, 'accessDenied'],
    ['S3 AccessDenied', s3Error('AccessDenied', 'Access Denied', 403), object, 'accessDenied'],
    ['a bare HTTP 403 (HeadObject has no body)', s3Error('Forbidden', '', 403), object, 'accessDenied'],
    ['expired credentials', sageMakerError('ExpiredTokenException', 'expired'), group, 'accessDenied'],
    ['SageMaker ResourceNotFound on a group', sageMakerError('ResourceNotFound', 'x'), group, 'noSuchGroup'],
    [
      'S3 NoSuchKey',
      s3Error('NoSuchKey', 'The specified key does not exist.', 404),
      object,
      'artifactMissing',
    ],
    ['a bare HTTP 404 (HeadObject)', s3Error('NotFound', '', 404), object, 'artifactMissing'],
    ['S3 BadDigest', s3Error('BadDigest', 'mismatch', 400), object, 'digestMismatch'],
    [
      'a ValidationException about something else',
      sageMakerError('ValidationException', 'bad pattern'),
      group,
      'unexpected',
    ],
    ['throttling', sageMakerError('ThrottlingException', 'Rate exceeded'), group, 'unexpected'],
  ])('maps %s', (_case, error, subject, kind) => {
    const mapped = toRegistryError(error, 'doing a thing', subject);
    expect(mapped.kind).toBe(kind);
    expect(mapped.exitCode).toBe(EXIT_CODES[kind]);
    expect(mapped.cause).toBe(error);
  });

  it('explains a missing credential chain instead of echoing the SDK', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(toRegistryError(error, 'listing', group).message).toContain('no AWS credentials were found');
  });

  it('keeps the AWS message for unexpected errors so nothing is hidden', () => {
    const mapped = toRegistryError(
      sageMakerError('ThrottlingException', 'Rate exceeded'),
      'listing versions',
      group,
    );
    expect(mapped.message).toBe('listing versions failed: ThrottlingException: Rate exceeded');
  });

  it('passes RegistryErrors through and turns DigestMismatchError into a digest mismatch', () => {
    const original = new RegistryError('usage', 'bad');
    expect(toRegistryError(original, 'x', group)).toBe(original);
    expect(
      toRegistryError(new DigestMismatchError('a', 'b'.repeat(64), 'c'.repeat(64)), 'x', object).kind,
    ).toBe('digestMismatch');
  });

  it('gives every kind a distinct non-zero exit code', () => {
    const codes = Object.entries(EXIT_CODES)
      .filter(([kind]) => kind !== 'ok')
      .map(([, code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((code) => code > 0 && code < 126)).toBe(true);
  });
});
