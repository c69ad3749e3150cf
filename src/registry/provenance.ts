import { Readable } from 'node:stream';

import { ColumnEncoder } from '../cli/column-encoder';
import { csvRecords, InputError, splitCsvRecord } from '../cli/records';
import type { Baseline } from '../drift/baseline';
import type { FeatureSpec } from '../features';
import { sha256Hex } from '../integrity/digest';
import { loadModel, type TreeEnsembleModel } from '../scorer';
import { ModelArtifactError, modelFileFromArtifact as readModelFile } from '../scorer/artifact';
import { RegistryError } from './errors';
import {
  GOLDEN_TOLERANCE,
  PROVENANCE_FORMAT,
  PROVENANCE_VERSION,
  type GoldenRecord,
  type ModelProvenance,
} from './golden';
import {
  goldenRecordsFromCsv,
  goldenRecordsFromModel,
  headerNamesRecords,
  recordsFromRows,
  specEncoder,
} from './golden-records';
import { seededRandom } from '../seeded-random';

/** Golden rows drawn from a baseline, or from the model's split points, when no rows file is given. */
export const DEFAULT_GOLDEN_ROWS = 200;

/**
 * At most this many golden rows: they are sent to the endpoint in one InvokeEndpoint request at
 * deploy time, whose payload SageMaker limits to 6 MB; 1,000 rows of a few hundred columns fit.
 */
export const MAX_GOLDEN_ROWS = 1000;

/**
 * The model file inside an artifact (see `src/scorer/artifact.ts`, the one reader the function also
 * uses), its refusal turned into a publish refusal.
 */
export async function modelFileFromArtifact(
  artifact: () => Readable,
  head: Uint8Array,
  artifactName: string,
): Promise<{ name: string; bytes: Buffer }> {
  try {
    return await readModelFile(artifact, head, artifactName);
  } catch (error) {
    if (error instanceof ModelArtifactError) throw new RegistryError('invalidArtifact', error.message);
    throw error;
  }
}

/** Loads the model exactly as the embedded scorer would, turning its refusal into a publish refusal. */
export function loadArtifactModel(
  file: { name: string; bytes: Buffer },
  artifactName: string,
): TreeEnsembleModel {
  try {
    return loadModel(file.bytes, { source: `${artifactName}:${file.name}` });
  } catch (error) {
    throw new RegistryError(
      'invalidArtifact',
      `refusing to publish: the scorer cannot load the model in ${artifactName} (${(error as Error).message})`,
    );
  }
}

function pickWeighted<T>(items: readonly T[], weights: readonly number[], u: number): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = u * total;
  for (let i = 0; i < items.length; i++) {
    x -= weights[i];
    if (x < 0) return items[i];
  }
  return items[items.length - 1];
}

/**
 * Golden rows drawn from a baseline's per-feature distributions (numeric samples, category frequencies,
 * the observed missing share), encoded into the model's columns as the baseline records them (raw
 * numeric columns, one-hot groups, native codes). The rows exercise every feature's range; they are
 * not real customers.
 */
