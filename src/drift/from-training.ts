/**
 * Builds a baseline from the training CSV, the feature specification and the model: every training row is
 * validated and encoded by the specification's FeatureEncoder (the same code the inference path uses) and
 * scored by the embedded scorer, so the baseline describes exactly what production sees.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { readRecords } from '../cli/records';
import { FeatureEncoder, modelEncoderOptions, parseFeatureSpec, type FeatureSpec } from '../features';
import { sha256Hex } from '../integrity/digest';
import { loadModelFile } from '../scorer';
import type { Baseline } from './baseline';
import { buildBaseline, type TrainingColumn } from './build';

export interface TrainingBaselineInput {
  readonly specPath: string;
  readonly modelPath: string;
  readonly trainingPath: string;
  readonly maxSample?: number;
  readonly psiBins?: number;
  /** Paths as recorded in the baseline (e.g. relative to the repository); default: as given. */
  readonly recordedPaths?: { readonly spec?: string; readonly model?: string; readonly training?: string };
  readonly createdAt?: string;
}

export interface RejectedRow {
  readonly row: number;
  readonly message: string;
}

export interface TrainingBaselineResult {
  readonly baseline: Baseline;
  /** Training rows the specification rejected; they are left out of the baseline. */
  readonly rejected: number;
  readonly firstRejections: RejectedRow[];
}

export class BaselineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineInputError';
  }
}

export async function baselineFromTraining(input: TrainingBaselineInput): Promise<TrainingBaselineResult> {
  const specText = await readFile(input.specPath, 'utf8');
  let specDocument: unknown;
  try {
    specDocument = JSON.parse(specText);
  } catch (e) {
    throw new BaselineInputError(`${input.specPath} is not valid JSON: ${(e as Error).message}`);
  }
  const spec: FeatureSpec = parseFeatureSpec(specDocument, input.specPath);
  const model = await loadModelFile(input.modelPath);
  if (model.predictionKind !== 'probability') {
    throw new BaselineInputError(
      `${input.modelPath}: objective ${model.objective} does not produce probabilities; the drift baseline needs a classifier score`,
    );
  }
  const encoder = new FeatureEncoder(spec, modelEncoderOptions(model, 'ignore'));
  const columnIndex = new Map(encoder.columns.map((c, i) => [c, i]));

  const numeric = new Map<string, (number | null)[]>();
  const categorical = new Map<string, (string | null)[]>();
  for (const f of spec.fields) {
    if (f.type === 'numeric') numeric.set(f.name, []);
    else categorical.set(f.name, []);
  }
  const scores: number[] = [];
  const vector = new Float64Array(encoder.columns.length);
  let rejected = 0;
  const firstRejections: RejectedRow[] = [];
  const reject = (row: number, message: string): void => {
    rejected++;
    if (firstRejections.length < 10) firstRejections.push({ row, message });
  };
  let rows = 0;
  // The digest recorded in the baseline is of exactly the bytes the rows were read from.
  const trainingHash = createHash('sha256');
  for await (const item of readRecords(input.trainingPath, 'csv', {
    onChunk: (chunk) => trainingHash.update(chunk),
    onHeader: (header) => {
      const missing = spec.fields.filter((f) => !header.includes(f.name)).map((f) => f.name);
      if (missing.length > 0) {
        throw new BaselineInputError(
          `${input.trainingPath}: the header lacks the field(s) ${missing.join(', ')}`,
        );
      }
    },
  })) {
    rows++;
    if ('error' in item) {
      reject(item.row, item.error);
      continue;
    }
    const errors = encoder.encodeInto(item.record, vector);
    if (errors.length > 0) {
      reject(item.row, errors.map((e) => `${e.field} ${e.message}`).join('; '));
      continue;
    }
    const score = model.predict(vector);
    if (!Number.isFinite(score)) {
      reject(item.row, `the model returned ${score}`);
      continue;
    }
    scores.push(score);
    for (const f of spec.fields) {
      if (f.type === 'numeric') {
        const v = vector[columnIndex.get(f.column) as number];
        numeric.get(f.name)?.push(Number.isNaN(v) ? null : v);
      } else {
        const raw = item.record[f.name];
        categorical.get(f.name)?.push(typeof raw === 'string' && raw.trim() !== '' ? raw : null);
      }
    }
  }
  if (scores.length === 0) {
    throw new BaselineInputError(
      `${input.trainingPath}: no usable training rows (${rows} read, ${rejected} rejected)`,
    );
  }

  const columns: TrainingColumn[] = spec.fields.map((f) =>
    f.type === 'numeric'
      ? {
          name: f.name,
          kind: 'numeric',
          column: f.column,
          values: numeric.get(f.name) as (number | null)[],
          allowedRange: { min: f.minimum ?? null, max: f.maximum ?? null },
          integer: f.integer ?? false,
        }
      : {
          name: f.name,
          kind: 'categorical',
          values: categorical.get(f.name) as (string | null)[],
          allowed: f.values,
          ...(f.oneHot
            ? {
                oneHot: {
                  columns: [...f.oneHot.columns],
                  values: f.oneHot.dropFirst ? f.values.slice(1) : [...f.values],
                  baseValue: f.oneHot.dropFirst ? f.values[0] : null,
                },
              }
            : { native: encoder.nativeCategories(f.name) ?? null }),
        },
  );
  const baseline = buildBaseline({
    columns,
    scores,
    featureOrder: encoder.columns,
    source: {
      trainingData: input.recordedPaths?.training ?? input.trainingPath,
      trainingDataSha256: trainingHash.digest('hex'),
      rows: scores.length,
      featureSpec: input.recordedPaths?.spec ?? input.specPath,
      featureSpecSha256: sha256Hex(specText),
      model: input.recordedPaths?.model ?? input.modelPath,
      modelSha256: model.sha256 ?? '',
    },
    maxSample: input.maxSample,
    psiBins: input.psiBins,
    createdAt: input.createdAt,
  });
  return { baseline, rejected, firstRejections };
}
