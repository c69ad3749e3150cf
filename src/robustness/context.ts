import { FeatureEncoder, fieldColumns, type FeatureSpec, type FieldSpec, type RawRecord } from '../features';
import type { TreeEnsembleModel } from '../scorer';

/** One specification field with the model columns it writes. */
export interface BoundField {
  readonly spec: FieldSpec;
  readonly columns: Int32Array;
}

/**
 * The rows under assessment, encoded once: what every figure starts from. `vectors[i]` is row i in model
 * column order and `base[i]` the model's probability for it.
 */
export interface AssessmentContext {
  readonly model: TreeEnsembleModel;
  readonly spec: FeatureSpec;
  readonly encoder: FeatureEncoder;
  readonly fields: readonly BoundField[];
  readonly records: readonly RawRecord[];
  readonly vectors: readonly Float64Array[];
  readonly base: Float64Array;
  /** A probability at or above it is a positive (high-risk) decision. */
  readonly threshold: number;
}

export class AssessmentInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssessmentInputError';
  }
}

export function decision(probability: number, threshold: number): boolean {
  return probability >= threshold;
}

/**
 * Pairs model and specification (refusing a mismatch or a model without probabilities), encodes every
 * record and scores it. Records the specification refuses are returned apart, never assessed.
 */
export function buildContext(
  model: TreeEnsembleModel,
  spec: FeatureSpec,
  records: readonly RawRecord[],
  threshold: number,
): { context: AssessmentContext; rejected: { row: number; message: string }[] } {
  if (model.predictionKind !== 'probability') {
    throw new AssessmentInputError(
      `objective ${model.objective} does not produce probabilities; the assessment measures decisions at a probability threshold`,
    );
  }
  if (!(threshold > 0 && threshold < 1)) {
    throw new AssessmentInputError(
      `the decision threshold must be between 0 and 1 (exclusive), got ${threshold}`,
    );
  }
  const encoder = new FeatureEncoder(spec, {
    modelFeatureNames: model.featureNames,
    unknownFields: 'ignore',
  });
  const index = new Map(encoder.columns.map((c, i) => [c, i]));
  const fields = spec.fields.map((f) => ({
    spec: f,
    columns: Int32Array.from(fieldColumns(f), (c) => index.get(c) as number),
  }));
  const kept: RawRecord[] = [];
  const vectors: Float64Array[] = [];
  const rejected: { row: number; message: string }[] = [];
  records.forEach((record, i) => {
    const encoded = encoder.encode(record);
    if (!encoded.ok) {
      rejected.push({ row: i + 1, message: encoded.errors.map((e) => `${e.field} ${e.message}`).join('; ') });
      return;
    }
    kept.push(record);
    vectors.push(encoded.vector);
  });
  if (vectors.length === 0) {
    throw new AssessmentInputError(
      `none of the ${records.length} rows passes the feature specification, so nothing can be assessed`,
    );
  }
  const base = Float64Array.from(vectors, (v) => model.predict(v));
  return {
    context: { model, spec, encoder, fields, records: kept, vectors, base, threshold },
    rejected,
  };
}

/** Population standard deviation and range of the finite values, or undefined when there are none. */
export function spread(values: readonly number[]): { std: number; min: number; max: number } | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of finite) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / finite.length;
  let squares = 0;
  for (const v of finite) squares += (v - mean) ** 2;
  return { std: Math.sqrt(squares / finite.length), min, max };
}

export function round(value: number, digits = 6): number {
  return Number(value.toFixed(digits));
}
