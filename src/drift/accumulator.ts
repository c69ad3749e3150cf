/**
 * Streaming drift computation with memory bounded by the baseline, not by the window.
 *
 * For a numeric feature the window is never stored: each valid value is counted into the gaps and points
 * of the baseline's distinct sample values b_0 < ... < b_{K-1} (2K + 1 counters). Between two consecutive
 * baseline values the baseline ECDF is constant and the window ECDF only rises, so the largest |F_window -
 * F_baseline| over the pooled sample occurs either at a baseline value or just before the next one, and
 * both are known from those counters. The KS statistic is therefore exactly scipy's ks_2samp statistic of
 * (baseline sample, all window values), at O(K) memory. PSI bin counts follow from the same counters
 * because the PSI edges are baseline values.
 */
import type {
  Baseline,
  CategoricalFeatureBaseline,
  NumericFeatureBaseline,
  PsiBins,
  WeightedSample,
} from './baseline';
import {
  CaptureDecodeError,
  decodeCaptureRange as decodeCaptureRangeImport,
  parseDecimal as parseDecimalImport,
  splitCsvRow,
  type CaptureFailure,
  type CaptureSink,
} from './capture';
import { resolveDriftOptions, type DriftOptions } from './options';

// Module-local bindings for the per-field hot path: a CommonJS build (tsx, jest) reaches named imports
// through getter properties on every call, which showed up at ~5% of the check's time.
const parseDecimal = parseDecimalImport;
const decodeCaptureRange = decodeCaptureRangeImport;
import {
  REPORT_FORMAT,
  REPORT_VERSION,
  type CategoricalFeatureReport,
  type ChiSquareOutcome,
  type DataQualityBreach,
  type DriftReport,
  type DriftStatus,
  type FeatureQuality,
  type FeatureReport,
  type KsOutcome,
  type NumericFeatureReport,
  type PredictionReport,
} from './report';
import {
  attributeCategorical,
  attributeNumeric,
  ksFromBins,
  OTHER_CALLERS,
  UNATTRIBUTED,
} from './attribution';
import { chiSquareContingency } from './stats/chisquare';
import { correctPValues } from './stats/correction';
import { ksTwoSamplePValue } from './stats/ks';
import { psiFromCounts, psiFromShares } from './stats/psi';

/** Counts of window values in the gaps and on the points of a baseline sample. */
class SampleCounter {
  readonly values: Float64Array;
  /** bins[2i] counts values in (b_{i-1}, b_i), bins[2i+1] values equal to b_i, bins[2K] values above b_{K-1}. */
  readonly bins: Float64Array;
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  /**
   * Bucket index over [b_0, b_{K-1}]: bucketStart[j] is the first i with bucketOf(b_i) >= j. Because
   * bucketOf is monotone, the first b_i >= x lies in [bucketStart[bucketOf(x)], bucketStart[bucketOf(x)+1]],
   * which is usually zero or one element wide: a plain binary search over thousands of values cost more
   * than the rest of a record's processing.
   */
  private readonly bucketStart: Int32Array;
  private readonly scale: number;
  private readonly lowest: number;
  private readonly buckets: number;

  constructor(readonly sample: WeightedSample) {
    this.values = Float64Array.from(sample.values);
    this.bins = new Float64Array(2 * sample.values.length + 1);
    const k = this.values.length;
    this.lowest = this.values[0];
    const span = this.values[k - 1] - this.lowest;
    this.buckets = k > 1 && span > 0 && Number.isFinite(span) ? Math.min(2 * k, 1 << 16) : 1;
    this.scale = this.buckets > 1 ? this.buckets / span : 0;
    this.bucketStart = new Int32Array(this.buckets + 1);
    let i = 0;
    for (let j = 0; j <= this.buckets; j++) {
      while (i < k && this.bucketOf(this.values[i]) < j) i++;
      this.bucketStart[j] = i;
    }
  }

  private bucketOf(x: number): number {
    const b = Math.floor((x - this.lowest) * this.scale);
    return b < 0 ? 0 : b >= this.buckets ? this.buckets - 1 : b;
  }

  /** Counts x; returns the index of the counter it went to (callers' counters use the same layout). */
  add(x: number): number {
    const v = this.values;
    let lo: number;
    if (x < this.lowest) lo = 0;
    else {
      const b = this.bucketOf(x);
      lo = this.bucketStart[b];
      let hi = b + 1 < this.buckets ? this.bucketStart[b + 1] : v.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v[mid] < x) lo = mid + 1;
        else hi = mid;
      }
    }
    const slot = lo < v.length && v[lo] === x ? 2 * lo + 1 : 2 * lo;
    this.bins[slot]++;
    this.n++;
    this.sum += x;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    return slot;
  }

  /** Two-sided KS statistic between the baseline sample and every value added, as ks_2samp computes it. */
  ksStatistic(): number {
    return ksFromBins(this.sample, this.bins, this.n).d;
  }

  /**
   * Window counts in the PSI bins (-inf, lower), [lower, e0], (e0, e1], ..., (e_last, inf). `lower` is the
   * first sample value and the edges are sample values, so each bin is a run of gap and point counters.
   */
  psiCounts(psi: PsiBins): number[] {
    const out: number[] = [this.bins[0]];
    let counted = this.bins[0];
    let i = 0;
    for (const edge of psi.edges) {
      let inBin = 0;
      while (i < this.values.length && this.values[i] <= edge) {
        // The gap below the first value is the lower tail, already counted.
        inBin += (i > 0 ? this.bins[2 * i] : 0) + this.bins[2 * i + 1];
        i++;
      }
      out.push(inBin);
      counted += inBin;
    }
    out.push(this.n - counted);
    return out;
  }
}

