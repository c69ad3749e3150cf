import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { assertDigest, sha256Hex } from '../../src/integrity/digest';
import { loadModel, type TreeEnsembleModel } from '../../src/scorer';

/** Files SageMaker's XGBoost container reads from model.tar.gz, then the plain JSON names the CLI publishes. */
const MODEL_FILE_NAMES = ['xgboost-model', 'xgboost-model.json', 'model.json'];

export class ModelArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelArtifactError';
  }
}

export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(url);
  if (!match) throw new ModelArtifactError(`model data URL '${url}' is not an s3://bucket/key URL`);
  return { bucket: match[1], key: match[2] };
}

function readTarString(block: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && block[end] !== 0) end++;
  return Buffer.from(block.subarray(start, end)).toString('utf8');
}

/** The model file inside a (ustar) tar archive; SageMaker artifacts are model.tar.gz. */
export function modelFileFromTar(tar: Uint8Array, source: string): Uint8Array {
  const files = new Map<string, Uint8Array>();
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = readTarString(header, 0, 100);
    const prefix = readTarString(header, 345, 155);
    const size = parseInt(readTarString(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 0x30);
    if (!Number.isFinite(size) || size < 0 || offset + 512 + size > tar.length) {
      throw new ModelArtifactError(`${source}: tar archive is truncated or corrupted`);
    }
    if (type === '0' || type === '\0') {
      const path = prefix ? `${prefix}/${name}` : name;
      files.set(path.replace(/^\.\//, ''), tar.subarray(offset + 512, offset + 512 + size));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  for (const wanted of MODEL_FILE_NAMES) {
    const found = files.get(wanted);
    if (found) return found;
  }
  throw new ModelArtifactError(
    `${source}: archive holds no ${MODEL_FILE_NAMES.join(' / ')} (found: ${[...files.keys()].join(', ') || 'nothing'})`,
  );
}

/**
 * Verifies an artifact's bytes against the registry's SHA-256 (MODEL-3) before anything is parsed, then
 * loads the XGBoost JSON model: a plain JSON artifact directly, a model.tar.gz after unpacking. The digest
 * is always of the artifact as published, which is what the registry records.
 */
export function modelFromArtifact(
  bytes: Uint8Array,
  expectedSha256: string,
  source: string,
): TreeEnsembleModel {
  const isGzip = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!isGzip) return loadModel(bytes, { expectedSha256, source });
  assertDigest(source, expectedSha256, sha256Hex(bytes));
  let tar: Uint8Array;
  try {
    tar = gunzipSync(bytes);
  } catch {
    throw new ModelArtifactError(`${source}: gzip data is corrupted`);
  }
  return loadModel(modelFileFromTar(tar, source), { source });
}

/** Reads the artifact the model gate resolved (its ModelDataUrl) and loads it with `modelFromArtifact`. */
export async function loadServedModel(
  s3: Pick<S3Client, 'send'>,
  modelDataUrl: string,
  expectedSha256: string,
  abortSignal?: AbortSignal,
): Promise<TreeEnsembleModel> {
  const { bucket, key } = parseS3Url(modelDataUrl);
  const object = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key }),
    abortSignal ? { abortSignal } : {},
  );
  if (!object.Body) throw new ModelArtifactError(`${modelDataUrl} has no body`);
  const bytes = await object.Body.transformToByteArray();
  return modelFromArtifact(bytes, expectedSha256, modelDataUrl);
}