export function goldenRowsFromBaseline(
  baseline: Baseline,
  model: TreeEnsembleModel,
  count = DEFAULT_GOLDEN_ROWS,
): number[][] {
  const rand = seededRandom(20_240_611);
  const column = new Map(model.featureNames.map((n, i) => [n, i]));
  const index = (name: string, feature: string): number => {
    const i = column.get(name);
    if (i === undefined) {
      throw new RegistryError(
        'usage',
        `the baseline's feature ${feature} uses column ${name}, which the model does not have`,
      );
    }
    return i;
  };
  const rows: number[][] = [];
  for (let r = 0; r < count; r++) {
    const row = new Array<number>(model.numFeatures).fill(NaN);
    for (const f of baseline.features) {
      const missing = f.rows > 0 && rand() < f.missing / f.rows;
      if (f.kind === 'numeric') {
        const value = pickWeighted(f.sample.values, f.sample.counts, rand());
        row[index(f.column, f.name)] = missing ? NaN : value;
        continue;
      }
      const categories = Object.keys(f.frequencies);
      const value = pickWeighted(
        categories,
        categories.map((c) => f.frequencies[c]),
        rand(),
      );
      if (f.native) {
        const code = f.native.categories.indexOf(value);
        row[index(f.native.column, f.name)] = missing || code < 0 ? NaN : code;
      } else if (f.oneHot) {
        const oneHot = f.oneHot;
        oneHot.columns.forEach(
          (c, k) => (row[index(c, f.name)] = missing ? NaN : oneHot.values[k] === value ? 1 : 0),
        );
      } else {
        throw new RegistryError('usage', `the baseline does not say how feature ${f.name} reaches the model`);
      }
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Rows that exercise the model's own splits: each numeric value is one of the feature's split
 * thresholds, exactly on it or just below (XGBoost sends x == threshold right), each categorical value
 * one of the codes its splits name or a code no split names, and some values are missing, so every
 * default direction is taken too. Used when a version has no recorded golden set, and added to it at
 * deploy time because baseline rows rarely land on thresholds.
 */
export function goldenRowsFromModel(model: TreeEnsembleModel, count = DEFAULT_GOLDEN_ROWS): number[][] {
  const rand = seededRandom(0x5eed);
  const points = model.splitPoints();
  const rows: number[][] = [];
  for (let r = 0; r < count; r++) {
    rows.push(
      points.map((values, f) => {
        if (rand() < 0.08 || values.length === 0) return NaN;
        const v = values[Math.floor(rand() * values.length)];
        if (model.featureTypes[f] === 'c') return rand() < 0.1 ? values.length + 3 : v;
        return rand() < 0.5 ? v : Math.fround(v - Math.max(Math.abs(v) * 1e-3, 1e-3));
      }),
    );
  }
  return rows;
}

/**
 * Golden rows from a CSV whose header names model features (as `churn-score` reads model columns):
 * numbers, empty for missing, and for a native categorical feature a category name the model stores
 * or a code. Every problem is refused with its row and column.
 */
export async function goldenRowsFromCsv(
  text: string,
  name: string,
  model: TreeEnsembleModel,
): Promise<number[][]> {
  const encoder = new ColumnEncoder(model, false);
  const rows: number[][] = [];
  const vector = new Float64Array(model.numFeatures);
  try {
    for await (const input of csvRecords(Readable.from([text]), {
      onHeader: (c) => encoder.checkHeader(c),
    })) {
      if ('error' in input) throw new InputError(`row ${input.row} (line ${input.line}): ${input.error}`);
      const errors = encoder.encodeInto(input.record, vector);
      if (errors.length > 0) {
        throw new InputError(
          `row ${input.row} (line ${input.line}): ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
        );
      }
      rows.push(Array.from(vector));
      if (rows.length > MAX_GOLDEN_ROWS) {
        throw new InputError(`has more than ${MAX_GOLDEN_ROWS} rows; a golden set is a few hundred`);
      }
    }
  } catch (error) {
    if (error instanceof InputError)
      throw new RegistryError('usage', `--golden-rows ${name}: ${error.message}`);
    throw error;
  }
  if (rows.length === 0) throw new RegistryError('usage', `--golden-rows ${name} has no rows`);
  return rows;
}

/** Where a version's golden rows come from (`publish --golden-rows`, `--baseline`, or neither). */
export type GoldenRowsSource =
  | { readonly kind: 'csv'; readonly name: string; readonly text: string }
  | { readonly kind: 'baseline'; readonly name: string; readonly baseline: Baseline }
  | { readonly kind: 'model' };

/**
 * The feature specification golden records are written in (`publish --feature-spec`): the environment's
 * `serving.featureSpecFile`, the one its inference function encodes requests with.
 */
export interface GoldenRecordSpec {
  readonly name: string;
  readonly spec: FeatureSpec;
  /** SHA-256 of the file's bytes, recorded beside the records. */
  readonly sha256: string;
}

/** The golden rows, their origin, and with a specification the API records they are encoded from. */
export interface GoldenRowsResult {
  readonly rows: number[][];
  readonly source: string;
  readonly records?: GoldenRecord[];
  readonly featureSpec?: { readonly name: string; readonly sha256: string };
}

/**
 * The golden rows and a description of their origin, for the provenance document. With a feature
 * specification the rows also get API records (MODEL-6, embedded serving): a CSV of API records is read
 * as such (its rows are their encodings); model-column rows (a CSV of model columns, a baseline) are
 * written back as records, refused where no record encodes to a row; the model's split points are drawn
 * in the specification's fields directly.
 */
export async function goldenRowsFor(
  source: GoldenRowsSource,
  model: TreeEnsembleModel,
  recordSpec?: GoldenRecordSpec,
): Promise<GoldenRowsResult> {
  const encoder = recordSpec
    ? specEncoder(recordSpec.spec, model, `--feature-spec ${recordSpec.name}`)
    : undefined;
  const featureSpec = recordSpec ? { name: recordSpec.spec.name, sha256: recordSpec.sha256 } : undefined;
  const withRecords = (rows: number[][], label: string, described: string): GoldenRowsResult =>
    encoder
      ? { rows, source: described, records: recordsFromRows(encoder, rows, label), featureSpec }
      : { rows, source: described };
  switch (source.kind) {
    case 'csv': {
      const described = `--golden-rows ${source.name}`;
      if (encoder && headerNamesRecords(csvHeader(source.text), encoder)) {
        const read = await goldenRecordsFromCsv(source.text, source.name, encoder, MAX_GOLDEN_ROWS);
        return { ...read, source: `${described} (API records)`, featureSpec };
      }
      const rows = await goldenRowsFromCsv(source.text, source.name, model);
      return withRecords(rows, described, described);
    }
    case 'baseline':
      return withRecords(
        goldenRowsFromBaseline(source.baseline, model),
        `golden rows drawn from baseline ${source.name},`,
        `baseline ${source.name}`,
      );
    case 'model':
      if (encoder) {
        const drawn = goldenRecordsFromModel(model, encoder, DEFAULT_GOLDEN_ROWS);
        return { ...drawn, source: "the model's split points (as API records)", featureSpec };
      }
      return { rows: goldenRowsFromModel(model), source: "the model's split points" };
  }
}

/** The header line of a CSV text (its first non-empty line), split as the reader splits it. */
function csvHeader(text: string): string[] {
  const line =
    text
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .find((l) => l.trim() !== '') ?? '';
  return (splitCsvRecord(line) ?? []).map((c) => c.trim());
}

/** Scores the golden rows with the exact scorer and assembles the provenance document. */
export function buildProvenance(input: {
  readonly model: TreeEnsembleModel;
  readonly modelFile: { name: string; bytes: Buffer };
  readonly artifactSha256: string;
  readonly goldenRows: readonly (readonly number[])[];
  readonly goldenSource: string;
  /** API records of the rows and their specification (embedded serving). @default none */
  readonly goldenRecords?: readonly GoldenRecord[];
  readonly featureSpec?: { readonly name: string; readonly sha256: string };
}): ModelProvenance {
  const { model } = input;
  if (input.goldenRows.length === 0) throw new RegistryError('usage', `${input.goldenSource} has no rows`);
  if (input.goldenRecords !== undefined && input.goldenRecords.length !== input.goldenRows.length) {
    throw new RegistryError(
      'usage',
      `${input.goldenSource}: ${input.goldenRecords.length} records for ${input.goldenRows.length} golden rows`,
    );
  }
  const batch = new Float32Array(input.goldenRows.length * model.numFeatures);
  input.goldenRows.forEach((row, r) => {
    if (row.length !== model.numFeatures) {
      throw new RegistryError(
        'usage',
        `${input.goldenSource} row ${r + 1} has ${row.length} values for ${model.numFeatures} model columns`,
      );
    }
    batch.set(row, r * model.numFeatures);
  });
  const predictions = Array.from(model.predictBatch(batch));
  return {
    format: PROVENANCE_FORMAT,
    version: PROVENANCE_VERSION,
    artifactSha256: input.artifactSha256,
    modelFile: input.modelFile.name,
    modelSha256: sha256Hex(input.modelFile.bytes),
    xgboostVersion: model.xgboostVersion,
    booster: model.booster,
    objective: model.objective,
    featureNames: [...model.featureNames],
    featureTypes: [...model.featureTypes],
    golden: {
      source: input.goldenSource,
      tolerance: GOLDEN_TOLERANCE,
      rows: input.goldenRows.map((row) => row.map((v) => (Number.isNaN(v) ? null : v))),
      predictions,
      ...(input.goldenRecords && input.featureSpec
        ? { records: input.goldenRecords.map((r) => ({ ...r })), featureSpec: { ...input.featureSpec } }
        : {}),
    },
  };
}

/** Reads a whole stream (tests and small documents). */