interface QualityCounts {
  records: number;
  nulls: number;
  typeErrors: number;
  outOfRange: number;
}

abstract class FeatureState {
  readonly q: QualityCounts = { records: 0, nulls: 0, typeErrors: 0, outOfRange: 0 };
  abstract readonly name: string;
  /** A CSV field: text by nature, so numbers are parsed from it. */
  abstract addText(s: string): void;
  /** The CSV field text[start, end); subclasses avoid the substring when they can. */
  addRange(text: string, start: number, end: number): void {
    this.addText(text.slice(start, end));
  }
  /** A JSON value: must already have the right JSON type. */
  abstract addJson(v: unknown): void;
}

class NumericState extends FeatureState {
  readonly counter: SampleCounter;
  readonly name: string;
  /** The current line's caller's counters (same layout as counter.bins), or null when it has no caller. */
  callerBins: Uint32Array | null = null;
  private readonly min: number;
  private readonly max: number;

  constructor(readonly baseline: NumericFeatureBaseline) {
    super();
    this.name = baseline.name;
    this.counter = new SampleCounter(baseline.sample);
    this.min = baseline.allowedRange.min ?? -Infinity;
    this.max = baseline.allowedRange.max ?? Infinity;
  }

  private addNumber(x: number): void {
    if (!Number.isFinite(x) || (this.baseline.integer && !Number.isInteger(x))) {
      this.q.typeErrors++;
      return;
    }
    if (x < this.min || x > this.max) this.q.outOfRange++;
    const slot = this.counter.add(x);
    if (this.callerBins !== null) this.callerBins[slot]++;
  }

  override addRange(text: string, start: number, end: number): void {
    const x = parseDecimal(text, start, end);
    if (Number.isNaN(x)) {
      this.addText(text.slice(start, end));
      return;
    }
    this.q.records++;
    this.addNumber(x);
  }

  addText(s: string): void {
    this.q.records++;
    if (s.length === 0) {
      this.q.nulls++;
      return;
    }
    // Number() accepts whitespace-only text as 0; a blank field is a null, not a zero. CSV writers
    // (pandas, numpy, JavaScript) spell a missing value "nan"/"NaN": also a null, not a type error.
    const x = Number(s);
    if ((x === 0 && s.trim() === '') || (Number.isNaN(x) && /^\s*nan\s*$/i.test(s))) {
      this.q.nulls++;
      return;
    }
    this.addNumber(x);
  }

  addJson(v: unknown): void {
    this.q.records++;
    if (v === null || v === undefined) this.q.nulls++;
    else if (typeof v === 'number') this.addNumber(v);
    else this.q.typeErrors++;
  }
}

class CategoricalState extends FeatureState {
  readonly name: string;
  readonly index = new Map<string, number>();
  readonly categories: string[];
  readonly baselineCounts: number[];
  readonly counts: Float64Array;
  /** The current line's caller's counts per category plus one unseen slot at the end, or null. */
  callerCounts: Uint32Array | null = null;
  private readonly allowed: Set<string> | null;
  unseen = 0;
  valid = 0;
  /** Distinct unseen categories with counts; capped so hostile input cannot grow it without bound. */
  readonly unseenNames = new Map<string, number>();
  unseenOverflow = 0;
  static readonly MAX_TRACKED_UNSEEN = 1000;

  constructor(readonly baseline: CategoricalFeatureBaseline) {
    super();
    this.name = baseline.name;
    this.categories = Object.keys(baseline.frequencies);
    this.baselineCounts = this.categories.map((c) => baseline.frequencies[c]);
    this.categories.forEach((c, i) => this.index.set(c, i));
    this.counts = new Float64Array(this.categories.length);
    this.allowed = baseline.allowed ? new Set(baseline.allowed) : null;
    this.indexCategories();
    this.indexOneHot();
  }

  /**
   * Category indices by text length, so a CSV field is matched in place with one or two startsWith calls
   * instead of being sliced and hashed into the Map.
   */
  private readonly byLength: (number[] | undefined)[] = [];
  private readonly allowedIndex: boolean[] = [];

  private indexCategories(): void {
    this.categories.forEach((c, i) => {
      (this.byLength[c.length] ??= []).push(i);
      this.allowedIndex[i] = this.allowed === null || this.allowed.has(c);
    });
  }

