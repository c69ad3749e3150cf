/**
 * Pure builders for the numeric parts of a baseline: the KS sample, PSI bins and summary statistics.
 */
import type { NumericSummary, PsiBins, WeightedSample } from './baseline';

/** Default cap on the KS baseline sample; see buildWeightedSample. */
export const DEFAULT_MAX_SAMPLE = 10000;
export const DEFAULT_PSI_BINS = 10;

/**
 * The baseline side of the KS test. Up to `maxSample` finite values are kept in full (as distinct values
 * and multiplicities). Above that, the sample is the deterministic mid-quantile subsample
 * s_(floor((i + 1/2) N / maxSample)), i = 0..maxSample-1, of the N sorted values: its ECDF is within
 * 1/maxSample of the full training ECDF everywhere, and the same training data always gives the same file.
 */
export function buildWeightedSample(
  sortedValues: Float64Array,
  maxSample = DEFAULT_MAX_SAMPLE,
): WeightedSample {
  const n = sortedValues.length;
  if (n === 0) throw new RangeError('cannot build a baseline sample from no values');
  if (!Number.isInteger(maxSample) || maxSample < 1)
    throw new RangeError(`maxSample must be a positive integer`);
  for (let i = 1; i < n; i++) {
    if (!(sortedValues[i] >= sortedValues[i - 1]))
      throw new RangeError('values must be sorted ascending and finite');
  }
  const take = Math.min(n, maxSample);
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < take; i++) {
    const v = take === n ? sortedValues[i] : sortedValues[Math.floor(((i + 0.5) * n) / take)];
    if (values.length > 0 && values[values.length - 1] === v) counts[counts.length - 1]++;
    else {
      values.push(v);
      counts.push(1);
    }
  }
  return { values, counts, size: take, population: n, subsampled: take < n };
}

/**
 * PSI bins (docs/drift.md): upper edges at the sample values where the ECDF first reaches k/bins,
 * k = 1..bins (so the largest value is always the last edge), equal edges merged, plus a bin below the
 * smallest value and one above the largest. Those two tails hold no baseline mass, so PSI reacts to window
 * values beyond the training range however the top or bottom value is piled up; features with few
 * distinct values get fewer, fuller bins.
 */
export function buildPsiBins(sample: WeightedSample, bins = DEFAULT_PSI_BINS): PsiBins {
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError('PSI needs at least 2 bins');
  const edges: number[] = [];
  const shares: number[] = [0];
  let cum = 0;
  let previous = 0;
  let k = 1;
  for (let i = 0; i < sample.values.length && k <= bins; i++) {
    cum += sample.counts[i];
    if (cum * bins >= k * sample.size) {
      edges.push(sample.values[i]);
      shares.push((cum - previous) / sample.size);
      previous = cum;
      while (k <= bins && cum * bins >= k * sample.size) k++;
    }
  }
  shares.push(0);
  return { lower: sample.values[0], edges, shares };
}

const QUANTILES: [string, number][] = [
  ['p01', 0.01],
  ['p05', 0.05],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p95', 0.95],
  ['p99', 0.99],
];

/** Linear-interpolation quantile of sorted values (numpy.quantile's default method). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** min, max, mean, population standard deviation and quantiles of sorted finite values. */
export function buildNumericSummary(sorted: Float64Array): NumericSummary {
  const n = sorted.length;
  if (n === 0) throw new RangeError('cannot summarise no values');
  let mean = 0;
  let m2 = 0;
  // Welford's update keeps the variance accurate for large, offset values.
  for (let i = 0; i < n; i++) {
    const delta = sorted[i] - mean;
    mean += delta / (i + 1);
    m2 += delta * (sorted[i] - mean);
  }
  const quantiles: Record<string, number> = {};
  for (const [key, q] of QUANTILES) quantiles[key] = quantileSorted(sorted, q);
  return { min: sorted[0], max: sorted[n - 1], mean, std: Math.sqrt(m2 / n), quantiles };
}
