import {
  fieldColumns,
  specColumns,
  type CategoricalFieldSpec,
  type FeatureSpec,
  type FieldSpec,
  type OneHotEncoding,
} from './spec';

/** A raw input record: field name to value, as it comes from JSON (numbers, strings, null) or CSV (strings). */
export type RawRecord = Readonly<Record<string, unknown>>;

/** One problem with one field of one record. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type EncodeResult =
  | { readonly ok: true; readonly vector: Float64Array }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

export interface EncoderOptions {
  /**
   * The model's feature names, in model column order. When given, the encoder writes vectors in this
   * order and refuses a specification whose columns are not exactly the model's columns.
   * @default the specification's own column order
   */
  readonly modelFeatureNames?: readonly string[];
  /**
   * The model's feature types aligned with `modelFeatureNames` (`c` = native categorical). When given,
   * a native field must name a `c` column and no other field may, so a one-hot specification is never
   * paired with a natively categorical model or the other way round.
   * @default no type check
   */
  readonly modelFeatureTypes?: readonly string[];
  /**
   * Category names the model stores per column (XGBoost 3.1+), aligned with `modelFeatureNames`. A
   * native field's values are then coded by their position in these names; without them, by their
   * position in the field's own `values`.
   * @default no stored names
   */
  readonly modelCategoryNames?: readonly (readonly string[] | undefined)[];
  /**
   * What to do with record fields the specification does not name: 'reject' reports them as errors
   * (what an API should do), 'ignore' skips them (for files carrying ids or labels).
   * @default 'reject'
   */
  readonly unknownFields?: 'reject' | 'ignore';
}

/** What an encoder needs to know about a model: `TreeEnsembleModel` has exactly these members. */
export interface ModelColumns {
  readonly featureNames: readonly string[];
  readonly featureTypes?: readonly string[];
  readonly categoryNames?: readonly (readonly string[] | undefined)[];
}

/** Encoder options binding a specification to a model's columns, types and stored category names. */
export function modelEncoderOptions(
  model: ModelColumns,
  unknownFields: 'reject' | 'ignore' = 'reject',
): EncoderOptions {
  return {
    modelFeatureNames: model.featureNames,
    ...(model.featureTypes ? { modelFeatureTypes: model.featureTypes } : {}),
    ...(model.categoryNames ? { modelCategoryNames: model.categoryNames } : {}),
    unknownFields,
  };
}

/** The specification does not describe the model it is paired with. */
export class SpecModelMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecModelMismatchError';
  }
}

// Strict decimal syntax: Number() alone would also accept '0x1F', '0b1', ' ' (as 0) and 'Infinity'.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

interface BoundField {
  readonly spec: FieldSpec;
  /** Model column index per encoded column, aligned with fieldColumns(spec). */
  readonly indices: Int32Array;
  /** Native categorical fields: the model's category code per entry of `values`. */
  readonly codes?: Int32Array;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * Validates raw records against a feature specification and encodes them into model vectors; also
 * folds per-column contributions back onto the source fields. Build one per (spec, model) pair.
 */
export class FeatureEncoder {
  /** Model column names in vector order. */
  readonly columns: readonly string[];
  readonly spec: FeatureSpec;
  private readonly fields: readonly BoundField[];
  private readonly byName: ReadonlyMap<string, BoundField>;
  private readonly unknownFields: 'reject' | 'ignore';
  private readonly storedNames: readonly (readonly string[] | undefined)[];