  override addRange(text: string, start: number, end: number): void {
    const candidates = this.byLength[end - start];
    if (candidates !== undefined && candidates.length <= 8) {
      for (let k = 0; k < candidates.length; k++) {
        const i = candidates[k];
        if (text.startsWith(this.categories[i], start)) {
          this.q.records++;
          this.valid++;
          if (!this.allowedIndex[i]) this.q.outOfRange++;
          this.counts[i]++;
          if (this.callerCounts !== null) this.callerCounts[i]++;
          return;
        }
      }
    }
    this.addText(text.slice(start, end));
  }

  /** Category index (into counts) per one-hot column; -1 where that value had no training rows. */
  private oneHotIndex: Int32Array = new Int32Array(0);

  private baseValueIndex = -1;

  private indexOneHot(): void {
    const h = this.baseline.oneHot;
    if (!h) return;
    this.oneHotIndex = Int32Array.from(h.values, (v) => this.index.get(v) ?? -1);
    this.baseValueIndex = h.baseValue === null ? -1 : (this.index.get(h.baseValue) ?? -1);
  }

  /**
   * One record's one-hot group, already classified by the caller: `hot` is the column holding 1 (-1: none),
   * `missing` how many columns were empty/NaN, `bad` whether any cell was not 0/1 or two were 1.
   */
  addOneHot(hot: number, missing: number, width: number, bad: boolean): void {
    this.q.records++;
    if (missing === width) {
      this.q.nulls++;
      return;
    }
    if (bad || missing > 0) {
      this.q.typeErrors++;
      return;
    }
    const h = this.baseline.oneHot as NonNullable<CategoricalFeatureBaseline['oneHot']>;
    let i: number;
    if (hot < 0) {
      // All zeros: the dropped first value, if the encoding has one.
      if (h.baseValue === null) {
        this.q.typeErrors++;
        return;
      }
      i = this.baseValueIndex;
      if (i < 0) {
        this.addCategory(h.baseValue);
        return;
      }
    } else i = this.oneHotIndex[hot];
    if (i < 0) {
      this.addCategory(h.values[hot]);
      return;
    }
    this.valid++;
    if (!this.allowedIndex[i]) this.q.outOfRange++;
    this.counts[i]++;
    if (this.callerCounts !== null) this.callerCounts[i]++;
  }

  private addCategory(c: string): void {
    this.valid++;
    if (this.allowed && !this.allowed.has(c)) this.q.outOfRange++;
    const i = this.index.get(c);
    if (i !== undefined) {
      this.counts[i]++;
      if (this.callerCounts !== null) this.callerCounts[i]++;
      return;
    }
    this.unseen++;
    if (this.callerCounts !== null) this.callerCounts[this.categories.length]++;
    const seen = this.unseenNames.get(c);
    if (seen !== undefined) this.unseenNames.set(c, seen + 1);
    else if (this.unseenNames.size < CategoricalState.MAX_TRACKED_UNSEEN) this.unseenNames.set(c, 1);
    else this.unseenOverflow++;
  }

  addText(s: string): void {
    this.q.records++;
    if (s.length === 0) this.q.nulls++;
    else this.addCategory(s);
  }

  addJson(v: unknown): void {
    this.q.records++;
    if (v === null || v === undefined || v === '') this.q.nulls++;
    else if (typeof v === 'string') this.addCategory(v);
    // Codes sent as JSON numbers or booleans are read as their text form ("1", "true").
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean')
      this.addCategory(String(v));
    else this.q.typeErrors++;
  }
}

/**
 * A natively categorical feature in positional (model column) rows: the cell holds the category's
 * code, read back into its name for the feature's CategoricalState. Anything but a whole number that
 * names a category counts as a type error; an empty cell is a null.
 */
class NativeCodeColumn extends FeatureState {
  readonly name: string;
  constructor(
    private readonly state: CategoricalState,
    private readonly categories: readonly string[],
  ) {
    super();
    this.name = state.name;
    // The wrapped state does the counting, so its quality counters are the ones reported.
    (this as { q: QualityCounts }).q = state.q;
  }

  private addCode(code: number): void {
    const name = Number.isInteger(code) && code >= 0 ? this.categories[code] : undefined;
    if (name === undefined || name === '') {
      this.q.records++;
      this.q.typeErrors++;
    } else this.state.addText(name);
  }

  addText(s: string): void {
    if (s.length === 0 || s === 'NaN' || s === 'nan') this.state.addText('');
    else this.addCode(/^\d+(\.0*)?$/.test(s) ? Number(s) : NaN);
  }

  addJson(v: unknown): void {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) this.state.addText('');
    else this.addCode(typeof v === 'number' ? v : NaN);
  }
}

/** Sentinel for an empty/NaN one-hot cell (any value other than 0, 1 and this is invalid). */
const MISSING = -1;
const INVALID = -2;

