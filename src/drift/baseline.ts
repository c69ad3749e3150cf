/**
 * The training baseline a drift check compares a capture window against (file format
 * `churn-drift-baseline`, version 2). Built by `npm run baseline`, read by the drift core.
 *
 * Numeric features and the model score keep a sample of the training values as sorted distinct values
 * with their multiplicities. The two-sample KS test is then run against exactly that sample, so the
 * reported statistic and p-value equal `scipy.stats.ks_2samp(sample, window)`. Above `maxSample`
 * values the sample is a deterministic mid-quantile subsample (see buildNumericSummary).
 */
export const BASELINE_FORMAT = 'churn-drift-baseline';
/** Version 2: PSI bins gained the bins below the training minimum and above the maximum (`PsiBins.lower`). */
export const BASELINE_VERSION = 2;

export interface WeightedSample {
  /** Distinct values, strictly ascending, all finite. */
  readonly values: number[];
  /** Multiplicity of each distinct value; all positive integers. */
  readonly counts: number[];
  /** Sum of counts: the n of the baseline side of the KS test. */
  readonly size: number;
  /** Number of finite training values the sample was drawn from. */
  readonly population: number;
  /** True when size < population (mid-quantile subsample). */
  readonly subsampled: boolean;
}

export interface PsiBins {
  /** The sample's smallest value: values below it fall in the first bin, (-inf, lower). */
  readonly lower: number;
  /**
   * Upper edges, strictly ascending, the last being the sample's largest value: bins are (-inf, lower),
   * [lower, e0], (e0, e1], ..., (e_last-1, e_last], (e_last, inf). The first and last bins hold values
   * beyond the training range (baseline share 0). The edges are baseline sample values, so window counts
   * per bin follow from the KS counts.
   */
  readonly edges: number[];
  /** Share of the baseline sample in each bin (edges.length + 2 entries, summing to 1). */
  readonly shares: number[];
}

export interface NumericSummary {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
  /** Quantiles of the training values (linear interpolation, numpy's default), keyed "p01", "p50", ... */
  readonly quantiles: Record<string, number>;
}

export interface NumericFeatureBaseline {
  readonly name: string;
  readonly kind: 'numeric';
  /** The model column carrying this feature in positional (CSV) captures. */
  readonly column: string;
  /** Rows in the training data, and how many of them had no usable value. */
  readonly rows: number;
  readonly missing: number;
  readonly summary: NumericSummary;
  /** Values outside this closed interval count as out of range; from the feature specification. */
  readonly allowedRange: { readonly min: number | null; readonly max: number | null };
  /** Whether the specification requires whole numbers; a fractional value then counts as a type error. */
  readonly integer: boolean;
  readonly sample: WeightedSample;
  readonly psi: PsiBins;
}

export interface CategoricalFeatureBaseline {
  readonly name: string;
  readonly kind: 'categorical';
  readonly rows: number;
  readonly missing: number;
  /** Training count per category (categories with zero training rows are not listed). */
  readonly frequencies: Record<string, number>;
  /** Categories the specification allows; a value outside it counts as out of range. Null: no restriction. */
  readonly allowed: string[] | null;
  /**
   * How the feature reaches the model in positional (CSV) captures: one-hot columns, columns[k] being 1 for
   * values[k]; `baseValue` is the category encoded as all zeros (pandas drop_first), or null. Null when the
   * feature travels as its raw text in a column named like the feature.
   */
  readonly oneHot: OneHotColumns | null;
  /**
   * Set when the model encodes the feature natively (XGBoost categorical): positional captures carry
   * category codes in `column`, code i standing for `categories[i]`. Absent in older baselines.
   */
  readonly native?: NativeCodes;
}

export interface NativeCodes {
  readonly column: string;
  readonly categories: string[];
}

export interface OneHotColumns {
  readonly columns: string[];
  readonly values: string[];
  readonly baseValue: string | null;
}

export type FeatureBaseline = NumericFeatureBaseline | CategoricalFeatureBaseline;

export interface ScoreBaseline {
  readonly rows: number;
  readonly summary: NumericSummary;
  readonly sample: WeightedSample;
  readonly psi: PsiBins;
}

export interface Baseline {
  readonly format: typeof BASELINE_FORMAT;
  readonly version: typeof BASELINE_VERSION;
  readonly createdAt: string;
  readonly source: {
    readonly trainingData: string;
    readonly trainingDataSha256: string;
    readonly rows: number;
    readonly featureSpec: string;
    readonly featureSpecSha256: string;
    readonly model: string;
    readonly modelSha256: string;
  };
  /** Order of the model's input columns: how a headerless CSV capture row maps onto features. */
  readonly featureOrder: string[];
  readonly settings: { readonly maxSample: number; readonly psiBins: number };
  readonly features: FeatureBaseline[];
  readonly score: ScoreBaseline;
}