  constructor(spec: FeatureSpec, options: EncoderOptions = {}) {
    this.spec = spec;
    this.storedNames = options.modelCategoryNames ?? [];
    this.unknownFields = options.unknownFields ?? 'reject';
    const produced = specColumns(spec);
    const columns = options.modelFeatureNames ? [...options.modelFeatureNames] : produced;
    if (options.modelFeatureNames) {
      const model = new Set(columns);
      const spare = produced.filter((c) => !model.has(c));
      const own = new Set(produced);
      const uncovered = columns.filter((c) => !own.has(c));
      if (spare.length > 0 || uncovered.length > 0) {
        const parts = [];
        if (uncovered.length > 0)
          parts.push(`model columns not produced by the specification: ${uncovered.join(', ')}`);
        if (spare.length > 0)
          parts.push(`specification columns the model does not have: ${spare.join(', ')}`);
        throw new SpecModelMismatchError(
          `feature specification '${spec.name}' does not match the model; ${parts.join('; ')}`,
        );
      }
    }
    const index = new Map(columns.map((c, i) => [c, i]));
    this.columns = Object.freeze(columns);
    this.fields = spec.fields.map((field) => {
      const indices = Int32Array.from(fieldColumns(field), (c) => index.get(c) as number);
      return field.type === 'categorical' && field.native
        ? { spec: field, indices, codes: nativeCodes(spec, field, indices[0], options) }
        : { spec: field, indices };
    });
    if (options.modelFeatureTypes) checkEncodings(spec, this.fields, options.modelFeatureTypes, columns);
    this.byName = new Map(this.fields.map((f) => [f.spec.name, f]));
  }

  /** Validates and encodes one record. Every field is checked, so all its problems are reported at once. */
  encode(record: RawRecord): EncodeResult {
    const vector = new Float64Array(this.columns.length);
    const errors = this.encodeInto(record, vector);
    return errors.length === 0 ? { ok: true, vector } : { ok: false, errors };
  }

  /** Like `encode` but writes into `out` (length = columns.length) and returns the errors (empty = valid). */
  encodeInto(record: RawRecord, out: Float64Array | Float32Array): FieldError[] {
    const errors: FieldError[] = [];
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return [{ field: '(record)', message: 'must be an object of field values' }];
    }
    if (this.unknownFields === 'reject') {
      for (const key of Object.keys(record)) {
        if (!this.byName.has(key))
          errors.push({ field: key, message: 'is not a field of the feature specification' });
      }
    }
    for (const { spec, indices, codes } of this.fields) {
      const value = record[spec.name];
      if (spec.type === 'numeric') {
        const result = encodeNumeric(spec, value);
        if (typeof result === 'string') errors.push({ field: spec.name, message: result });
        else out[indices[0]] = result;
        continue;
      }
      if (isAbsent(value)) {
        if (spec.required) errors.push({ field: spec.name, message: 'is required' });
        else indices.forEach((i) => (out[i] = spec.missing === 'zeros' ? 0 : NaN));
        continue;
      }
      const position = typeof value === 'string' ? spec.values.indexOf(value) : -1;
      if (position < 0) {
        errors.push({
          field: spec.name,
          message: `must be one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}; got ${describeValue(value)}`,
        });
        continue;
      }
      if (codes !== undefined) {
        out[indices[0]] = codes[position];
        continue;
      }
      indices.forEach((i) => (out[i] = 0));
      const hot = (spec.oneHot as OneHotEncoding).dropFirst ? position - 1 : position;
      if (hot >= 0) out[indices[hot]] = 1;
    }
    return errors;
  }

  /**
   * A native categorical field's model column and what each code stands for (`categories[code]`):
   * the model's stored names when it has them, else the field's values. Undefined for other fields.
   */
  nativeCategories(fieldName: string): { column: string; categories: string[] } | undefined {
    const bound = this.byName.get(fieldName);
    if (!bound || bound.codes === undefined || bound.spec.type !== 'categorical') return undefined;
    const categories: string[] = [];
    bound.spec.values.forEach((v, i) => (categories[(bound.codes as Int32Array)[i]] = v));
    for (let i = 0; i < categories.length; i++)
      categories[i] ??= this.storedNames[bound.indices[0]]?.[i] ?? '';
    return { column: this.columns[bound.indices[0]], categories };
  }

  /** Source field names in specification order: the order of `sumBySourceFieldInto`'s output. */
  get fieldNames(): readonly string[] {
    return this.fields.map((f) => f.spec.name);
  }

