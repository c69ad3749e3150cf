import { readFile } from 'node:fs/promises';

/** The only specification format version this code reads. Bump it for incompatible changes. */
export const FEATURE_SPEC_VERSION = 1;

/** A numeric input field, fed to one model column as is (float32 inside the model). */
export interface NumericFieldSpec {
  readonly name: string;
  readonly type: 'numeric';
  /** A required field must be present and non-empty; an optional one becomes a missing value (NaN). */
  readonly required: boolean;
  /** Inclusive lower bound. @default unbounded */
  readonly minimum?: number;
  /** Inclusive upper bound. @default unbounded */
  readonly maximum?: number;
  /** Whether only whole numbers are accepted. @default false */
  readonly integer?: boolean;
  /** Model column name. @default the field name */
  readonly column: string;
  /**
   * Declared direction of the model's response (MODEL-7): 'increasing' means the predicted probability
   * must not fall as the value rises (all else equal), 'decreasing' that it must not rise. Checked on a
   * grid by `npm run model -- assess`; the encoder and the API ignore it.
   * @default no declared direction
   */
  readonly monotone?: Monotonicity;
  readonly description?: string;
}

/** A declared direction of a model's response to one numeric input. */
export type Monotonicity = 'increasing' | 'decreasing';

/** How a categorical field becomes 0/1 model columns. */
export interface OneHotEncoding {
  /**
   * Whether the first value has no column (all columns 0 means "first value"), as pandas
   * `get_dummies(drop_first=True)` produces.
   */
  readonly dropFirst: boolean;
  /**
   * Column name per value, aligned with `values` (without the first one when dropFirst).
   * @default `${name}_${value}`, pandas' naming
   */
  readonly columns: readonly string[];
}

/**
 * A categorical field the model encodes natively (XGBoost `enable_categorical=True`): one model column
 * holding the category's code. The code is the category's position among the names the model stores
 * (XGBoost 3.1+); for a model that stores none, its position in the field's `values`, which must then
 * list the categories in the training frame's category order (pandas sorts them by default).
 */
export interface NativeEncoding {
  /** Model column name. @default the field name */
  readonly column: string;
}

/** A categorical input field with a closed set of allowed values, one-hot or natively encoded. */
export interface CategoricalFieldSpec {
  readonly name: string;
  readonly type: 'categorical';
  readonly required: boolean;
  /** Allowed values, compared exactly (case-sensitive). */
  readonly values: readonly string[];
  /** One-hot columns; absent when the field is `native`. */
  readonly oneHot?: OneHotEncoding;
  /** Native categorical column; absent when the field is one-hot encoded. */
  readonly native?: NativeEncoding;
  /**
   * What an absent optional value becomes: 'nan' marks every column missing (the trees' default
   * directions decide), 'zeros' sets every one-hot column to 0 (what pandas get_dummies does for NaN;
   * not allowed for native fields, whose missing value is always NaN).
   * @default 'nan'
   */
  readonly missing: 'nan' | 'zeros';
  readonly description?: string;
}

export type FieldSpec = NumericFieldSpec | CategoricalFieldSpec;

/**
 * A validated feature specification: the single source of truth for the raw request fields, their
 * encoding into model columns, the API request schema and the drift baseline. Defaults are filled in
 * by `parseFeatureSpec`, so `column` and `oneHot.columns` are always present.
 */
export interface FeatureSpec {
  readonly specVersion: typeof FEATURE_SPEC_VERSION;
  /** Short identifier, e.g. 'telco-churn'. */
  readonly name: string;
  readonly description?: string;
  readonly fields: readonly FieldSpec[];
}

/** The specification document itself is invalid; `issues` lists every problem with its JSON path. */
export class FeatureSpecError extends Error {
  constructor(
    readonly issues: readonly string[],
    source = 'feature specification',
  ) {
    super(`${source} is invalid:\n  - ${issues.join('\n  - ')}`);
    this.name = 'FeatureSpecError';
  }
}

