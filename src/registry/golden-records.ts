import { Readable } from 'node:stream';

import { csvRecords, InputError } from '../cli/records';
import {
  FeatureEncoder,
  fieldColumns,
  modelEncoderOptions,
  SpecModelMismatchError,
  type FeatureSpec,
  type FieldSpec,
} from '../features';
import type { TreeEnsembleModel } from '../scorer';
import { seededRandom } from '../seeded-random';
import { RegistryError } from './errors';
import type { GoldenRecord } from './golden';

/**
 * Golden records (MODEL-6, embedded serving): the golden rows as the inference function takes them, API
 * records of feature fields (no customer id), so the deploy-time check can send them to the function and
 * compare its answers with the predictions recorded for the model columns. Each record is proven to encode
 * to exactly its golden row through the feature specification's encoder, the same encoder the function
 * uses, before it is recorded.
 */

/** The encoder the function builds for this specification and model (unknown fields refused). */
export function specEncoder(spec: FeatureSpec, model: TreeEnsembleModel, where: string): FeatureEncoder {
  try {
    return new FeatureEncoder(spec, modelEncoderOptions(model));
  } catch (error) {
    if (error instanceof SpecModelMismatchError)
      throw new RegistryError('usage', `${where}: ${error.message}`);
    throw error;
  }
}

function sameValue(a: number, b: number): boolean {
  return (Number.isNaN(a) && Number.isNaN(b)) || a === b;
}

function describeColumn(columns: readonly string[], row: ArrayLike<number>, indices: Int32Array): string {
  return Array.from(indices, (i) => `${columns[i]}=${Number.isNaN(row[i]) ? 'missing' : row[i]}`).join(', ');
}

/** One field's value read back from its model columns, or why it cannot be. */
function invertField(
  encoder: FeatureEncoder,
  field: FieldSpec,
  row: ArrayLike<number>,
  indices: Int32Array,
): { value: number | string | undefined } | { problem: string } {
  const cols = () => describeColumn(encoder.columns, row, indices);
  if (field.type === 'numeric') {
    const v = row[indices[0]];
    if (Number.isNaN(v)) {
      return field.required
        ? { problem: `required field '${field.name}' is missing (${cols()})` }
        : { value: undefined };
    }
    return { value: v };
  }
  const values = Array.from(indices, (i) => row[i]);
  if (values.every((v) => Number.isNaN(v))) {
    if (field.required) return { problem: `required field '${field.name}' is missing (${cols()})` };
    return { value: undefined };
  }
  const native = encoder.nativeCategories(field.name);
  if (native) {
    const code = values[0];
    const category = Number.isInteger(code) && code >= 0 ? native.categories[code] : undefined;
    if (category === undefined || category === '' || !field.values.includes(category)) {
      return {
        problem: `field '${field.name}' has code ${code} in ${native.column}, which is none of its values (${field.values.join(', ')})`,
      };
    }
    return { value: category };
  }
  const oneHot = field.oneHot;
  if (!oneHot || values.some((v) => v !== 0 && v !== 1)) {
    return { problem: `field '${field.name}' is one-hot encoded but its columns are not 0/1 (${cols()})` };
  }
  const hot = values.flatMap((v, k) => (v === 1 ? [k] : []));
  if (hot.length > 1) return { problem: `field '${field.name}' has more than one hot column (${cols()})` };
  if (hot.length === 1) return { value: field.values[oneHot.dropFirst ? hot[0] + 1 : hot[0]] };
  if (oneHot.dropFirst) return { value: field.values[0] };
  if (field.missing === 'zeros' && !field.required) return { value: undefined };
  return { problem: `field '${field.name}' has no hot column and no value encodes that way (${cols()})` };
}

/**
 * The API record whose encoding is exactly `row` (model column order), or a RegistryError naming the row
 * and the field when no record encodes to it: a value outside the specification (bounds, whole numbers,
 * categories), a one-hot group that is not 0/1 with at most one 1, a required field missing.
 */
export function recordFromRow(encoder: FeatureEncoder, row: ArrayLike<number>, label: string): GoldenRecord {
  const record: Record<string, number | string> = {};
  const problems: string[] = [];
  for (const field of encoder.spec.fields) {
    const indices = Int32Array.from(fieldColumns(field), (c) => encoder.columns.indexOf(c));
    const result = invertField(encoder, field, row, indices);
    if ('problem' in result) problems.push(result.problem);
    else if (result.value !== undefined) record[field.name] = result.value;
  }
  if (problems.length === 0) {
    const encoded = encoder.encode(record);
    if (!encoded.ok) {
      problems.push(...encoded.errors.map((e) => `field '${e.field}' ${e.message}`));
    } else {
      const differs = encoder.columns.filter((_, i) => !sameValue(encoded.vector[i], row[i]));
      if (differs.length > 0) problems.push(`re-encoding the record changes columns ${differs.join(', ')}`);
    }
  }
  if (problems.length > 0) {
    throw new RegistryError(
      'usage',
      `${label} cannot be written as an API record of feature specification '${encoder.spec.name}', so the ` +
        `inference function could not be sent it: ${problems.join('; ')}`,
    );
  }
  return record;
}

