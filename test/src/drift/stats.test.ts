import fixture from '../../fixtures/drift/scipy-stats.json';
import { chiSquareContingency, chiSquareGoodnessOfFit } from '../../../src/drift/stats/chisquare';
import { kolmogorovSf, smirnovSf } from '../../../src/drift/stats/kolmogorov';
import { ksStatisticSorted, ksTwoSample } from '../../../src/drift/stats/ks';
import { chiSquareSf } from '../../../src/drift/stats/special';
import { expandSample, SampleSpec } from './fixture-samples';

const TOL = 1e-6;

/** Absolute 1e-6, and for tiny reference values also 1e-6 relative so that small p-values are really checked. */
function expectClose(actual: number, expected: number | null, label: string): void {
  if (expected === null) {
    expect(Number.isNaN(actual)).toBe(true);
    return;
  }
  const diff = Math.abs(actual - expected);
  const ok = diff <= TOL && (Math.abs(expected) > 1e-3 || diff <= 1e-6 * Math.abs(expected) + 1e-300);
  if (!ok) throw new Error(`${label}: got ${actual}, scipy ${expected} (diff ${diff})`);
}

describe('two-sample KS matches scipy.stats.ks_2samp (method=auto)', () => {
  it.each(fixture.ks2samp.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const x = expandSample(c.x as number[] | SampleSpec);
    const y = expandSample(c.y as number[] | SampleSpec);
    const r = ksTwoSample(x, y);
    expect(r.method).toBe(c.method);
    expectClose(r.statistic, c.statistic, 'statistic');
    expectClose(r.pValue, c.pvalue, 'p-value');
  });

  it('covers both methods, ties, unequal sizes and small p-values', () => {
    const methods = new Set(fixture.ks2samp.map((c) => c.method));
    expect(methods).toEqual(new Set(['exact', 'asymp']));
    expect(fixture.ks2samp.some((c) => c.n1 !== c.n2 && c.method === 'exact')).toBe(true);
    expect(fixture.ks2samp.some((c) => c.pvalue < 1e-50)).toBe(true);
  });

  it('is symmetric in its two samples', () => {
    const x = expandSample({ seed: 5, n: 300, terms: 4, loc: 0, scale: 1 });
    const y = expandSample({ seed: 6, n: 170, terms: 4, loc: 0.2, scale: 1 });
    expect(ksTwoSample(x, y)).toEqual({ ...ksTwoSample(y, x), n1: 300, n2: 170 });
  });

  it('rejects empty samples and NaN', () => {
    expect(() => ksTwoSample([], [1])).toThrow(/empty/);
    expect(() => ksTwoSample([1, Number.NaN], [1])).toThrow(/NaN/);
  });

  it('computes D from sorted arrays with ties on both sides', () => {
    expect(ksStatisticSorted([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 15);
  });
});

describe('KS distributions match scipy', () => {
  it('kstwo.sf over every branch of the method selection', () => {
    for (const c of fixture.kstwoSf) expectClose(kolmogorovSf(c.n, c.d), c.sf, `kstwo.sf(${c.d}, ${c.n})`);
  });

  it('scipy.special.smirnov', () => {
    for (const c of fixture.smirnovSf) expectClose(smirnovSf(c.n, c.d), c.sf, `smirnov(${c.n}, ${c.d})`);
  });
});

describe('chi-square matches scipy', () => {
  it('chi2.sf', () => {
    for (const c of fixture.chi2Sf) expectClose(chiSquareSf(c.x, c.dof), c.sf, `chi2.sf(${c.x}, ${c.dof})`);
  });

  it.each(fixture.chisquare.map((c, i) => [i, c] as const))('chisquare case %d', (_i, c) => {
    const r = chiSquareGoodnessOfFit(c.observed, c.expected ?? undefined);
    expectClose(r.statistic, c.statistic, 'statistic');
    expectClose(r.pValue, c.pvalue, 'p-value');
  });

  it('refuses observed and expected totals that disagree, as scipy does', () => {
    expect(() => chiSquareGoodnessOfFit([10, 10], [5, 5])).toThrow(/differ/);
  });

  it.each(fixture.chi2Contingency.map((c, i) => [i, c] as const))('chi2_contingency case %d', (_i, c) => {
    const correction = 'correction' in c ? (c.correction as boolean) : true;
    const r = chiSquareContingency(c.table, correction);
    expect(r.dof).toBe(c.dof);
    expect(r.yates).toBe(c.dof === 1 && correction);
    expectClose(r.statistic, c.statistic, 'statistic');
    expectClose(r.pValue, c.pvalue, 'p-value');
    r.expected.forEach((row, i) =>
      row.forEach((e, j) => expectClose(e, c.expected[i]![j]!, `expected[${i}][${j}]`)),
    );
  });

  it('refuses a table with an all-zero column, as scipy does', () => {
    expect(() =>
      chiSquareContingency([
        [1, 0],
        [2, 0],
      ]),
    ).toThrow(/zero element/);
  });
});
