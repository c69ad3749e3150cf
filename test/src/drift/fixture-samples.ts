/**
 * Re-creates the samples that test/fixtures/drift/scipy-stats.json describes by generator spec, with the
 * same IEEE-754 operations as scripts/scipy/make_drift_fixtures.py, so both sides see identical inputs.
 */
export interface SampleSpec {
  readonly seed: number;
  readonly n: number;
  readonly terms: number;
  readonly loc: number;
  readonly scale: number;
  readonly decimals?: number;
}

/** Marsaglia's xorshift32 (13, 17, 5); each state / 2^32 is a uniform in (0, 1). */
export function xorshift32(seed: number): () => number {
  let state = seed >>> 0;
  if (state === 0) throw new RangeError('xorshift32 seed must be non-zero');
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

export function expandSample(spec: readonly number[] | SampleSpec): number[] {
  if (Array.isArray(spec)) return [...spec];
  const s = spec as SampleSpec;
  const next = xorshift32(s.seed);
  const out: number[] = [];
  for (let i = 0; i < s.n; i++) {
    let total = 0;
    for (let j = 0; j < s.terms; j++) total += next();
    let v = s.loc + s.scale * (total - s.terms / 2);
    if (s.decimals !== undefined) {
      const factor = 10 ** s.decimals;
      v = Math.floor(v * factor + 0.5) / factor;
    }
    out.push(v);
  }
  return out;
}