/** Records for golden rows drawn from model columns (a baseline, or a model-column CSV). */
export function recordsFromRows(
  encoder: FeatureEncoder,
  rows: readonly (readonly number[])[],
  source: string,
): GoldenRecord[] {
  return rows.map((row, r) => recordFromRow(encoder, row, `${source} row ${r + 1}`));
}

/**
 * Whether a CSV header names API fields rather than model columns: it carries every required field of the
 * specification, and every model column it names is also a field name (a one-hot column such as
 * `Contract_One year` means model columns). Where field and column names coincide (numeric fields, native
 * categoricals) the record reading is taken; category codes are then refused with the allowed values.
 */
export function headerNamesRecords(header: readonly string[], encoder: FeatureEncoder): boolean {
  const present = new Set(header);
  const fields = new Set(encoder.spec.fields.map((f) => f.name));
  const columns = new Set(encoder.columns);
  return (
    encoder.spec.fields.filter((f) => f.required).every((f) => present.has(f.name)) &&
    header.some((h) => fields.has(h)) &&
    header.every((h) => !columns.has(h) || fields.has(h))
  );
}

/** A record as JSON: numbers for numeric fields, strings for categories, absent fields left out. */
function normalise(encoder: FeatureEncoder, raw: Readonly<Record<string, unknown>>): GoldenRecord {
  const record: Record<string, number | string> = {};
  for (const field of encoder.spec.fields) {
    const value = raw[field.name];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) continue;
    record[field.name] =
      field.type === 'numeric' ? Number(typeof value === 'string' ? value.trim() : value) : String(value);
  }
  return record;
}

/**
 * Golden records from a CSV of API records (header: feature fields; other columns such as a customer id or
 * the label are ignored), each validated by the function's encoder, with the model rows they encode to.
 */
export async function goldenRecordsFromCsv(
  text: string,
  name: string,
  encoder: FeatureEncoder,
  maxRows: number,
): Promise<{ records: GoldenRecord[]; rows: number[][] }> {
  const records: GoldenRecord[] = [];
  const rows: number[][] = [];
  try {
    for await (const input of csvRecords(Readable.from([text]))) {
      if ('error' in input) throw new InputError(`row ${input.row} (line ${input.line}): ${input.error}`);
      const record = normalise(encoder, input.record);
      const encoded = encoder.encode(record);
      if (!encoded.ok) {
        throw new InputError(
          `row ${input.row} (line ${input.line}): ${encoded.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
        );
      }
      records.push(record);
      rows.push(Array.from(encoded.vector));
      if (rows.length > maxRows) {
        throw new InputError(`has more than ${maxRows} rows; a golden set is a few hundred`);
      }
    }
  } catch (error) {
    if (error instanceof InputError)
      throw new RegistryError('usage', `--golden-rows ${name}: ${error.message}`);
    throw error;
  }
  if (rows.length === 0) throw new RegistryError('usage', `--golden-rows ${name} has no rows`);
  return { records, rows };
}

/**
 * Records on the model's own split points, written in the specification's fields: each numeric value one
 * of its column's thresholds or just below (kept inside the field's bounds, whole where it must be), each
 * category one of the field's values, optional fields sometimes absent. Encoded by the function's encoder,
 * so every record is one the API accepts and every row is what the function scores.
 */
export function goldenRecordsFromModel(
  model: TreeEnsembleModel,
  encoder: FeatureEncoder,
  count: number,
): { records: GoldenRecord[]; rows: number[][] } {
  const rand = seededRandom(0x5eed);
  const points = model.splitPoints();
  const column = new Map(model.featureNames.map((n, i) => [n, i]));
  const records: GoldenRecord[] = [];
  const rows: number[][] = [];
  for (let r = 0; r < count; r++) {
    const record: Record<string, number | string> = {};
    for (const field of encoder.spec.fields) {
      if (!field.required && rand() < 0.08) continue;
      if (field.type === 'categorical') {
        record[field.name] = field.values[Math.floor(rand() * field.values.length)];
        continue;
      }
      const thresholds = points[column.get(field.column) as number] ?? [];
      const low = field.minimum ?? -Infinity;
      const high = field.maximum ?? Infinity;
      let v: number;
      if (thresholds.length === 0) v = Number.isFinite(low) ? low : Number.isFinite(high) ? high : 0;
      else {
        const t = thresholds[Math.floor(rand() * thresholds.length)];
        v = rand() < 0.5 ? t : t - Math.max(Math.abs(t) * 1e-3, 1e-3);
      }
      if (field.integer) v = rand() < 0.5 ? Math.floor(v) : Math.ceil(v);
      record[field.name] = Math.min(high, Math.max(low, v));
    }
    const encoded = encoder.encode(record);
    if (!encoded.ok) {
      throw new RegistryError(
        'usage',
        `a split-point record of feature specification '${encoder.spec.name}' is refused by its own encoder: ` +
          encoded.errors.map((e) => `${e.field} ${e.message}`).join('; '),
      );
    }
    records.push(record);
    rows.push(Array.from(encoded.vector));
  }
  return { records, rows };
}
