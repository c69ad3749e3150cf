/**
 * Drift attribution to callers (MON-6): natural drift is spread across the API's callers, a poisoning or
 * probing campaign is concentrated in a few. For each drifted feature the distance is split exactly into
 * one additive contribution per caller, each caller is left out in turn and the test repeated
 * (leave-one-caller-out), and a drift that disappears once the few callers carrying most of it are left
 * out is reported as concentrated. docs/drift.md gives the formulas; scripts/scipy checks them.
 */
import type { WeightedSample } from './baseline';
import { chiSquareContingency } from './stats/chisquare';
import { ksTwoSamplePValue } from './stats/ks';
import { PSI_EPSILON, psiFromCounts } from './stats/psi';

/** Records without a caller label (e.g. captured before callers were recorded) are grouped under this. */
export const UNATTRIBUTED = '(unattributed)';
/** Callers beyond `maxTrackedCallers` are pooled under this label. */
export const OTHER_CALLERS = '(other callers)';

export interface AttributionSettings {
  /** The callers carrying most of a drift must explain at least this share of its distance. @default 0.8 */
  readonly minConcentratedShare: number;
  /** ... and be at most this many. @default 2 */
  readonly maxConcentratedCallers: number;
}

export interface CallerContribution {
  readonly caller: string;
  /** The caller's valid values of the feature in the window. */
  readonly records: number;
  /** The caller's additive part of the distance (signed; all callers' parts sum to the distance). */
  readonly contribution: number;
  /** contribution / distance: the share of the distance this caller's records explain. */
  readonly share: number;
  /** The test repeated on the window without this caller; null when nothing would be left. */
  readonly leaveOut: LeaveOutOutcome | null;
}

export interface LeaveOutOutcome {
  /** KS D (numeric) or PSI (categorical) of the window without the caller(s). */
  readonly statistic: number;
  /** KS or chi-square p-value of the window without the caller(s). */
  readonly pValue: number;
  readonly records: number;
  /** Whether the feature would still be called drifted (same level and effect floor). */
  readonly drifts: boolean;
}

export type AttributionVerdict =
  /** Most of the distance comes from at most maxConcentratedCallers callers, and without them it is gone. */
  | 'concentrated'
  /** The drift is spread across callers, or persists without the few callers carrying most of it. */
  | 'broad'
  /** The window holds one caller only: attribution cannot tell concentrated from natural drift. */
  | 'single-caller'
  /** Leaving the leading callers out leaves too few records to test. */
  | 'indeterminate';

export interface FeatureAttribution {
  /** 'ks' (numeric: the KS distance at its maximum) or 'psi' (categorical). */
  readonly distance: 'ks' | 'psi';
  /** Signed value the contributions sum to (numeric: F_window(t*) - F_baseline(t*); categorical: PSI). */
  readonly value: number;
  /** For PSI: the part due to the 1e-4 share floor, not attributable to any caller (contributions + residual = value). */
  readonly floorResidual: number;
  /** Callers, largest share first. */
  readonly callers: readonly CallerContribution[];
  readonly verdict: AttributionVerdict;
  /** The callers the drift is concentrated in (empty unless verdict is 'concentrated'). */
  readonly concentratedIn: readonly string[];
  /** The leading callers (by share, up to the share target) left out together; null for single-caller. */
  readonly leaveLeadingOut: (LeaveOutOutcome & { readonly callers: readonly string[] }) | null;
}

/** Where a two-sample KS distance between a baseline sample and window bins reaches its maximum. */
export interface KsPoint {
  /** Index of the baseline value b_i. */
  readonly index: number;
  /** 'gap': just below b_i (window values in (b_{i-1}, b_i) counted, b_i itself not); 'point': at b_i. */
  readonly kind: 'gap' | 'point';
  /** F_window - F_baseline there. */
  readonly signed: number;
}

/**
 * The KS statistic of `bins` (window counts in the gaps and on the points of the baseline sample, as
 * the accumulator keeps them) against the baseline, with where it is reached (the first maximum).
 */
