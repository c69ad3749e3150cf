import type { NumericFieldSpec } from '../features';
import { decision, round, spread, type AssessmentContext } from './context';

/** Stability of one numeric feature under a small change of its value. */
export interface FeatureStability {
  readonly feature: string;
  /** The change applied in each direction (in the field's own unit); absent when skipped. */
  readonly step?: number;
  /** Rows whose value could be moved at least one way within the specification's range. */
  readonly rows: number;
  /** Rows whose decision changed in either direction. */
  readonly flips: number;
  /** flips / rows (0 when no row could be moved). */
  readonly flipRate: number;
  /** Largest absolute change of the probability over rows and directions. */
  readonly maxProbabilityChange: number;
  readonly meanProbabilityChange: number;
  /** Why the feature was not perturbed (constant and unbounded, or a step below an integer's resolution). */
  readonly skipped?: string;
}

export interface PerturbationResult {
  /** The step as a multiple of each feature's standard deviation over the rows. */
  readonly relativeStep: number;
  readonly features: readonly FeatureStability[];
  readonly maxFlipRate: number;
  /** The feature with the largest flip rate (the first in specification order on a tie), or '' if none. */
  readonly maxFlipFeature: string;
  readonly maxProbabilityChange: number;
}

function stepOf(field: NumericFieldSpec, std: number, relativeStep: number): number | string {
  let scale = std;
  if (scale === 0) {
    if (field.minimum === undefined || field.maximum === undefined) {
      return 'constant in the rows and unbounded in the specification';
    }
    scale = field.maximum - field.minimum;
  }
  let step = relativeStep * scale;
  if (field.integer) step = Math.round(step);
  return step > 0 ? step : `the step ${round(relativeStep * scale)} is below the field's integer resolution`;
}

/**
 * Moves each numeric feature of every row by ± `relativeStep` standard deviations (taken over the rows),
 * clamped to the specification's [minimum, maximum] and rounded for integer fields, and counts the rows
 * whose decision at the threshold changes. Rows where the feature is missing are left out.
 */
export function perturbationStability(context: AssessmentContext, relativeStep: number): PerturbationResult {
  const { model, vectors, base, threshold } = context;
  const features: FeatureStability[] = [];
  for (const { spec, columns } of context.fields) {
    if (spec.type !== 'numeric') continue;
    const column = columns[0];
    const stats = spread(vectors.map((v) => v[column]));
    const empty = {
      feature: spec.name,
      rows: 0,
      flips: 0,
      flipRate: 0,
      maxProbabilityChange: 0,
      meanProbabilityChange: 0,
    };
    if (!stats) {
      features.push({ ...empty, skipped: 'no row has a value' });
      continue;
    }
    const step = stepOf(spec, stats.std, relativeStep);
    if (typeof step === 'string') {
      features.push({ ...empty, skipped: step });
      continue;
    }
    let rows = 0;
    let flips = 0;
    let maxChange = 0;
    let sumChange = 0;
    let changes = 0;
    vectors.forEach((vector, i) => {
      const original = vector[column];
      if (!Number.isFinite(original)) return;
      let moved = false;
      let flipped = false;
      for (const direction of [-1, 1]) {
        let value = original + direction * step;
        if (spec.minimum !== undefined) value = Math.max(spec.minimum, value);
        if (spec.maximum !== undefined) value = Math.min(spec.maximum, value);
        if (value === original) continue;
        moved = true;
        vector[column] = value;
        const p = model.predict(vector);
        vector[column] = original;
        const change = Math.abs(p - base[i]);
        maxChange = Math.max(maxChange, change);
        sumChange += change;
        changes++;
        if (decision(p, threshold) !== decision(base[i], threshold)) flipped = true;
      }
      if (moved) rows++;
      if (flipped) flips++;
    });
    features.push({
      feature: spec.name,
      step: round(step),
      rows,
      flips,
      flipRate: rows === 0 ? 0 : round(flips / rows),
      maxProbabilityChange: round(maxChange),
      meanProbabilityChange: changes === 0 ? 0 : round(sumChange / changes),
    });
  }
  let worst: FeatureStability | undefined;
  for (const f of features) if (!worst || f.flipRate > worst.flipRate) worst = f;
  return {
    relativeStep,
    features,
    maxFlipRate: worst?.flipRate ?? 0,
    maxFlipFeature: worst && worst.flipRate > 0 ? worst.feature : '',
    maxProbabilityChange: features.reduce((m, f) => Math.max(m, f.maxProbabilityChange), 0),
  };
}
