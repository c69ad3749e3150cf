/**
 * A published model artifact as SageMaker's XGBoost container receives it: an XGBoost model file (JSON or
 * UBJSON), or a model.tar.gz holding one. The one reader of artifacts: the inference function, publish,
 * the model gate, the served-answer check and the offline tools all pick the model file the same way, so
 * an artifact publish accepts is one the function can serve.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser } from 'tar/parse';
import type { ReadEntry } from 'tar/read-entry';
import { assertDigest, sha256Hex } from '../integrity/digest';
import { loadModel } from './load';
import type { TreeEnsembleModel } from './model';

/**
 * File names inside model.tar.gz, in order of preference: what SageMaker's XGBoost container and the
 * project's publish write (`xgboost-model`), then XGBoost's `save_model` names. An archive holding a single
 * file is read whatever that file is called.
 */
export const MODEL_FILE_NAMES = ['xgboost-model', 'xgboost-model.json', 'model.json', 'model.ubj'] as const;

/** A model file inside an archive is read into memory; larger ones are refused rather than buffered. */
export const MAX_MODEL_FILE_BYTES = 512 * 1024 * 1024;

export class ModelArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelArtifactError';
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The model file inside an artifact: the artifact itself when it is not gzip, otherwise the preferred
 * model file of the (gzipped) tar archive. `artifact` opens the artifact from its start, so a file on disk
 * is streamed rather than read whole; `head` is at least its first two bytes.
 */
export async function modelFileFromArtifact(
  artifact: () => Readable,
  head: Uint8Array,
  source: string,
): Promise<{ name: string; bytes: Buffer }> {
  if (!isGzip(head)) {
    const chunks: Buffer[] = [];
    for await (const chunk of artifact()) chunks.push(chunk as Buffer);
    return { name: source, bytes: Buffer.concat(chunks) };
  }
  const files = new Map<string, Buffer>();
  const names: string[] = [];
  const oversized = new Set<string>();
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      if (entry.type !== 'File') {
        entry.resume();
        return;
      }
      const name = entry.path.replace(/^\.\//, '');
      names.push(name);
      if (entry.size > MAX_MODEL_FILE_BYTES) {
        oversized.add(name);
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => files.set(name, Buffer.concat(chunks)));
    },
  });
  try {
    await pipeline(artifact(), parser);
  } catch (error) {
    throw new ModelArtifactError(
      `${source} is gzip but not a readable tar archive: ${(error as Error).message}`,
    );
  }
  const base = (name: string) => name.split('/').pop() ?? name;
  const pick =
    MODEL_FILE_NAMES.map((wanted) => names.find((n) => base(n) === wanted)).find((n) => n !== undefined) ??
    (names.length === 1 ? names[0] : undefined);
  if (pick === undefined) {
    throw new ModelArtifactError(
      `${source} holds ${names.length === 0 ? 'no files' : names.join(', ')}; it must hold one model file ` +
        `(${MODEL_FILE_NAMES.join(', ')}, as SageMaker's XGBoost container loads it)`,
    );
  }
  if (oversized.has(pick)) {
    throw new ModelArtifactError(
      `${source}: ${pick} is larger than ${MAX_MODEL_FILE_BYTES / 1024 / 1024} MiB`,
    );
  }
  return { name: pick, bytes: files.get(pick) as Buffer };
}

/** A readable stream of bytes already in memory, for `modelFileFromArtifact`. */
export function readableOf(bytes: Uint8Array): Readable {
  return Readable.from([Buffer.from(bytes)]);
}

/**
 * Verifies an artifact's bytes against the registry's SHA-256 (MODEL-3) before anything is parsed, then
 * loads the model file it holds. The digest is always of the artifact as published, which is what the
 * registry records.
 */
export async function modelFromArtifact(
  bytes: Uint8Array,
  expectedSha256: string,
  source: string,
): Promise<TreeEnsembleModel> {
  if (!isGzip(bytes)) return loadModel(bytes, { expectedSha256, source });
  assertDigest(source, expectedSha256, sha256Hex(bytes));
  const file = await modelFileFromArtifact(() => readableOf(bytes), bytes, source);
  return loadModel(file.bytes, { source: `${source}:${file.name}` });
}