export function ksFromBins(
  sample: WeightedSample,
  bins: ArrayLike<number>,
  n: number,
): { d: number; at: KsPoint } {
  const nb = sample.size;
  const counts = sample.counts;
  let cumBase = 0;
  let cumWin = 0;
  let d = 0;
  let at: KsPoint = { index: 0, kind: 'gap', signed: 0 };
  for (let i = 0; i < counts.length; i++) {
    const between = bins[2 * i];
    if (between > 0) {
      // Window values just below b_i: the window ECDF has risen, the baseline's has not yet.
      cumWin += between;
      const signed = cumWin / n - cumBase / nb;
      if (Math.abs(signed) > d) {
        d = Math.abs(signed);
        at = { index: i, kind: 'gap', signed };
      }
    }
    cumWin += bins[2 * i + 1];
    cumBase += counts[i];
    const signed = cumWin / n - cumBase / nb;
    if (Math.abs(signed) > d) {
      d = Math.abs(signed);
      at = { index: i, kind: 'point', signed };
    }
  }
  return { d, at };
}

/** Window count at or below the KS point: values < b_i for a gap, <= b_i for a point. */
function cumulativeAt(bins: ArrayLike<number>, at: KsPoint): number {
  let sum = 0;
  const last = 2 * at.index + (at.kind === 'point' ? 1 : 0);
  for (let j = 0; j <= last; j++) sum += bins[j];
  return sum;
}

function sumOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

function minus(total: ArrayLike<number>, parts: readonly ArrayLike<number>[]): Float64Array {
  const out = Float64Array.from(total);
  for (const part of parts) for (let i = 0; i < out.length; i++) out[i] -= part[i];
  return out;
}

/** How the full-window decision was made, so a leave-out test is judged the same way. */
export interface DecisionRule {
  /** The raw p-value level the feature's test had to meet (Bonferroni alpha/m; Holm its step's level). */
  readonly level: number;
  /** The effect-size floor (minKsStatistic or minCategoricalPsi). */
  readonly floor: number;
  /** Fewest records a leave-out test needs (minRecords). */
  readonly minRecords: number;
}

function verdictOf(
  callers: readonly CallerContribution[],
  settings: AttributionSettings,
  leaveLeading: (names: readonly string[]) => LeaveOutOutcome | null,
): Pick<FeatureAttribution, 'verdict' | 'concentratedIn' | 'leaveLeadingOut'> {
  const present = callers.filter((c) => c.records > 0);
  if (present.length < 2) return { verdict: 'single-caller', concentratedIn: [], leaveLeadingOut: null };
  const leading: string[] = [];
  let cumulative = 0;
  for (const c of present) {
    if (cumulative >= settings.minConcentratedShare) break;
    leading.push(c.caller);
    cumulative += c.share;
  }
  const out = leaveLeading(leading);
  const leaveLeadingOut = out ? { ...out, callers: leading } : null;
  if (cumulative < settings.minConcentratedShare || leading.length > settings.maxConcentratedCallers) {
    return { verdict: 'broad', concentratedIn: [], leaveLeadingOut };
  }
  if (!out) return { verdict: 'indeterminate', concentratedIn: [], leaveLeadingOut };
  return out.drifts
    ? { verdict: 'broad', concentratedIn: [], leaveLeadingOut }
    : { verdict: 'concentrated', concentratedIn: leading, leaveLeadingOut };
}

/**
 * Attribution of a numeric feature's KS distance. At the point t* where |F_w - F_b| is largest,
 * F_w(t*) = sum_c (n_c/n) F_c(t*), so d = F_w(t*) - F_b(t*) = sum_c (n_c/n) (F_c(t*) - F_b(t*)): each term is
 * caller c's contribution, and the terms sum to the signed distance exactly.
 */