/** A one-hot cell from CSV text: 0, 1, MISSING (empty or NaN) or INVALID. */
function csvCell(text: string, start: number, end: number): number {
  if (end === start) return MISSING;
  if (end === start + 1) {
    // The overwhelmingly common cells: a bare 0 or 1.
    const c = text.charCodeAt(start);
    if (c === 48) return 0;
    if (c === 49) return 1;
  }
  const x = parseDecimal(text, start, end);
  if (x === 0 || x === 1) return x;
  if (!Number.isNaN(x)) return INVALID;
  const t = text.slice(start, end).trim();
  if (t === '' || /^nan$/i.test(t)) return MISSING;
  const y = Number(t);
  return y === 0 || y === 1 ? y : INVALID;
}

/** A one-hot cell from a JSON value. */
function jsonCell(v: unknown): number {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return MISSING;
  return v === 0 || v === 1 ? v : INVALID;
}

class ScoreState {
  readonly counter: SampleCounter;
  outputs = 0;
  nonFinite = 0;
  outOfRange = 0;
  invalid = 0;

  constructor(sample: WeightedSample) {
    this.counter = new SampleCounter(sample);
  }

  add(v: unknown): void {
    this.outputs++;
    let x: number;
    if (typeof v === 'number') x = v;
    else if (v === null) x = Number.NaN;
    else if (typeof v === 'string') {
      const t = v.trim();
      x = Number(t);
      if (t === '') {
        this.invalid++;
        return;
      }
      if (Number.isNaN(x) && !/^[+-]?nan$/i.test(t)) {
        // "inf"/"-inf" as Python prints them are non-finite; anything else is not a number at all.
        if (/^[+-]?inf(inity)?$/i.test(t)) x = Infinity;
        else {
          this.invalid++;
          return;
        }
      }
    } else {
      this.invalid++;
      return;
    }
    if (!Number.isFinite(x)) {
      this.nonFinite++;
      return;
    }
    if (x < 0 || x > 1) this.outOfRange++;
    this.counter.add(x);
  }
}

/** One caller's counters: per numeric feature the SampleCounter layout, per categorical feature category counts + unseen. */
interface CallerCounts {
  readonly label: string;
  records: number;
  readonly numeric: Uint32Array[];
  readonly categorical: Uint32Array[];
}

export interface AccumulatorMeta {
  /** Overrides the report timestamp (tests, reproducible output). */
  readonly now?: () => Date;
}

/** Feeds capture lines in, produces the drift report out. Memory depends on the baseline only. */
export class DriftAccumulator implements CaptureSink {
  readonly options: DriftOptions;
  private readonly features: FeatureState[];
  /** Per model column: the feature it carries raw, or undefined (one-hot member or unknown column). */
  private readonly positional: (FeatureState | undefined)[];
  private readonly width: number;
  private readonly oneHotGroups: { state: CategoricalState; columns: Int32Array }[] = [];
  private readonly fieldStarts: Int32Array;
  private readonly numericColumns: number[] = [];
  private readonly numericAt: NumericState[] = [];
  private readonly categoricalColumns: number[] = [];
  private readonly categoricalAt: FeatureState[] = [];
  private readonly byName = new Map<string, FeatureState>();
  private readonly scoreState: ScoreState;
  private lines = 0;
  private malformed = 0;
  private readonly malformedByReason: Partial<Record<CaptureFailure, number>> = {};
  private records = 0;
  private wrongWidth = 0;
  private objects = 0;
  /** Labelled callers seen so far (at most maxTrackedCallers, then one pool); unlabelled records are not tracked. */
  private readonly callers = new Map<string, CallerCounts>();
  private currentCaller: CallerCounts | null = null;
  private readonly numericStates: NumericState[];
  private readonly categoricalStates: CategoricalState[];

  constructor(
    readonly baseline: Baseline,
    options: Partial<DriftOptions> = {},
    private readonly meta: AccumulatorMeta = {},
  ) {
    this.options = resolveDriftOptions(options);
    this.features = baseline.features.map((f) =>
      f.kind === 'numeric' ? new NumericState(f) : new CategoricalState(f),
    );
    for (const f of this.features) this.byName.set(f.name, f);
    this.numericStates = this.features.filter((f): f is NumericState => f instanceof NumericState);
    this.categoricalStates = this.features.filter(
      (f): f is CategoricalState => f instanceof CategoricalState,
    );
    this.width = baseline.featureOrder.length;
    const columnIndex = new Map(baseline.featureOrder.map((c, i) => [c, i]));
    const rawColumn = new Map<string, FeatureState>();
    for (const f of this.features) {
      if (f instanceof NumericState) rawColumn.set(f.baseline.column, f);
      else if (f instanceof CategoricalState) {
        const h = f.baseline.oneHot;
        const native = f.baseline.native;
        if (native) rawColumn.set(native.column, new NativeCodeColumn(f, native.categories));
        else if (!h) rawColumn.set(f.name, f);
        else {
          const columns = Int32Array.from(h.columns, (c) => columnIndex.get(c) ?? -1);
          // A group whose columns the model does not have cannot be read from positional rows.
          if (columns.every((c) => c >= 0)) this.oneHotGroups.push({ state: f, columns });
        }
      }
    }
    this.positional = baseline.featureOrder.map((name) => rawColumn.get(name));
    this.fieldStarts = new Int32Array(this.width);
    this.positional.forEach((f, col) => {
      if (f instanceof NumericState) {
        this.numericColumns.push(col);
        this.numericAt.push(f);
      } else if (f instanceof CategoricalState || f instanceof NativeCodeColumn) {
        this.categoricalColumns.push(col);
        this.categoricalAt.push(f);
      }
    });
    this.scoreState = new ScoreState(baseline.score.sample);
  }

