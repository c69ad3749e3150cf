/**
 * Assembles a baseline from training columns that have already been read and scored. The `baseline`
 * CLI reads the training CSV with the feature specification, scores it with the model, and calls this;
 * tests and the benchmark call it with synthetic columns.
 */
import {
  BASELINE_FORMAT,
  BASELINE_VERSION,
  type Baseline,
  type CategoricalFeatureBaseline,
  type FeatureBaseline,
  type NativeCodes,
  type NumericFeatureBaseline,
  type OneHotColumns,
} from './baseline';
import {
  buildNumericSummary,
  buildPsiBins,
  buildWeightedSample,
  DEFAULT_MAX_SAMPLE,
  DEFAULT_PSI_BINS,
} from './summary';

export interface NumericColumn {
  readonly name: string;
  readonly kind: 'numeric';
  /** One entry per training row; null (or NaN) for a missing value. */
  readonly values: ArrayLike<number | null>;
  readonly allowedRange?: { readonly min?: number | null; readonly max?: number | null };
  readonly integer?: boolean;
  /** Model column name. @default the feature name */
  readonly column?: string;
}

export interface CategoricalColumn {
  readonly name: string;
  readonly kind: 'categorical';
  /** One entry per training row; null for a missing value. */
  readonly values: ArrayLike<string | null>;
  readonly allowed?: readonly string[] | null;
  /** One-hot model columns of this feature; omitted when it travels as raw text. */
  readonly oneHot?: OneHotColumns | null;
  /** The native categorical model column and the category of each code; omitted unless native. */
  readonly native?: NativeCodes | null;
}

export type TrainingColumn = NumericColumn | CategoricalColumn;

export interface BuildBaselineInput {
  readonly columns: readonly TrainingColumn[];
  /** Model score for each training row. */
  readonly scores: ArrayLike<number>;
  readonly featureOrder: readonly string[];
  readonly source: Baseline['source'];
  readonly maxSample?: number;
  readonly psiBins?: number;
  readonly createdAt?: string;
}

function finiteSorted(
  values: ArrayLike<number | null>,
  what: string,
): { sorted: Float64Array; missing: number } {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || Number.isNaN(v)) continue;
    if (!Number.isFinite(v)) throw new RangeError(`${what}: row ${i + 1} holds a non-finite value ${v}`);
    out[n++] = v;
  }
  const sorted = out.slice(0, n).sort();
  return { sorted, missing: values.length - n };
}

function numericFeature(c: NumericColumn, maxSample: number, psiBins: number): NumericFeatureBaseline {
  const { sorted, missing } = finiteSorted(c.values, `feature ${c.name}`);
  if (sorted.length === 0) throw new RangeError(`feature ${c.name}: no training row has a value`);
  const sample = buildWeightedSample(sorted, maxSample);
  return {
    name: c.name,
    kind: 'numeric',
    column: c.column ?? c.name,
    rows: c.values.length,
    missing,
    summary: buildNumericSummary(sorted),
    allowedRange: { min: c.allowedRange?.min ?? null, max: c.allowedRange?.max ?? null },
    integer: c.integer ?? false,
    sample,
    psi: buildPsiBins(sample, psiBins),
  };
}

function categoricalFeature(c: CategoricalColumn): CategoricalFeatureBaseline {
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i];
    if (v === null || v === '') missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  if (counts.size === 0) throw new RangeError(`feature ${c.name}: no training row has a value`);
  const frequencies: Record<string, number> = {};
  for (const k of [...counts.keys()].sort()) frequencies[k] = counts.get(k) as number;
  return {
    name: c.name,
    kind: 'categorical',
    rows: c.values.length,
    missing,
    frequencies,
    allowed: c.allowed ? [...c.allowed] : null,
    oneHot: c.oneHot
      ? { columns: [...c.oneHot.columns], values: [...c.oneHot.values], baseValue: c.oneHot.baseValue }
      : null,
    ...(c.native ? { native: { column: c.native.column, categories: [...c.native.categories] } } : {}),
  };
}

export function buildBaseline(input: BuildBaselineInput): Baseline {
  const maxSample = input.maxSample ?? DEFAULT_MAX_SAMPLE;
  const psiBins = input.psiBins ?? DEFAULT_PSI_BINS;
  const names = new Set<string>();
  const features: FeatureBaseline[] = input.columns.map((c) => {
    if (names.has(c.name)) throw new RangeError(`feature ${c.name} appears twice`);
    names.add(c.name);
    return c.kind === 'numeric' ? numericFeature(c, maxSample, psiBins) : categoricalFeature(c);
  });
  const { sorted: scores, missing } = finiteSorted(input.scores, 'model score');
  if (missing > 0)
    throw new RangeError(`the model returned ${missing} non-finite scores on the training data`);
  const scoreSample = buildWeightedSample(scores, maxSample);
  return {
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    createdAt: input.createdAt ?? new Date().toISOString(),
    source: input.source,
    featureOrder: [...input.featureOrder],
    settings: { maxSample, psiBins },
    features,
    score: {
      rows: input.scores.length,
      summary: buildNumericSummary(scores),
      sample: scoreSample,
      psi: buildPsiBins(scoreSample, psiBins),
    },
  };
}