export function attributeNumeric(
  sample: WeightedSample,
  total: ArrayLike<number>,
  byCaller: ReadonlyMap<string, ArrayLike<number>>,
  rule: DecisionRule,
  settings: AttributionSettings,
): FeatureAttribution {
  const n = sumOf(total);
  const { at } = ksFromBins(sample, total, n);
  const baseAt =
    sumOf(Array.from(sample.counts).slice(0, at.index + (at.kind === 'point' ? 1 : 0))) / sample.size;
  const leaveOut = (parts: readonly ArrayLike<number>[]): LeaveOutOutcome | null => {
    const rest = minus(total, parts);
    const m = sumOf(rest);
    if (m < Math.max(1, rule.minRecords)) return null;
    const d = ksFromBins(sample, rest, m).d;
    const r = ksTwoSamplePValue(d, sample.size, m);
    return {
      statistic: r.statistic,
      pValue: r.pValue,
      records: m,
      drifts: r.pValue <= rule.level && r.statistic >= rule.floor,
    };
  };
  const callers = [...byCaller.entries()]
    .map(([caller, bins]): CallerContribution => {
      const nc = sumOf(bins);
      const contribution = nc === 0 ? 0 : (nc / n) * (cumulativeAt(bins, at) / nc - baseAt);
      return {
        caller,
        records: nc,
        contribution,
        share: at.signed === 0 ? 0 : contribution / at.signed,
        leaveOut: nc > 0 ? leaveOut([bins]) : null,
      };
    })
    .sort((a, b) => b.share - a.share || (a.caller < b.caller ? -1 : 1));
  const verdict = verdictOf(callers, settings, (names) =>
    leaveOut(names.map((c) => byCaller.get(c) as ArrayLike<number>)),
  );
  return { distance: 'ks', value: at.signed, floorResidual: 0, callers, ...verdict };
}

/**
 * Attribution of a categorical feature's PSI. With floored shares a'_i = max(a_i, eps), e'_i = max(e_i, eps)
 * and L_i = ln(a'_i / e'_i): PSI = sum_i (a'_i - e'_i) L_i = sum_c (n_c/n) sum_i (a_ci - e'_i) L_i
 * + sum_i (a'_i - a_i) L_i. The first sum is split per caller; the second (non-zero only where a window
 * share is below the floor) is reported as the floor residual.
 */
export function attributeCategorical(
  baselineCounts: readonly number[],
  total: ArrayLike<number>,
  byCaller: ReadonlyMap<string, ArrayLike<number>>,
  rule: DecisionRule,
  settings: AttributionSettings,
): FeatureAttribution {
  const n = sumOf(total);
  const nb = sumOf(baselineCounts);
  const k = total.length;
  const e = Array.from({ length: k }, (_, i) => Math.max((baselineCounts[i] ?? 0) / nb, PSI_EPSILON));
  const a = Array.from({ length: k }, (_, i) => total[i] / n);
  const logRatio = a.map((ai, i) => Math.log(Math.max(ai, PSI_EPSILON) / e[i]));
  let psi = 0;
  let residual = 0;
  for (let i = 0; i < k; i++) {
    psi += (Math.max(a[i], PSI_EPSILON) - e[i]) * logRatio[i];
    residual += (Math.max(a[i], PSI_EPSILON) - a[i]) * logRatio[i];
  }
  const table = (counts: ArrayLike<number>): [number[], number[]] => {
    // As the report's test: the baseline's categories, plus the unseen column only when it holds values.
    const base = [...baselineCounts];
    const win = Array.from(counts).slice(0, baselineCounts.length);
    if (k > baselineCounts.length && counts[k - 1] > 0) {
      base.push(0);
      win.push(counts[k - 1]);
    }
    return [base, win];
  };
  const leaveOut = (parts: readonly ArrayLike<number>[]): LeaveOutOutcome | null => {
    const rest = minus(total, parts);
    const m = sumOf(rest);
    if (m < Math.max(1, rule.minRecords)) return null;
    const [base, win] = table(rest);
    const chi = chiSquareContingency([base, win]);
    const statistic = psiFromCounts(base, win);
    return {
      statistic,
      pValue: chi.pValue,
      records: m,
      drifts: chi.pValue <= rule.level && statistic >= rule.floor,
    };
  };
  const callers = [...byCaller.entries()]
    .map(([caller, counts]): CallerContribution => {
      const nc = sumOf(counts);
      let inner = 0;
      if (nc > 0) for (let i = 0; i < k; i++) inner += (counts[i] / nc - e[i]) * logRatio[i];
      const contribution = nc === 0 ? 0 : (nc / n) * inner;
      return {
        caller,
        records: nc,
        contribution,
        share: psi === 0 ? 0 : contribution / psi,
        leaveOut: nc > 0 ? leaveOut([counts]) : null,
      };
    })
    .sort((x, y) => y.share - x.share || (x.caller < y.caller ? -1 : 1));
  const verdict = verdictOf(callers, settings, (names) =>
    leaveOut(names.map((c) => byCaller.get(c) as ArrayLike<number>)),
  );
  return { distance: 'psi', value: psi, floorResidual: residual, callers, ...verdict };
}