const TOP_KEYS = ['specVersion', 'name', 'description', 'fields'];
const NUMERIC_KEYS = [
  'name',
  'type',
  'required',
  'minimum',
  'maximum',
  'integer',
  'column',
  'monotone',
  'description',
];
const CATEGORICAL_KEYS = ['name', 'type', 'required', 'values', 'oneHot', 'native', 'missing', 'description'];
const NATIVE_KEYS = ['column'];
const ONE_HOT_KEYS = ['dropFirst', 'columns'];

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(value: Obj, allowed: readonly string[], path: string, issues: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      issues.push(`${path}.${key} is not a known property (allowed: ${allowed.join(', ')})`);
  }
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function parseNumeric(raw: Obj, path: string, issues: string[]): NumericFieldSpec | undefined {
  unknownKeys(raw, NUMERIC_KEYS, path, issues);
  const before = issues.length;
  for (const bound of ['minimum', 'maximum'] as const) {
    if (raw[bound] !== undefined && !(typeof raw[bound] === 'number' && Number.isFinite(raw[bound]))) {
      issues.push(`${path}.${bound} must be a finite number`);
    }
  }
  if (typeof raw.minimum === 'number' && typeof raw.maximum === 'number' && raw.minimum > raw.maximum) {
    issues.push(`${path}: minimum ${raw.minimum} is greater than maximum ${raw.maximum}`);
  }
  if (raw.integer !== undefined && typeof raw.integer !== 'boolean')
    issues.push(`${path}.integer must be a boolean`);
  if (raw.column !== undefined && !nonEmptyString(raw.column))
    issues.push(`${path}.column must be a non-empty string`);
  if (raw.monotone !== undefined && raw.monotone !== 'increasing' && raw.monotone !== 'decreasing')
    issues.push(`${path}.monotone must be 'increasing' or 'decreasing', got ${JSON.stringify(raw.monotone)}`);
  if (issues.length > before) return undefined;
  return {
    name: raw.name as string,
    type: 'numeric',
    required: raw.required as boolean,
    ...(raw.minimum !== undefined ? { minimum: raw.minimum as number } : {}),
    ...(raw.maximum !== undefined ? { maximum: raw.maximum as number } : {}),
    ...(raw.integer !== undefined ? { integer: raw.integer as boolean } : {}),
    column: (raw.column as string | undefined) ?? (raw.name as string),
    ...(raw.monotone !== undefined ? { monotone: raw.monotone as Monotonicity } : {}),
    ...(raw.description !== undefined ? { description: raw.description as string } : {}),
  };
}

function parseCategorical(raw: Obj, path: string, issues: string[]): CategoricalFieldSpec | undefined {
  unknownKeys(raw, CATEGORICAL_KEYS, path, issues);
  const before = issues.length;
  const name = raw.name as string;
  const values = raw.values;
  if (!Array.isArray(values) || values.length === 0) {
    issues.push(`${path}.values must be a non-empty array of strings`);
  } else {
    values.forEach((v, i) => {
      if (typeof v !== 'string' || v === '') issues.push(`${path}.values[${i}] must be a non-empty string`);
    });
    const seen = new Set<unknown>();
    for (const v of values) {
      if (seen.has(v)) issues.push(`${path}.values contains '${String(v)}' twice`);
      seen.add(v);
    }
  }
  if (raw.missing !== undefined && raw.missing !== 'nan' && raw.missing !== 'zeros') {
    issues.push(`${path}.missing must be 'nan' or 'zeros'`);
  }
  if (raw.native !== undefined) {
    if (raw.oneHot !== undefined) issues.push(`${path}: give either oneHot or native, not both`);
    const native = raw.native === true ? {} : raw.native;
    if (!isObject(native)) {
      issues.push(`${path}.native must be true or an object like { "column": "Contract" }`);
      return undefined;
    }
    unknownKeys(native, NATIVE_KEYS, `${path}.native`, issues);
    if (native.column !== undefined && !nonEmptyString(native.column)) {
      issues.push(`${path}.native.column must be a non-empty string`);
    }
    if (raw.missing === 'zeros') issues.push(`${path}.missing 'zeros' applies to one-hot fields only`);
    if (issues.length > before) return undefined;
    return {
      name,
      type: 'categorical',
      required: raw.required as boolean,
      values: [...(values as string[])],
      native: { column: (native.column as string | undefined) ?? name },
      missing: 'nan',
      ...(raw.description !== undefined ? { description: raw.description as string } : {}),
    };
  }
  if (!isObject(raw.oneHot)) {
    issues.push(`${path} needs oneHot (an object like { "dropFirst": true }) or "native": true`);
    return undefined;
  }
  const oneHot = raw.oneHot;
  unknownKeys(oneHot, ONE_HOT_KEYS, `${path}.oneHot`, issues);
  if (typeof oneHot.dropFirst !== 'boolean') issues.push(`${path}.oneHot.dropFirst must be a boolean`);
  if (issues.length > before) return undefined;

  const valueList = values as string[];
  const dropFirst = oneHot.dropFirst as boolean;
  const encoded = dropFirst ? valueList.slice(1) : valueList;
  if (encoded.length === 0) {
    issues.push(`${path}: with dropFirst a categorical field needs at least two values`);
    return undefined;
  }
  let columns: string[];
  if (oneHot.columns === undefined) {
    columns = encoded.map((v) => `${name}_${v}`);
  } else if (!Array.isArray(oneHot.columns) || !oneHot.columns.every(nonEmptyString)) {
    issues.push(`${path}.oneHot.columns must be an array of non-empty strings`);
    return undefined;
  } else if (oneHot.columns.length !== encoded.length) {
    issues.push(
      `${path}.oneHot.columns has ${oneHot.columns.length} names but ${encoded.length} are needed ` +
        `(one per value${dropFirst ? ' except the first, because dropFirst is true' : ''})`,
    );
    return undefined;
  } else {
    columns = [...(oneHot.columns as string[])];
  }
  return {
    name,
    type: 'categorical',
    required: raw.required as boolean,
    values: [...valueList],
    oneHot: { dropFirst, columns },
    missing: (raw.missing as 'nan' | 'zeros' | undefined) ?? 'nan',
    ...(raw.description !== undefined ? { description: raw.description as string } : {}),
  };
}

