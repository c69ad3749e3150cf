/**
 * A published model artifact as SageMaker's XGBoost container receives it: a plain JSON model, or a
 * model.tar.gz holding one. Shared by the inference function and the offline tools that read artifacts.
 */
import { gunzipSync } from 'node:zlib';
import { assertDigest, sha256Hex } from '../integrity/digest';
import { loadModel } from './load';
import type { TreeEnsembleModel } from './model';

/** Files SageMaker's XGBoost container reads from model.tar.gz, then the plain JSON names the CLI publishes. */
const MODEL_FILE_NAMES = ['xgboost-model', 'xgboost-model.json', 'model.json'];

export class ModelArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelArtifactError';
  }
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