export class BaselineFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineFormatError';
  }
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(path: string, message: string): never {
  throw new BaselineFormatError(`baseline ${path}: ${message}`);
}

function num(v: Json, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    fail(path, `expected a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function nullableNum(v: Json, path: string): number | null {
  return v === null ? null : num(v, path);
}

function str(v: Json, path: string): string {
  if (typeof v !== 'string') fail(path, `expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function obj(v: Json, path: string): Record<string, Json> {
  if (!isObject(v)) fail(path, 'expected an object');
  return v;
}

function arr(v: Json, path: string): Json[] {
  if (!Array.isArray(v)) fail(path, 'expected an array');
  return v;
}

function checkSample(v: Json, path: string): WeightedSample {
  const o = obj(v, path);
  const values = arr(o.values, `${path}.values`).map((x, i) => num(x, `${path}.values[${i}]`));
  const counts = arr(o.counts, `${path}.counts`).map((x, i) => num(x, `${path}.counts[${i}]`));
  if (values.length === 0) fail(path, 'sample is empty');
  if (values.length !== counts.length) fail(path, `${values.length} values but ${counts.length} counts`);
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    if (i > 0 && !(values[i] > values[i - 1]))
      fail(`${path}.values[${i}]`, 'values must be strictly ascending');
    if (!Number.isInteger(counts[i]) || counts[i] <= 0)
      fail(`${path}.counts[${i}]`, 'must be a positive integer');
    size += counts[i];
  }
  if (num(o.size, `${path}.size`) !== size)
    fail(`${path}.size`, `is ${String(o.size)} but the counts sum to ${size}`);
  return {
    values,
    counts,
    size,
    population: num(o.population, `${path}.population`),
    subsampled: o.subsampled === true,
  };
}

function checkPsi(v: Json, path: string, sample: WeightedSample): PsiBins {
  const o = obj(v, path);
  const lower = num(o.lower, `${path}.lower`);
  const edges = arr(o.edges, `${path}.edges`).map((x, i) => num(x, `${path}.edges[${i}]`));
  const shares = arr(o.shares, `${path}.shares`).map((x, i) => num(x, `${path}.shares[${i}]`));
  if (edges.length === 0) fail(`${path}.edges`, 'needs at least the largest sample value');
  if (shares.length !== edges.length + 2)
    fail(path, `needs ${edges.length + 2} shares for ${edges.length} edges`);
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i] > edges[i - 1])) fail(`${path}.edges[${i}]`, 'edges must be strictly ascending');
  }
  // The tails are what lets PSI see values beyond the training range: they must be the sample's extremes.
  if (lower !== sample.values[0]) fail(`${path}.lower`, 'must be the smallest sample value');
  if (edges[edges.length - 1] !== sample.values[sample.values.length - 1])
    fail(`${path}.edges`, 'must end with the largest sample value');
  return { lower, edges, shares };
}

function checkSummary(v: Json, path: string): NumericSummary {
  const o = obj(v, path);
  const q = obj(o.quantiles, `${path}.quantiles`);
  const quantiles: Record<string, number> = {};
  for (const [k, x] of Object.entries(q)) quantiles[k] = num(x, `${path}.quantiles.${k}`);
  return {
    min: num(o.min, `${path}.min`),
    max: num(o.max, `${path}.max`),
    mean: num(o.mean, `${path}.mean`),
    std: num(o.std, `${path}.std`),
    quantiles,
  };
}

