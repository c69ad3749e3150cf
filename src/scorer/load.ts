import { readFile } from 'node:fs/promises';

import { assertDigest, sha256Hex } from '../integrity/digest';
import { ModelFormatError } from './errors';
import { TreeEnsembleModel, type ModelOptions } from './model';
import { parseModelDocument } from './parse';
import { decodeUbjson, looksLikeUbjson } from './ubjson';

export interface LoadModelOptions extends ModelOptions {
  /**
   * Expected lower-case hex SHA-256 of the model bytes (MODEL-3). When given, a mismatch throws
   * `DigestMismatchError` before a single byte is parsed.
   * @default no verification
   */
  readonly expectedSha256?: string;
  /**
   * What to call the model in error messages (a path or registry key).
   * @default 'model'
   */
  readonly source?: string;
}

/**
 * Verifies (optionally), parses, validates and compiles an XGBoost model from its raw bytes: JSON
 * (`model.json`) or UBJSON (`model.ubj`, what `save_model` writes for any other file name), told apart
 * by their first bytes. Throws `DigestMismatchError`, `ModelFormatError` or `UnsupportedModelError`.
 */
export function loadModel(bytes: Uint8Array | string, options: LoadModelOptions = {}): TreeEnsembleModel {
  const source = options.source ?? 'model';
  const digest = sha256Hex(bytes);
  if (options.expectedSha256 !== undefined) assertDigest(source, options.expectedSha256, digest);
  const document =
    typeof bytes !== 'string' && looksLikeUbjson(bytes)
      ? decodeUbjson(bytes, source)
      : parseJsonModel(bytes, source);
  try {
    return new TreeEnsembleModel(parseModelDocument(document), digest, options);
  } catch (error) {
    if (error instanceof Error && source !== 'model') error.message = `${source}: ${error.message}`;
    throw error;
  }
}

function parseJsonModel(bytes: Uint8Array | string, source: string): unknown {
  let text: string;
  try {
    text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ModelFormatError(
      `${source} is neither UBJSON (it does not start with '{' and a typed key) nor valid UTF-8 JSON text, so it is not an XGBoost model`,
    );
  }
  if (text.trim() === '') throw new ModelFormatError(`${source} is empty`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    // XGBoost writes bare NaN (e.g. the split_conditions of categorical splits), which is not JSON.
    // Read those as null so such a model gets its real diagnosis instead of "invalid JSON".
    const lenient = nonFiniteTokensAsNull(text);
    if (lenient !== undefined) {
      try {
        document = JSON.parse(lenient);
      } catch {
        document = undefined;
      }
    }
    if (document === undefined) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ModelFormatError(
        `${source} is not valid JSON (${text.length} characters; truncated or corrupted?): ${reason}`,
      );
    }
  }
  return document;
}

/** Reads a model file and loads it with `loadModel`; the file path names the model in errors. */
export async function loadModelFile(
  path: string,
  options: LoadModelOptions = {},
): Promise<TreeEnsembleModel> {
  const bytes = await readFile(path);
  return loadModel(bytes, { source: path, ...options });
}

/** Replaces NaN / Infinity / -Infinity tokens outside strings with null; undefined when there are none. */
function nonFiniteTokensAsNull(text: string): string | undefined {
  const parts: string[] = [];
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    for (const token of ['NaN', '-Infinity', 'Infinity']) {
      if (text.startsWith(token, i)) {
        parts.push(text.slice(start, i), 'null');
        i += token.length - 1;
        start = i + 1;
        break;
      }
    }
  }
  if (parts.length === 0) return undefined;
  parts.push(text.slice(start));
  return parts.join('');
}
