import { parseFeatureSpec, type RawRecord } from '../../../src/features';
import { sha256Hex } from '../../../src/integrity/digest';
import {
  assessmentMetadata,
  assessmentProblems,
  assessRobustness,
  parseAssessment,
  readAssessmentMetadata,
  type RobustnessAssessment,
} from '../../../src/robustness';
import { boundsBehaviour } from '../../../src/robustness/bounds';
import { buildContext } from '../../../src/robustness/context';
import { loadModel } from '../../../src/scorer';
import { xgboostModel } from './synthetic-model';

/*
 * A model whose behaviour is known by construction (base margin 0):
 *   tree 1, charges: < 30 -> -1, < 60 -> +1, else 0   (risk rises, then falls at 60: declared increasing, violated)
 *   tree 2, score:   < 50 -> -2, else +2               (the decision is score >= 50; many rows sit near it: unstable)
 *   tree 3, plan:    basic -> 0, premium -> +0.25
 */
const MODEL_TEXT = xgboostModel(
  ['charges', 'score', 'plan_premium'],
  [
    {
      feature: 0,
      threshold: 30,
      left: { leaf: -1 },
      right: { feature: 0, threshold: 60, left: { leaf: 1 }, right: { leaf: 0 } },
    },
    { feature: 1, threshold: 50, left: { leaf: -2 }, right: { leaf: 2 } },
    { feature: 2, threshold: 0.5, left: { leaf: 0 }, right: { leaf: 0.25 } },
  ],
);

const SPEC = parseFeatureSpec({
  specVersion: 1,
  name: 'synthetic',
  fields: [
    { name: 'charges', type: 'numeric', required: true, minimum: 0, maximum: 100, monotone: 'increasing' },
    { name: 'score', type: 'numeric', required: false, minimum: 0, maximum: 100, monotone: 'increasing' },
    {
      name: 'plan',
      type: 'categorical',
      required: true,
      values: ['basic', 'premium'],
      oneHot: { dropFirst: true },
    },
  ],
});

// Half the scores sit just around the boundary at 50, the others far from it (20 or 80): a tenth of a
// standard deviation (about 2) moves every boundary row across it.
const ROWS: RawRecord[] = Array.from({ length: 200 }, (_, i) => ({
  charges: ((i * 37) % 100) + 0.5,
  score: i % 2 === 1 ? 49 + ((i * 13) % 20) / 10 : i % 4 === 0 ? 20 : 80,
  plan: i % 3 === 0 ? 'premium' : 'basic',
}));

/** The model written out by hand, independent of the scorer. */
function margin(charges: number, score: number, premium: boolean): number {
  const t1 = charges < 30 ? -1 : charges < 60 ? 1 : 0;
  return t1 + (score < 50 ? -2 : 2) + (premium ? 0.25 : 0);
}
const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));
const populationStd = (values: number[]) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
};

function assess(settings = {}): RobustnessAssessment {
  return assessRobustness({
    model: loadModel(MODEL_TEXT),
    spec: SPEC,
    records: ROWS,
    artifactSha256: sha256Hex(MODEL_TEXT),
    sources: {
      artifact: 'model.json',
      spec: 'spec.json',
      specSha256: 'a'.repeat(64),
      rows: 'rows.csv',
      rowsSha256: 'b'.repeat(64),
    },
    settings: { threshold: 0.5, ...settings },
    assessedAt: '2026-12-01T00:00:00.000Z',
  });
}

const result = assess();
const feature = (name: string) => result.details.perturbation.features.find((f) => f.feature === name)!;

describe('MODEL-7 robustness assessment: perturbation stability', () => {
  const scores = ROWS.map((r) => r.score as number);
  const step = 0.1 * populationStd(scores);

  it('finds the known unstable feature: the share of decisions that flip equals an independent count', () => {
    let flips = 0;
    let largest = 0;
    for (const r of ROWS) {
      const [c, s, premium] = [r.charges as number, r.score as number, r.plan === 'premium'];
      const base = sigmoid(margin(c, s, premium));
      let flipped = false;
      for (const moved of [Math.max(0, s - step), Math.min(100, s + step)]) {
        const p = sigmoid(margin(c, moved, premium));
        largest = Math.max(largest, Math.abs(p - base));
        if (p >= 0.5 !== base >= 0.5) flipped = true;
      }
      if (flipped) flips++;
    }
    expect(flips).toBeGreaterThan(90);
    expect(feature('score')).toMatchObject({ rows: 200, flips, flipRate: Number((flips / 200).toFixed(6)) });
    expect(feature('score').step).toBeCloseTo(step, 6);
    expect(feature('score').maxProbabilityChange).toBeCloseTo(largest, 6);
    expect(result.summary).toMatchObject({ maxFlipFeature: 'score', maxFlipRate: feature('score').flipRate });
  });

  it('a feature whose steps never cross the decision boundary flips nothing but still reports its probability change', () => {
    expect(feature('charges').flips).toBe(0);
    expect(feature('charges').maxProbabilityChange).toBeGreaterThan(0);
  });
});

