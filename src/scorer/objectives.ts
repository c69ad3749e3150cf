import { UnsupportedModelError } from './errors';

/** How an objective maps `base_score` into margin space and a margin into the reported prediction. */
export interface ObjectiveDefinition {
  /** XGBoost's objective name, e.g. `binary:logistic`. */
  readonly name: string;
  /** What the prediction means, for documentation and API answers. */
  readonly output: 'probability' | 'margin' | 'value' | 'count';
  /** XGBoost's `ProbToMargin`, evaluated in float32 as XGBoost does. */
  readonly baseScoreToMargin: (baseScore: number) => number;
  /** XGBoost's `PredTransform`, rounded to float32 because XGBoost returns float32. */
  readonly transform: (margin: number) => number;
}

const f = Math.fround;

const identity = (x: number): number => f(x);

// XGBoost computes these in float32 (`-logf(1.0f / p - 1.0f)`); rounding each step reproduces it.
const logit = (p: number): number => {
  if (!(p > 0 && p < 1)) {
    throw new UnsupportedModelError(
      `base_score ${p} must lie strictly between 0 and 1 for a logistic objective`,
    );
  }
  return f(-Math.log(f(f(1 / f(p)) - 1)));
};
const sigmoid = (m: number): number => f(1 / (1 + Math.exp(-m)));
const logOf = (p: number): number => {
  if (!(p > 0)) throw new UnsupportedModelError(`base_score ${p} must be positive for a log-link objective`);
  return f(Math.log(f(p)));
};
const expOf = (m: number): number => f(Math.exp(m));

const DEFINITIONS: readonly ObjectiveDefinition[] = [
  { name: 'binary:logistic', output: 'probability', baseScoreToMargin: logit, transform: sigmoid },
  { name: 'reg:logistic', output: 'probability', baseScoreToMargin: logit, transform: sigmoid },
  // logitraw reports the margin and XGBoost 1.7 takes base_score as a margin too (no logit), which the
  // binary_logitraw fixture confirms.
  { name: 'binary:logitraw', output: 'margin', baseScoreToMargin: identity, transform: identity },
  { name: 'reg:squarederror', output: 'value', baseScoreToMargin: identity, transform: identity },
  { name: 'reg:pseudohubererror', output: 'value', baseScoreToMargin: identity, transform: identity },
  { name: 'count:poisson', output: 'count', baseScoreToMargin: logOf, transform: expOf },
  { name: 'reg:gamma', output: 'value', baseScoreToMargin: logOf, transform: expOf },
  { name: 'reg:tweedie', output: 'value', baseScoreToMargin: logOf, transform: expOf },
];

const BY_NAME = new Map(DEFINITIONS.map((d) => [d.name, d]));

/** Objective names this scorer reproduces exactly. */
export const SUPPORTED_OBJECTIVES: readonly string[] = DEFINITIONS.map((d) => d.name);

export function objectiveDefinition(name: string): ObjectiveDefinition {
  const definition = BY_NAME.get(name);
  if (definition) return definition;
  if (name.startsWith('multi:')) {
    throw new UnsupportedModelError(
      `objective '${name}' is multi-class; only single-output models are supported (${SUPPORTED_OBJECTIVES.join(', ')})`,
    );
  }
  throw new UnsupportedModelError(
    `objective '${name}' is not supported; supported objectives: ${SUPPORTED_OBJECTIVES.join(', ')}`,
  );
}