function checkFeature(v: Json, path: string): FeatureBaseline {
  const o = obj(v, path);
  const name = str(o.name, `${path}.name`);
  const rows = num(o.rows, `${path}.rows`);
  const missing = num(o.missing, `${path}.missing`);
  if (o.kind === 'numeric') {
    const range = obj(o.allowedRange, `${path}.allowedRange`);
    const sample = checkSample(o.sample, `${path}.sample`);
    return {
      name,
      kind: 'numeric',
      column: o.column === undefined ? name : str(o.column, `${path}.column`),
      rows,
      missing,
      summary: checkSummary(o.summary, `${path}.summary`),
      allowedRange: {
        min: nullableNum(range.min, `${path}.allowedRange.min`),
        max: nullableNum(range.max, `${path}.allowedRange.max`),
      },
      integer: o.integer === true,
      sample,
      psi: checkPsi(o.psi, `${path}.psi`, sample),
    };
  }
  if (o.kind === 'categorical') {
    const f = obj(o.frequencies, `${path}.frequencies`);
    const frequencies: Record<string, number> = {};
    for (const [k, x] of Object.entries(f)) {
      const c = num(x, `${path}.frequencies.${k}`);
      if (!Number.isInteger(c) || c <= 0) fail(`${path}.frequencies.${k}`, 'must be a positive integer');
      frequencies[k] = c;
    }
    if (Object.keys(frequencies).length === 0) fail(`${path}.frequencies`, 'no categories');
    const allowed =
      o.allowed === null
        ? null
        : arr(o.allowed, `${path}.allowed`).map((x, i) => str(x, `${path}.allowed[${i}]`));
    let oneHot: OneHotColumns | null = null;
    if (o.oneHot !== undefined && o.oneHot !== null) {
      const h = obj(o.oneHot, `${path}.oneHot`);
      const columns = arr(h.columns, `${path}.oneHot.columns`).map((x, i) =>
        str(x, `${path}.oneHot.columns[${i}]`),
      );
      const values = arr(h.values, `${path}.oneHot.values`).map((x, i) =>
        str(x, `${path}.oneHot.values[${i}]`),
      );
      if (columns.length !== values.length || columns.length === 0) {
        fail(
          `${path}.oneHot`,
          `needs one value per column (${columns.length} columns, ${values.length} values)`,
        );
      }
      const baseValue = h.baseValue === null ? null : str(h.baseValue, `${path}.oneHot.baseValue`);
      oneHot = { columns, values, baseValue };
    }
    let native: NativeCodes | undefined;
    if (o.native !== undefined && o.native !== null) {
      if (oneHot) fail(`${path}.native`, 'a feature is either one-hot or native, not both');
      const n = obj(o.native, `${path}.native`);
      native = {
        column: str(n.column, `${path}.native.column`),
        categories: arr(n.categories, `${path}.native.categories`).map((x, i) =>
          str(x, `${path}.native.categories[${i}]`),
        ),
      };
    }
    return {
      name,
      kind: 'categorical',
      rows,
      missing,
      frequencies,
      allowed,
      oneHot,
      ...(native ? { native } : {}),
    };
  }
  return fail(`${path}.kind`, `must be "numeric" or "categorical", got ${JSON.stringify(o.kind)}`);
}

/** Validates a parsed baseline file and returns it typed; throws BaselineFormatError naming the bad field. */
export function parseBaseline(value: Json): Baseline {
  const o = obj(value, '(root)');
  if (o.format !== BASELINE_FORMAT)
    fail('format', `expected "${BASELINE_FORMAT}", got ${JSON.stringify(o.format)}`);
  if (o.version !== BASELINE_VERSION) {
    fail(
      'version',
      `unsupported version ${JSON.stringify(o.version)}; this code reads version ${BASELINE_VERSION} ` +
        '(PSI bins for values beyond the training range): rebuild the baseline with npm run baseline',
    );
  }
  const source = obj(o.source, 'source');
  const features = arr(o.features, 'features').map((f, i) => checkFeature(f, `features[${i}]`));
  if (features.length === 0) fail('features', 'no features');
  const names = new Set<string>();
  for (const f of features) {
    if (names.has(f.name)) fail('features', `duplicate feature "${f.name}"`);
    names.add(f.name);
  }
  const featureOrder = arr(o.featureOrder, 'featureOrder').map((x, i) => str(x, `featureOrder[${i}]`));
  const score = obj(o.score, 'score');
  const settings = obj(o.settings, 'settings');
  const scoreSample = checkSample(score.sample, 'score.sample');
  return {
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    createdAt: str(o.createdAt, 'createdAt'),
    source: {
      trainingData: str(source.trainingData, 'source.trainingData'),
      trainingDataSha256: str(source.trainingDataSha256, 'source.trainingDataSha256'),
      rows: num(source.rows, 'source.rows'),
      featureSpec: str(source.featureSpec, 'source.featureSpec'),
      featureSpecSha256: str(source.featureSpecSha256, 'source.featureSpecSha256'),
      model: str(source.model, 'source.model'),
      modelSha256: str(source.modelSha256, 'source.modelSha256'),
    },
    featureOrder,
    settings: {
      maxSample: num(settings.maxSample, 'settings.maxSample'),
      psiBins: num(settings.psiBins, 'settings.psiBins'),
    },
    features,
    score: {
      rows: num(score.rows, 'score.rows'),
      summary: checkSummary(score.summary, 'score.summary'),
      sample: scoreSample,
      psi: checkPsi(score.psi, 'score.psi', scoreSample),
    },
  };
}
