import type { FieldError, RawRecord } from '../features';
import type { TreeEnsembleModel } from '../scorer';
import { InputError } from './records';

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Encodes a record keyed by model feature names (no spec): numbers or numeric strings, empty = missing.
 * A native categorical feature takes a category name the model stores (XGBoost 3.1+), or a code.
 */
export class ColumnEncoder {
  private readonly index: ReadonlyMap<string, number>;
  private readonly codes: readonly (ReadonlyMap<string, number> | undefined)[];
  constructor(
    private readonly model: TreeEnsembleModel,
    private readonly ignoreUnknown: boolean,
  ) {
    this.index = new Map(model.featureNames.map((n, i) => [n, i]));
    this.codes = model.categoryNames.map((names) =>
      names ? new Map(names.map((n, i) => [n, i])) : undefined,
    );
  }

  private category(i: number, key: string, value: unknown): number | FieldError {
    const text = typeof value === 'string' ? value : String(value);
    const code = this.codes[i]?.get(text);
    if (code !== undefined) return code;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
    const names = this.model.categoryNames[i];
    return {
      field: key,
      message: names
        ? `must be one of the model's categories ${names.map((n) => JSON.stringify(n)).join(', ')} or a code; got ${JSON.stringify(value)}`
        : `is a native categorical feature and the model stores no category names, so ${JSON.stringify(value)} cannot be coded; ` +
          'pass --spec with a native field listing its categories in code order, or give the codes',
    };
  }

  checkHeader(columns: readonly string[]): void {
    const unknown = columns.filter((c) => !this.index.has(c));
    if (unknown.length > 0 && !this.ignoreUnknown) {
      throw new InputError(
        `CSV header has columns that are not model features: ${unknown.join(', ')} ` +
          `(model features: ${this.model.featureNames.join(', ')}; --ignore-unknown skips extra columns)`,
      );
    }
    const present = new Set(columns);
    const absent = this.model.featureNames.filter((n) => !present.has(n));
    if (absent.length > 0) throw new InputError(`CSV header lacks model features: ${absent.join(', ')}`);
  }

  encodeInto(record: RawRecord, out: Float64Array): FieldError[] {
    const errors: FieldError[] = [];
    out.fill(NaN);
    for (const [key, value] of Object.entries(record)) {
      const i = this.index.get(key);
      if (i === undefined) {
        if (!this.ignoreUnknown) errors.push({ field: key, message: 'is not a model feature' });
        continue;
      }
      if (value === null || value === undefined || (typeof value === 'string' && value.trim() === ''))
        continue;
      if (this.model.featureTypes[i] === 'c') {
        const code = this.category(i, key, value);
        if (typeof code === 'number') out[i] = code;
        else errors.push(code);
        continue;
      }
      if (typeof value === 'number' && Number.isFinite(value)) out[i] = value;
      else if (typeof value === 'string' && DECIMAL.test(value.trim())) out[i] = Number(value.trim());
      else errors.push({ field: key, message: `must be a number or empty; got ${JSON.stringify(value)}` });
    }
    return errors;
  }
}