describe('MODEL-7 robustness assessment: declared monotonicity', () => {
  it('counts the known violation (risk falls at charges 60) once per row on the grid, with its size', () => {
    const charges = result.details.monotonicity.features.find((f) => f.feature === 'charges')!;
    let largest = 0;
    for (const r of ROWS) {
      const [s, premium] = [r.score as number, r.plan === 'premium'];
      largest = Math.max(largest, sigmoid(margin(59, s, premium)) - sigmoid(margin(61, s, premium)));
    }
    expect(charges).toMatchObject({
      direction: 'increasing',
      pairs: 200 * 49,
      violations: 200,
      rowsWithViolation: 200,
    });
    expect(charges.largestViolation).toBeCloseTo(largest, 6);
    expect(charges.example!.from).toBeLessThan(60);
    expect(charges.example!.to).toBeGreaterThanOrEqual(60);
  });

  it('a feature that honours its declared direction has no violation', () => {
    const score = result.details.monotonicity.features.find((f) => f.feature === 'score')!;
    expect(score.violations).toBe(0);
    expect(result.summary.monotonicityViolations).toBe(200);
  });
});

describe('MODEL-7 robustness assessment: bounds, missing values and extraction', () => {
  it('scores every bound, out-of-range and missing probe validly and the specification refuses what it should', () => {
    expect(result.details.bounds).toMatchObject({ invalidOutputs: 0, validationGaps: 0, boundsRefused: 0 });
    expect(result.details.bounds.probes).toBeGreaterThan(200 * 10);
  });

  it('counts an encoder that accepts out-of-range values as a validation gap (the check can fail)', () => {
    const { context } = buildContext(loadModel(MODEL_TEXT), SPEC, ROWS.slice(0, 3), 0.5);
    const lenient = { ...context, encoder: { encode: () => ({ ok: true, vector: new Float64Array(3) }) } };
    const bounds = boundsBehaviour(lenient as unknown as typeof context, 3);
    expect(bounds.validationGaps).toBeGreaterThan(0);
    expect(bounds.problems[0]).toMatch(/the specification accepted/);
  });

  it('a one-split decision is copied with the first rung of queries; a constant surrogate never reaches the target', () => {
    expect(result.details.extraction).toMatchObject({ reached: true, queries: 64 });
    const capped = assess({ extraction: { tree: { maxDepth: 0 }, maxQueries: 128 } }).details.extraction;
    expect(capped).toMatchObject({ reached: false, queries: 128 });
    expect(capped.ladder.map((r) => r.balancedAgreement)).toEqual([0.5, 0.5]);
    expect(assess().summary).toEqual(result.summary);
  });
});

describe('MODEL-7 robustness assessment: recording and checking', () => {
  const strict = { enforcement: 'refuse' as const, maxDecisionFlipRate: 0.05, maxMonotonicityViolations: 0 };
  const expected = { artifactSha256: sha256Hex(MODEL_TEXT), decisionThreshold: 0.5 };

  it('the unstable, non-monotone model misses strict thresholds for both reasons', () => {
    const problems = assessmentProblems(result.summary, strict, expected);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^decision flip rate 0\.\d+ \(score\) is above the allowed 0.05$/);
    expect(problems[1]).toBe('200 monotonicity violations (of 19600 grid pairs) exceed the allowed 0');
    expect(
      assessmentProblems(
        result.summary,
        { ...strict, maxDecisionFlipRate: 1, maxMonotonicityViolations: 200 },
        expected,
      ),
    ).toEqual([]);
  });

  it('round-trips through model-package metadata within SageMaker limits', () => {
    const metadata = assessmentMetadata(result.summary);
    for (const [key, value] of Object.entries(metadata)) {
      expect(key.length).toBeLessThanOrEqual(128);
      expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u);
    }
    expect(readAssessmentMetadata(metadata)).toEqual(result.summary);
    expect(readAssessmentMetadata({})).toBeUndefined();
  });

  it('reads its own file back and refuses a summary edited apart from its details', () => {
    const text = JSON.stringify(result);
    expect(parseAssessment(text, 'a.json').summary).toEqual(result.summary);
    const edited = JSON.parse(text);
    edited.summary.maxFlipRate = 0;
    expect(() => parseAssessment(JSON.stringify(edited), 'a.json')).toThrow(
      /summary does not match the details/,
    );
    expect(() => parseAssessment('{"kind":"other"}', 'a.json')).toThrow(/is not a robustness assessment/);
  });
});