  /** Call once per capture object (file / S3 object) read, for the report's bookkeeping. */
  beginObject(): void {
    this.objects++;
  }

  /** Counts a line that was rejected before decoding (see forEachLineRange). */
  addMalformed(reason: CaptureFailure): void {
    this.lines++;
    this.malformed++;
    this.malformedByReason[reason] = (this.malformedByReason[reason] ?? 0) + 1;
  }

  /**
   * The caller of the line being decoded (a label CALLER_LABEL accepts), or undefined when the record
   * names none. Its values are counted for it as well, for attribution (MON-6).
   */
  caller(label: string | undefined): void {
    let next: CallerCounts | null = null;
    if (label !== undefined) {
      next = this.callers.get(label) ?? null;
      if (next === null) {
        const name = this.callers.size < this.options.maxTrackedCallers ? label : OTHER_CALLERS;
        next = this.callers.get(name) ?? null;
        if (next === null) {
          next = {
            label: name,
            records: 0,
            numeric: this.numericStates.map((f) => new Uint32Array(f.counter.bins.length)),
            categorical: this.categoricalStates.map((f) => new Uint32Array(f.categories.length + 1)),
          };
          this.callers.set(name, next);
        }
      }
    }
    if (next === this.currentCaller) return;
    this.currentCaller = next;
    this.numericStates.forEach((f, k) => (f.callerBins = next === null ? null : next.numeric[k]));
    this.categoricalStates.forEach((f, k) => (f.callerCounts = next === null ? null : next.categorical[k]));
  }

  /** One line of a capture file. Blank lines are ignored; malformed ones are counted, never thrown. */
  addLine(line: string): void {
    this.addLineRange(line, 0, line.length, line.indexOf('\\') < 0);
  }

  /** The line text[start, end); `plain` only if it holds no backslash (see forEachLineRange). */
  addLineRange(text: string, start: number, end: number, plain: boolean): void {
    if (start === end) return;
    const first = text.charCodeAt(start);
    if ((first === 32 || first === 9 || first === 13) && text.slice(start, end).trim() === '') return;
    this.lines++;
    try {
      decodeCaptureRange(text, start, end, plain, this);
    } catch (e) {
      if (!(e instanceof CaptureDecodeError)) throw e;
      this.malformed++;
      this.malformedByReason[e.reason] = (this.malformedByReason[e.reason] ?? 0) + 1;
    }
  }

  /** One headerless CSV row, text[start, end), in model column order. */
  csvRow(text: string, start: number, end: number): void {
    const quote = text.indexOf('"', start);
    if (quote >= 0 && quote < end) {
      // Quoted fields need the full CSV rules.
      this.positionalRow(splitCsvRow(text, start, end));
      return;
    }
    // Find every field boundary first, so a row of the wrong width is skipped before anything is counted.
    // A character loop beats repeated indexOf calls here: model rows are mostly one-character 0/1 cells.
    const columns = this.positional;
    const width = columns.length;
    const starts = this.fieldStarts;
    starts[0] = start;
    let fields = 1;
    for (let c = start; c < end; c++) {
      if (text.charCodeAt(c) !== 44) continue;
      if (fields === width) {
        this.wrongWidth++;
        return;
      }
      starts[fields++] = c + 1;
    }
    if (fields !== width) {
      this.wrongWidth++;
      return;
    }
    this.records++;
    if (this.currentCaller !== null) this.currentCaller.records++;
    // Separate loops per kind keep each call site monomorphic, which V8 inlines.
    const numeric = this.numericColumns;
    for (let k = 0; k < numeric.length; k++) {
      const col = numeric[k];
      this.numericAt[k].addRange(text, starts[col], col + 1 < width ? starts[col + 1] - 1 : end);
    }
    const categorical = this.categoricalColumns;
    for (let k = 0; k < categorical.length; k++) {
      const col = categorical[k];
      this.categoricalAt[k].addRange(text, starts[col], col + 1 < width ? starts[col + 1] - 1 : end);
    }
    const groups = this.oneHotGroups;
    for (let g = 0; g < groups.length; g++) {
      const { state, columns: cols } = groups[g];
      let hot = -1;
      let missing = 0;
      let bad = false;
      for (let k = 0; k < cols.length; k++) {
        const col = cols[k];
        const v = csvCell(text, starts[col], col + 1 < width ? starts[col + 1] - 1 : end);
        if (v === 1) {
          if (hot >= 0) bad = true;
          hot = k;
        } else if (v === MISSING) missing++;
        else if (v !== 0) bad = true;
      }
      state.addOneHot(hot, missing, cols.length, bad);
    }
  }

