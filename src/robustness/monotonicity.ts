import type { Monotonicity, NumericFieldSpec } from '../features';
import { round, spread, type AssessmentContext } from './context';

/** A fall (for 'increasing') smaller than this is float noise, not a violation. */
const TOLERANCE = 1e-9;

export interface FeatureMonotonicity {
  readonly feature: string;
  readonly direction: Monotonicity;
  /** The grid's distinct values, lowest to highest. */
  readonly grid: readonly number[];
  /** Adjacent grid pairs compared: rows × (grid points − 1). */
  readonly pairs: number;
  /** Pairs where the probability moved against the declared direction. */
  readonly violations: number;
  readonly rowsWithViolation: number;
  /** Largest move against the direction, in probability. */
  readonly largestViolation: number;
  /** A row and the two grid values where the largest violation occurs (1-based row of the assessed set). */
  readonly example?: { readonly row: number; readonly from: number; readonly to: number };
}

export interface MonotonicityResult {
  readonly gridPoints: number;
  readonly features: readonly FeatureMonotonicity[];
  readonly violations: number;
  readonly pairs: number;
}

function gridOf(
  field: NumericFieldSpec,
  observed: { min: number; max: number } | undefined,
  points: number,
): number[] {
  const lo = field.minimum ?? observed?.min;
  const hi = field.maximum ?? observed?.max;
  if (lo === undefined || hi === undefined || hi <= lo) return lo === undefined ? [] : [lo];
  const values = new Set<number>();
  for (let k = 0; k < points; k++) {
    const v = lo + ((hi - lo) * k) / (points - 1);
    values.add(field.integer ? Math.round(v) : v);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * For each numeric field that declares a direction, sweeps it over a grid of `gridPoints` evenly spaced
 * values spanning the specification's range (the rows' range where the specification leaves it open), all
 * other fields of each row held fixed, and counts adjacent grid pairs where the probability moves against
 * the declared direction.
 */
export function monotonicity(context: AssessmentContext, gridPoints: number): MonotonicityResult {
  const { model, vectors } = context;
  const features: FeatureMonotonicity[] = [];
  for (const { spec, columns } of context.fields) {
    if (spec.type !== 'numeric' || !spec.monotone) continue;
    const column = columns[0];
    const grid = gridOf(spec, spread(vectors.map((v) => v[column])), gridPoints);
    const sign = spec.monotone === 'increasing' ? 1 : -1;
    let violations = 0;
    let rowsWithViolation = 0;
    let largest = 0;
    let example: FeatureMonotonicity['example'];
    const curve = new Float64Array(grid.length);
    vectors.forEach((vector, i) => {
      const original = vector[column];
      grid.forEach((value, k) => {
        vector[column] = value;
        curve[k] = model.predict(vector);
      });
      vector[column] = original;
      let violated = false;
      for (let k = 0; k + 1 < grid.length; k++) {
        const against = -sign * (curve[k + 1] - curve[k]);
        if (against > TOLERANCE) {
          violations++;
          violated = true;
          if (against > largest) {
            largest = against;
            example = { row: i + 1, from: grid[k], to: grid[k + 1] };
          }
        }
      }
      if (violated) rowsWithViolation++;
    });
    features.push({
      feature: spec.name,
      direction: spec.monotone,
      grid: grid.map((v) => round(v)),
      pairs: vectors.length * Math.max(0, grid.length - 1),
      violations,
      rowsWithViolation,
      largestViolation: round(largest),
      ...(example ? { example } : {}),
    });
  }
  return {
    gridPoints,
    features,
    violations: features.reduce((n, f) => n + f.violations, 0),
    pairs: features.reduce((n, f) => n + f.pairs, 0),
  };
}
