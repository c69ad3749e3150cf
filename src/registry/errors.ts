import { DigestMismatchError } from '../integrity/digest';

/**
 * Every failure the registry can report, each with its own exit code so scripts and CI can react to the
 * cause (retry on a transient error, page someone on a digest mismatch) without parsing messages.
 */
export const EXIT_CODES = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  noSuchGroup: 3,
  noSuchVersion: 4,
  artifactMissing: 5,
  digestMismatch: 6,
  accessDenied: 7,
  notApproved: 8,
  invalidPackage: 9,
  invalidArtifact: 10,
  incompatibleImage: 11,
  answersDiffer: 12,
  notRobust: 13,
} as const;

export type RegistryErrorKind = Exclude<keyof typeof EXIT_CODES, 'ok'>;

export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegistryError';
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** What the failing call was about, so a "not found" names the right thing. */
export type AwsCallSubject =
  | { kind: 'group'; group: string }
  | { kind: 'version'; group: string; version: number | string }
  | { kind: 's3Object'; uri: string }
  | { kind: 'other' };

interface AwsLikeError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function asAwsLike(error: unknown): AwsLikeError {
  return typeof error === 'object' && error !== null ? (error as AwsLikeError) : {};
}

const ACCESS_DENIED_NAMES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
  'AllAccessDisabled',
]);

// SageMaker answers a missing model package group or version with either ResourceNotFound or a
// ValidationException whose message says the thing "does not exist"; both mean the same to a user.
const NOT_FOUND_MESSAGE = /does not exist|not found|cannot be found|could not find/i;

/**
 * Turns an AWS SDK error into a RegistryError with a plain message; `action` says what was being done
 * ("registering a model package in group 'churn-dev'") and `subject` what a "not found" refers to.
 * Errors that are already RegistryErrors pass through untouched.
 */
export function toRegistryError(error: unknown, action: string, subject: AwsCallSubject): RegistryError {
  if (error instanceof RegistryError) return error;
  if (error instanceof DigestMismatchError) {
    return new RegistryError('digestMismatch', error.message, { cause: error });
  }
  const aws = asAwsLike(error);
  const name = aws.name ?? aws.Code ?? 'Error';
  const status = aws.$metadata?.httpStatusCode;
  const detail = aws.message && aws.message !== name ? `${name}: ${aws.message}` : name;

  if (ACCESS_DENIED_NAMES.has(name) || status === 403) {
    const hint =
      name === 'CredentialsProviderError'
        ? 'no AWS credentials were found; set AWS_PROFILE or sign in first'
        : 'check that your role may call this API on this resource (and use the KMS key, for S3 objects)';
    return new RegistryError('accessDenied', `access denied while ${action}: ${hint} (${detail})`, {
      cause: error,
    });
  }

  if (name === 'BadDigest' || (name === 'InvalidRequest' && /checksum|digest/i.test(aws.message ?? ''))) {
    return new RegistryError(
      'digestMismatch',
      `S3 rejected the upload while ${action}: the bytes it received do not match the SHA-256 we computed, ` +
        `so the file changed or was corrupted in transit (${detail})`,
      { cause: error },
    );
  }

  const notFound =
    name === 'ResourceNotFound' ||
    name === 'ResourceNotFoundException' ||
    name === 'NoSuchKey' ||
    name === 'NotFound' ||
    name === 'NoSuchBucket' ||
    (name === 'ValidationException' && NOT_FOUND_MESSAGE.test(aws.message ?? '')) ||
    status === 404;
  if (notFound) {
    switch (subject.kind) {
      case 'group':
        return new RegistryError(
          'noSuchGroup',
          `model package group '${subject.group}' does not exist in this account and region ` +
            `(check --group, AWS_REGION and the account you are signed in to)`,
          { cause: error },
        );
      case 'version':
        return new RegistryError(
          'noSuchVersion',
          `model package group '${subject.group}' has no version ${subject.version}`,
          { cause: error },
        );
      case 's3Object':
        return new RegistryError(
          'artifactMissing',
          name === 'NoSuchBucket'
            ? `bucket of ${subject.uri} does not exist (${detail})`
            : `artifact ${subject.uri} does not exist (${detail})`,
          { cause: error },
        );
      case 'other':
        break;
    }
  }

  return new RegistryError('unexpected', `${action} failed: ${detail}`, { cause: error });
}

/** Wraps one AWS call so any failure comes back as a RegistryError about `subject`. */
export async function awsCall<T>(
  action: string,
  subject: AwsCallSubject,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toRegistryError(error, action, subject);
  }
}