  positionalRow(values: readonly unknown[]): void {
    if (values.length !== this.width) {
      this.wrongWidth++;
      return;
    }
    this.records++;
    if (this.currentCaller !== null) this.currentCaller.records++;
    for (let i = 0; i < values.length; i++) {
      const f = this.positional[i];
      if (!f) continue;
      const v = values[i];
      if (typeof v === 'string') f.addText(v);
      else f.addJson(v);
    }
    for (const { state, columns: cols } of this.oneHotGroups) {
      let hot = -1;
      let missing = 0;
      let bad = false;
      cols.forEach((col, k) => {
        const raw = values[col];
        const v = typeof raw === 'string' ? csvCell(raw, 0, raw.length) : jsonCell(raw);
        if (v === 1) {
          if (hot >= 0) bad = true;
          hot = k;
        } else if (v === MISSING) missing++;
        else if (v !== 0) bad = true;
      });
      state.addOneHot(hot, missing, cols.length, bad);
    }
  }

  namedRecord(record: Readonly<Record<string, unknown>>): void {
    this.records++;
    if (this.currentCaller !== null) this.currentCaller.records++;
    for (const f of this.features) f.addJson(record[f.name]);
  }

  score(value: unknown): void {
    this.scoreState.add(value);
  }

  finish(): DriftReport {
    const o = this.options;
    const empty = this.records === 0;
    // Below minRecords the tests are still reported, but nothing is called drift (not even per feature),
    // so the per-feature metrics never contradict the dataset status.
    const decide = this.records >= o.minRecords;
    const testP: { key: string; p: number }[] = [];

    const ksOf = (counter: SampleCounter): { d: number; p: number; method: KsOutcome['method'] } | null => {
      if (counter.n === 0) return null;
      const r = ksTwoSamplePValue(counter.ksStatistic(), counter.sample.size, counter.n);
      return { d: r.statistic, p: r.pValue, method: r.method };
    };

    const numericResults = new Map<string, ReturnType<typeof ksOf>>();
    const categoricalResults = new Map<string, ReturnType<typeof chiSquareContingency> | null>();
    for (const f of this.features) {
      if (f instanceof NumericState) {
        const r = ksOf(f.counter);
        numericResults.set(f.name, r);
        if (r) testP.push({ key: `feature:${f.name}`, p: r.p });
      } else if (f instanceof CategoricalState) {
        const r = f.valid > 0 ? chiSquareContingency(contingencyTable(f)) : null;
        categoricalResults.set(f.name, r);
        if (r) testP.push({ key: `feature:${f.name}`, p: r.pValue });
      }
    }
    const scoreKs = ksOf(this.scoreState.counter);
    if (scoreKs) testP.push({ key: 'prediction', p: scoreKs.p });

    const corrected = correctPValues(
      testP.map((t) => t.p),
      o.alpha,
      o.correction,
    );
    const outcome = new Map(testP.map((t, i) => [t.key, corrected[i]]));
    // The raw p-value level each test had to meet, so a leave-out test is judged the same way.
    const levels = new Map<string, number>();
    [...testP]
      .sort((a, b) => a.p - b.p)
      .forEach((t, k) =>
        levels.set(t.key, o.correction === 'holm' ? o.alpha / (testP.length - k) : o.alpha / testP.length),
      );

    const features: FeatureReport[] = this.features.map((f) => {
      const quality = qualityOf(f.q, (f as NumericState | CategoricalState).baseline);
      const c = outcome.get(`feature:${f.name}`);
      if (f instanceof NumericState) {
        const r = numericResults.get(f.name) ?? null;
        const ks: KsOutcome | null =
          r && c
            ? {
                statistic: r.d,
                pValue: r.p,
                method: r.method,
                n1: f.counter.sample.size,
                n2: f.counter.n,
                adjustedPValue: c.adjustedPValue,
                rejected: c.rejected,
              }
            : null;
        const psi =
          f.counter.n > 0
            ? psiFromShares(f.baseline.psi.shares, shares(f.counter.psiCounts(f.baseline.psi)))
            : null;
        const drift = decide && ks !== null && ks.rejected && ks.statistic >= o.minKsStatistic;
        const report: NumericFeatureReport = {
          name: f.name,
          kind: 'numeric',
          values: f.counter.n,
          ks,
          psi,
          window: windowStats(f.counter),
          drift,
          attribution:
            drift && this.callers.size > 0
              ? attributeNumeric(
                  f.baseline.sample,
                  f.counter.bins,
                  this.byCaller(f.counter.bins, (c) => c.numeric[this.numericStates.indexOf(f)]),
                  {
                    level: levels.get(`feature:${f.name}`) ?? 0,
                    floor: o.minKsStatistic,
                    minRecords: o.minRecords,
                  },
                  o,
                )
              : null,
          quality,
        };
        return report;
      }
      const cat = f as CategoricalState;
      const r = categoricalResults.get(cat.name) ?? null;
      const chiSquare: ChiSquareOutcome | null =
        r && c
          ? {
              statistic: r.statistic,
              pValue: r.pValue,
              dof: r.dof,
              yates: r.yates,
              adjustedPValue: c.adjustedPValue,
              rejected: c.rejected,
            }
          : null;
      const table = cat.valid > 0 ? contingencyTable(cat) : null;
      const psi = table ? psiFromCounts(table[0], table[1]) : null;
      const top = [...cat.unseenNames.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, o.reportUnseenCategories)
        .map(([category, count]) => ({ category, count }));
      const catDrift =
        decide && chiSquare !== null && chiSquare.rejected && psi !== null && psi >= o.minCategoricalPsi;
      const report: CategoricalFeatureReport = {
        name: cat.name,
        kind: 'categorical',
        values: cat.valid,
        chiSquare,
        psi,
        unseen: {
          count: cat.unseen,
          rate: cat.valid > 0 ? cat.unseen / cat.valid : null,
          distinct: cat.unseenNames.size + (cat.unseenOverflow > 0 ? 1 : 0),
          top,
        },
        drift: catDrift,
        attribution:
          catDrift && this.callers.size > 0
            ? attributeCategorical(
                cat.baselineCounts,
                withUnseen(cat),
                this.byCaller(withUnseen(cat), (c) => c.categorical[this.categoricalStates.indexOf(cat)]),
                {
                  level: levels.get(`feature:${cat.name}`) ?? 0,
                  floor: o.minCategoricalPsi,
                  minRecords: o.minRecords,
                },
                o,
              )
            : null,
        quality,
      };
      return report;
    });

    const sc = outcome.get('prediction');
    const s = this.scoreState;
    const predictionKs: KsOutcome | null =
      scoreKs && sc
        ? {
            statistic: scoreKs.d,
            pValue: scoreKs.p,
            method: scoreKs.method,
            n1: s.counter.sample.size,
            n2: s.counter.n,
            adjustedPValue: sc.adjustedPValue,
            rejected: sc.rejected,
          }
        : null;
    const prediction: PredictionReport = {
      scores: s.counter.n,
      ks: predictionKs,
      psi:
        s.counter.n > 0
          ? psiFromShares(
              this.baseline.score.psi.shares,
              shares(s.counter.psiCounts(this.baseline.score.psi)),
            )
          : null,
      window: windowStats(s.counter),
      drift:
        decide &&
        predictionKs !== null &&
        predictionKs.rejected &&
        predictionKs.statistic >= o.minKsStatistic,
      quality: {
        outputs: s.outputs,
        nonFinite: s.nonFinite,
        outOfRange: s.outOfRange,
        invalid: s.invalid,
        nonFiniteRate: s.outputs > 0 ? s.nonFinite / s.outputs : null,
      },
    };

    const breaches = this.breaches(features, prediction);
    const driftedFeatures = features.filter((f) => f.drift).map((f) => f.name);
    let status: DriftStatus;
    if (empty) status = 'empty';
    else if (this.records < o.minRecords) status = 'insufficient-data';
    else status = driftedFeatures.length > 0 || prediction.drift ? 'drift' : 'no-drift';

    const base: Omit<DriftReport, 'summary'> = {
      format: REPORT_FORMAT,
      version: REPORT_VERSION,
      generatedAt: (this.meta.now ? this.meta.now() : new Date()).toISOString(),
      status,
      baseline: {
        createdAt: this.baseline.createdAt,
        modelSha256: this.baseline.source.modelSha256,
        trainingDataSha256: this.baseline.source.trainingDataSha256,
      },
      input: {
        objects: this.objects,
        lines: this.lines,
        malformedLines: this.malformed,
        malformedByReason: { ...this.malformedByReason },
        records: this.records,
        wrongWidthRows: this.wrongWidth,
      },
      decision: {
        alpha: o.alpha,
        correction: o.correction,
        minKsStatistic: o.minKsStatistic,
        minCategoricalPsi: o.minCategoricalPsi,
        minRecords: o.minRecords,
        tests: testP.length,
        driftedFeatures: status === 'drift' ? driftedFeatures : [],
        predictionDrift: status === 'drift' && prediction.drift,
      },
      features,
      prediction,
      dataQuality: {
        status: empty ? ('empty' as const) : breaches.length > 0 ? ('breach' as const) : ('ok' as const),
        breaches,
      },
      attribution: {
        attributedRecords: [...this.callers.values()].reduce((n, c) => n + c.records, 0),
        callers: [...this.callers.keys()],
        minConcentratedShare: o.minConcentratedShare,
        maxConcentratedCallers: o.maxConcentratedCallers,
        concentratedFeatures:
          status === 'drift'
            ? features.filter((f) => f.attribution?.verdict === 'concentrated').map((f) => f.name)
            : [],
      },
    };
    return { ...base, summary: summaryLine(base) };
  }

