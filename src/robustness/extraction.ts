import { decision, round, type AssessmentContext } from './context';
import { seededRandom } from './rng';
import { SurrogateTree, type SurrogateTreeOptions } from './surrogate-tree';

export interface ExtractionOptions {
  /**
   * Balanced agreement the surrogate must reach on the assessed rows: the mean of its agreement on the
   * rows the model decides positive and on those it decides negative (a constant answer scores 0.5).
   * @default 0.9
   */
  readonly targetAgreement: number;
  /** The first rung of the ladder; each next rung doubles it. @default 64 */
  readonly startQueries: number;
  /** The last rung; not reaching the target by then is reported as "more than maxQueries". @default 65536 */
  readonly maxQueries: number;
  readonly seed: number;
  readonly tree?: SurrogateTreeOptions;
}

export interface ExtractionResult {
  readonly method: string;
  readonly targetAgreement: number;
  /** Whether some rung reached the target. */
  readonly reached: boolean;
  /** The first rung that reached the target, or maxQueries when none did (then read it as "more than"). */
  readonly queries: number;
  /** Share of the rows the model decides positive; plain agreement of a constant answer is max(p, 1 - p). */
  readonly positiveShare: number;
  /** Per rung: balanced agreement (what the target applies to) and plain agreement. */
  readonly ladder: readonly {
    readonly queries: number;
    readonly balancedAgreement: number;
    readonly agreement: number;
  }[];
}

export const EXTRACTION_METHOD =
  'CART surrogate (histogram, depth <= 12) trained on the model decisions for queries whose fields are ' +
  'drawn independently from the assessed rows; balanced agreement measured on the assessed rows; query counts ' +
  'double from the first rung, so the figure is coarse (within a factor of 2)';

/**
 * A coarse estimate of how many API answers an attacker needs to copy the model's decisions: queries are
 * built by drawing every field independently from the assessed rows (someone who knows typical values but
 * not real customers), labelled with the model's decision, and a small tree is trained on them; the number
 * of queries doubles until the tree agrees with the model on `targetAgreement` of the real rows.
 */
export function extractionEffort(context: AssessmentContext, options: ExtractionOptions): ExtractionResult {
  const { model, vectors, base, threshold } = context;
  if (!(options.targetAgreement > 0 && options.targetAgreement <= 1)) {
    throw new RangeError(`the target agreement must be in (0, 1], got ${options.targetAgreement}`);
  }
  if (!(Number.isInteger(options.startQueries) && options.startQueries >= 1)) {
    throw new RangeError(
      `the first rung must be a positive whole number of queries, got ${options.startQueries}`,
    );
  }
  if (!(Number.isInteger(options.maxQueries) && options.maxQueries >= options.startQueries)) {
    throw new RangeError(
      `maxQueries must be a whole number of at least ${options.startQueries}, got ${options.maxQueries}`,
    );
  }
  const truth = Uint8Array.from(base, (p) => (decision(p, threshold) ? 1 : 0));
  const positives = truth.reduce((n, t) => n + t, 0);
  const negatives = truth.length - positives;
  const random = seededRandom(options.seed);
  const width = vectors[0].length;
  const queries: Float64Array[] = [];
  const labels: number[] = [];
  const addQuery = () => {
    const query = new Float64Array(width);
    for (const { columns } of context.fields) {
      const donor = vectors[Math.floor(random() * vectors.length)];
      for (const c of columns) query[c] = donor[c];
    }
    queries.push(query);
    labels.push(decision(model.predict(query), threshold) ? 1 : 0);
  };
  const ladder: { queries: number; balancedAgreement: number; agreement: number }[] = [];
  const result = (reached: boolean, queries: number): ExtractionResult => ({
    method: EXTRACTION_METHOD,
    targetAgreement: options.targetAgreement,
    reached,
    queries,
    positiveShare: round(positives / truth.length),
    ladder,
  });
  for (let n = options.startQueries; ; n = Math.min(n * 2, options.maxQueries)) {
    while (queries.length < n) addQuery();
    const tree = SurrogateTree.train(queries, Uint8Array.from(labels), options.tree);
    let agreePositive = 0;
    let agreeNegative = 0;
    vectors.forEach((v, i) => {
      if (tree.predict(v) !== truth[i]) return;
      if (truth[i] === 1) agreePositive++;
      else agreeNegative++;
    });
    // With a single decision class in the rows, balanced agreement is agreement on that class.
    const rates = [
      positives > 0 ? agreePositive / positives : undefined,
      negatives > 0 ? agreeNegative / negatives : undefined,
    ].filter((r): r is number => r !== undefined);
    const balanced = rates.reduce((a, b) => a + b, 0) / rates.length;
    ladder.push({
      queries: n,
      balancedAgreement: round(balanced),
      agreement: round((agreePositive + agreeNegative) / truth.length),
    });
    if (balanced >= options.targetAgreement) return result(true, n);
    if (n >= options.maxQueries) break;
  }
  return result(false, options.maxQueries);
}
