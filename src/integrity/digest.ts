import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256, the form recorded in the model registry and in `*.sha256` files. */
export type Sha256Hex = string;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(value: string): value is Sha256Hex {
  return SHA256_HEX.test(value);
}

export function sha256Hex(bytes: Uint8Array | string): Sha256Hex {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Digest of a stream read chunk by chunk, so a large artifact never has to fit in memory. */
export async function sha256OfStream(chunks: AsyncIterable<Uint8Array | string>): Promise<Sha256Hex> {
  const hash = createHash('sha256');
  for await (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

export class DigestMismatchError extends Error {
  constructor(
    readonly subject: string,
    readonly expected: Sha256Hex,
    readonly actual: Sha256Hex,
  ) {
    super(`SHA-256 of ${subject} is ${actual} but ${expected} was expected; refusing to use it`);
    this.name = 'DigestMismatchError';
  }
}

/** Throws unless `actual` equals `expected`; `expected` must be a well-formed lower-case hex digest. */
export function assertDigest(subject: string, expected: string, actual: Sha256Hex): void {
  const normalised = expected.trim().toLowerCase();
  if (!isSha256Hex(normalised)) {
    throw new Error(`expected SHA-256 for ${subject} must be 64 hex characters, got '${expected}'`);
  }
  if (normalised !== actual) throw new DigestMismatchError(subject, normalised, actual);
}