  /**
   * Each labelled caller's counts for one feature, plus the records that named no caller as one more
   * group (the total minus every labelled caller), so the groups add up to the window.
   */
  private byCaller(
    total: ArrayLike<number>,
    countsOf: (caller: CallerCounts) => Uint32Array,
  ): Map<string, ArrayLike<number>> {
    const groups = new Map<string, ArrayLike<number>>();
    const rest = Float64Array.from(total);
    for (const caller of this.callers.values()) {
      const counts = countsOf(caller);
      groups.set(caller.label, counts);
      for (let i = 0; i < rest.length; i++) rest[i] -= counts[i];
    }
    if (rest.some((v) => v > 0)) groups.set(UNATTRIBUTED, rest);
    return groups;
  }

  private breaches(features: FeatureReport[], prediction: PredictionReport): DataQualityBreach[] {
    const o = this.options;
    const out: DataQualityBreach[] = [];
    for (const f of features) {
      const q = f.quality;
      if (q.nullRate !== null && q.nullRate - q.baselineNullRate > o.maxNullRateIncrease) {
        out.push({
          feature: f.name,
          check: 'null-rate',
          value: q.nullRate,
          threshold: q.baselineNullRate + o.maxNullRateIncrease,
        });
      }
      if (q.typeErrorRate !== null && q.typeErrorRate > o.maxTypeErrorRate) {
        out.push({
          feature: f.name,
          check: 'type-error-rate',
          value: q.typeErrorRate,
          threshold: o.maxTypeErrorRate,
        });
      }
      if (q.outOfRangeRate !== null && q.outOfRangeRate > o.maxOutOfRangeRate) {
        out.push({
          feature: f.name,
          check: 'out-of-range-rate',
          value: q.outOfRangeRate,
          threshold: o.maxOutOfRangeRate,
        });
      }
    }
    const r = prediction.quality.nonFiniteRate;
    if (r !== null && r > o.maxNonFiniteOutputRate) {
      out.push({
        feature: '(prediction)',
        check: 'non-finite-outputs',
        value: r,
        threshold: o.maxNonFiniteOutputRate,
      });
    }
    return out;
  }
}