  /**
   * Sums per-column contributions (model column order, e.g. `Contributions.values`) back onto the source
   * fields, so a one-hot encoded field gets one number. Keys follow the specification order, except
   * that JavaScript lists integer-like keys ("42") first; use `sumBySourceFieldInto` for a strict order.
   */
  sumBySourceField(columnContributions: ArrayLike<number>): Record<string, number> {
    const sums = this.sumBySourceFieldInto(columnContributions, new Float64Array(this.fields.length));
    const out: Record<string, number> = {};
    this.fields.forEach(({ spec }, i) => (out[spec.name] = sums[i]));
    return out;
  }

  /** Like `sumBySourceField`, writing one sum per field into `out` in `fieldNames` order. */
  sumBySourceFieldInto(columnContributions: ArrayLike<number>, out: Float64Array): Float64Array {
    if (columnContributions.length !== this.columns.length) {
      throw new RangeError(
        `expected ${this.columns.length} column contributions, got ${columnContributions.length}`,
      );
    }
    if (out.length < this.fields.length)
      throw new RangeError(`output holds ${out.length} fields, ${this.fields.length} needed`);
    this.fields.forEach(({ indices }, f) => {
      let sum = 0;
      for (let k = 0; k < indices.length; k++) sum += columnContributions[indices[k]];
      out[f] = sum;
    });
    return out;
  }
}

/** A short, bounded description of a raw value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value;
}

function encodeNumeric(spec: Extract<FieldSpec, { type: 'numeric' }>, value: unknown): number | string {
  if (isAbsent(value)) return spec.required ? 'is required' : NaN;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && DECIMAL.test(value.trim())) n = Number(value.trim());
  else return `must be a number; got ${describeValue(value)}`;
  if (!Number.isFinite(n)) return `must be a finite number; got ${String(n)}`;
  if (spec.integer && !Number.isInteger(n)) return `must be a whole number; got ${n}`;
  if (spec.minimum !== undefined && n < spec.minimum) return `must be at least ${spec.minimum}; got ${n}`;
  if (spec.maximum !== undefined && n > spec.maximum) return `must be at most ${spec.maximum}; got ${n}`;
  return n;
}

/**
 * Codes of a native field's values: positions among the model's stored category names when it has
 * them (every value must be one of them), else positions in the field's own values.
 */
function nativeCodes(
  spec: FeatureSpec,
  field: CategoricalFieldSpec,
  column: number,
  options: EncoderOptions,
): Int32Array {
  const stored = options.modelCategoryNames?.[column];
  if (stored === undefined) return Int32Array.from(field.values, (_, i) => i);
  const unknown = field.values.filter((v) => !stored.includes(v));
  if (unknown.length > 0) {
    throw new SpecModelMismatchError(
      `feature specification '${spec.name}' does not match the model; field '${field.name}' allows ` +
        `${unknown.map((v) => JSON.stringify(v)).join(', ')}, which the model's categories ` +
        `(${stored.map((v) => JSON.stringify(v)).join(', ')}) do not include`,
    );
  }
  return Int32Array.from(field.values, (v) => stored.indexOf(v));
}

/** Native fields on categorical model columns, every other field on numeric ones. */
function checkEncodings(
  spec: FeatureSpec,
  fields: readonly BoundField[],
  types: readonly string[],
  columns: readonly string[],
): void {
  const problems: string[] = [];
  for (const { spec: field, indices } of fields) {
    const native = field.type === 'categorical' && field.native !== undefined;
    for (const i of indices) {
      const categorical = types[i] === 'c';
      if (native && !categorical) {
        problems.push(
          `field '${field.name}' is native categorical but model column '${columns[i]}' is numeric`,
        );
      } else if (!native && categorical) {
        problems.push(
          `model column '${columns[i]}' is native categorical (trained with enable_categorical); ` +
            `declare field '${field.name}' as categorical with "native": true`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new SpecModelMismatchError(
      `feature specification '${spec.name}' does not match the model; ${problems.join('; ')}`,
    );
  }
}
