import { RegistryError } from './errors';

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** Parses `s3://bucket/key`; `what` names the value in the error ("ModelDataUrl of version 3"). */
export function parseS3Uri(uri: string, what: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new RegistryError('invalidPackage', `${what} '${uri}' is not an s3://bucket/key URI`);
  return { bucket: match[1], key: match[2] };
}

// S3 general-purpose bucket naming rules, enough to catch a typo or a pasted ARN before any call is made.
const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function checkBucketName(bucket: string): string {
  if (!BUCKET_NAME.test(bucket)) {
    throw new RegistryError(
      'usage',
      `--bucket '${bucket}' is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-'; not an ARN or URI)`,
    );
  }
  return bucket;
}