/** The window's category counts with the unseen count appended (the layout of a caller's counts). */
function withUnseen(f: CategoricalState): Float64Array {
  const out = new Float64Array(f.counts.length + 1);
  out.set(f.counts);
  out[f.counts.length] = f.unseen;
  return out;
}

/** 2 x K table: baseline training counts over window counts, plus one "unseen" column when needed. */
function contingencyTable(f: CategoricalState): [number[], number[]] {
  const base = [...f.baselineCounts];
  const win = Array.from(f.counts);
  if (f.unseen > 0) {
    base.push(0);
    win.push(f.unseen);
  }
  return [base, win];
}

function shares(counts: number[]): number[] {
  const total = counts.reduce((s, v) => s + v, 0);
  return counts.map((c) => c / total);
}

function windowStats(c: SampleCounter): { min: number; max: number; mean: number } | null {
  return c.n > 0 ? { min: c.min, max: c.max, mean: c.sum / c.n } : null;
}

function qualityOf(q: QualityCounts, baseline: { rows: number; missing: number }): FeatureQuality {
  const rate = (v: number): number | null => (q.records > 0 ? v / q.records : null);
  return {
    records: q.records,
    nulls: q.nulls,
    typeErrors: q.typeErrors,
    outOfRange: q.outOfRange,
    nullRate: rate(q.nulls),
    typeErrorRate: rate(q.typeErrors),
    outOfRangeRate: rate(q.outOfRange),
    baselineNullRate: baseline.rows > 0 ? baseline.missing / baseline.rows : 0,
  };
}

function fmt(p: number): string {
  return p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}

function summaryLine(r: Omit<DriftReport, 'summary'>): string {
  const head = `drift check: ${r.status}; ${r.input.records} records, ${r.input.malformedLines} malformed lines`;
  if (r.status === 'empty') return `${head}; the window held no input records, so nothing was tested`;
  const drifted = r.features
    .filter((f) => f.drift)
    .map((f) => {
      const stat =
        f.kind === 'numeric'
          ? `D=${f.ks?.statistic.toFixed(3)} p=${fmt(f.ks?.pValue ?? 1)}`
          : `PSI=${f.psi?.toFixed(3)} p=${fmt(f.chiSquare?.pValue ?? 1)}`;
      return `${f.name} (${stat})`;
    });
  const parts = [head, `${r.decision.tests} tests, ${r.decision.correction} alpha=${r.decision.alpha}`];
  if (drifted.length > 0) parts.push(`drifted: ${drifted.join(', ')}`);
  if (r.prediction.drift) parts.push(`prediction D=${r.prediction.ks?.statistic.toFixed(3)}`);
  if (r.attribution.concentratedFeatures.length > 0) {
    const where = r.features
      .filter((f) => r.attribution.concentratedFeatures.includes(f.name))
      .map((f) => `${f.name} in ${f.attribution?.concentratedIn.join(' + ')}`);
    parts.push(`CONCENTRATED in few callers: ${where.join(', ')}`);
  }
  parts.push(
    `data quality: ${r.dataQuality.status}${r.dataQuality.breaches.length ? ` (${r.dataQuality.breaches.length} breaches)` : ''}`,
  );
  return parts.join('; ');
}