/** The model columns a field produces, in encoding order. */
export function fieldColumns(field: FieldSpec): readonly string[] {
  if (field.type === 'numeric') return [field.column];
  return field.native ? [field.native.column] : (field.oneHot as OneHotEncoding).columns;
}

/** Every model column the specification produces, in field order. */
export function specColumns(spec: FeatureSpec): string[] {
  return spec.fields.flatMap((f) => [...fieldColumns(f)]);
}

/**
 * Validates a parsed JSON document as a feature specification and fills in defaults. Throws a
 * `FeatureSpecError` listing every problem (not just the first) with its path, e.g. `fields[3].values`.
 */
export function parseFeatureSpec(document: unknown, source?: string): FeatureSpec {
  const issues: string[] = [];
  if (!isObject(document)) throw new FeatureSpecError(['the document must be a JSON object'], source);
  unknownKeys(document, TOP_KEYS, '$', issues);
  if (document.specVersion !== FEATURE_SPEC_VERSION) {
    issues.push(`$.specVersion must be ${FEATURE_SPEC_VERSION}, got ${JSON.stringify(document.specVersion)}`);
  }
  if (!nonEmptyString(document.name)) issues.push('$.name must be a non-empty string');
  if (document.description !== undefined && typeof document.description !== 'string') {
    issues.push('$.description must be a string');
  }
  const fields: FieldSpec[] = [];
  if (!Array.isArray(document.fields) || document.fields.length === 0) {
    issues.push('$.fields must be a non-empty array');
  } else {
    const names = new Set<string>();
    document.fields.forEach((raw: unknown, i: number) => {
      const path = `fields[${i}]`;
      if (!isObject(raw)) {
        issues.push(`${path} must be an object`);
        return;
      }
      const label = nonEmptyString(raw.name) ? `${path} (${raw.name})` : path;
      if (!nonEmptyString(raw.name)) issues.push(`${path}.name must be a non-empty string`);
      else if (names.has(raw.name)) issues.push(`${label}: field name '${raw.name}' is used twice`);
      else names.add(raw.name);
      if (typeof raw.required !== 'boolean') issues.push(`${label}.required must be true or false`);
      if (raw.description !== undefined && typeof raw.description !== 'string') {
        issues.push(`${label}.description must be a string`);
      }
      let field: FieldSpec | undefined;
      if (raw.type === 'numeric') field = parseNumeric(raw, label, issues);
      else if (raw.type === 'categorical') field = parseCategorical(raw, label, issues);
      else issues.push(`${label}.type must be 'numeric' or 'categorical', got ${JSON.stringify(raw.type)}`);
      if (field && nonEmptyString(raw.name) && typeof raw.required === 'boolean') fields.push(field);
    });
    const owner = new Map<string, string>();
    for (const field of fields) {
      for (const column of fieldColumns(field)) {
        const other = owner.get(column);
        if (other !== undefined)
          issues.push(`model column '${column}' is produced by both '${other}' and '${field.name}'`);
        else owner.set(column, field.name);
      }
    }
  }
  if (issues.length > 0) throw new FeatureSpecError(issues, source);
  return {
    specVersion: FEATURE_SPEC_VERSION,
    name: document.name as string,
    ...(document.description !== undefined ? { description: document.description as string } : {}),
    fields,
  };
}

/** Reads and validates a feature specification file. */
export async function loadFeatureSpecFile(path: string): Promise<FeatureSpec> {
  const text = await readFile(path, 'utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FeatureSpecError(
      [`not valid JSON: ${error instanceof Error ? error.message : String(error)}`],
      path,
    );
  }
  return parseFeatureSpec(document, path);
}
