/**
 * Exact binomial bounds and the order-statistic threshold rule (issue 15),
 * against values of the inverse regularised incomplete beta function
 * (scipy.stats.beta.ppf, quoted to 1e-9) and the success-run table.
 */
import { describe, expect, it } from 'vitest';
import { binomialCdf, lowerBound, trialsNeeded, upperBound } from '../../../src/engine/calibration/binomial-bounds';
import { recallThreshold } from '../../../src/engine/calibration/recall-threshold';

describe('Clopper–Pearson bounds', () => {
  it.each([
    // [k, n, confidence, lower, upper] — beta.ppf(1 − c, k, n − k + 1) and beta.ppf(c, k + 1, n − k)
    [5, 20, 0.975, 0.08657146910143461, 0.49104587170795744],
    [12, 20, 0.95, 0.39358488675696957, null],
    [2, 50, 0.95, null, 0.12061415542204412],
    [990, 1000, 0.99, 0.9799573940991211, null],
    [58, 60, 0.95, 0.8987641050758384, null],
    [92, 93, 0.95, 0.9500060216120116, null],
  ] as const)('k = %i of n = %i at %f', (k, n, c, lower, upper) => {
    if (lower !== null) expect(lowerBound(k, n, c)).toBeCloseTo(lower, 9);
    if (upper !== null) expect(upperBound(k, n, c)).toBeCloseTo(upper, 9);
  });

  it('has the closed forms at the ends: none caught, all caught', () => {
    expect(lowerBound(0, 40, 0.95)).toBe(0);
    expect(upperBound(40, 40, 0.95)).toBe(1);
    expect(lowerBound(59, 59, 0.95)).toBeCloseTo(Math.pow(0.05, 1 / 59), 12);
    expect(upperBound(0, 30, 0.95)).toBeCloseTo(1 - Math.pow(0.05, 1 / 30), 12);
  });

  it('sums the binomial tail exactly', () => {
    expect(binomialCdf(2, 4, 0.5)).toBeCloseTo(11 / 16, 14);
    expect(binomialCdf(0, 10, 0.1)).toBeCloseTo(Math.pow(0.9, 10), 14);
    expect(binomialCdf(10, 10, 0.3)).toBe(1);
  });

  it('gives the success-run sample sizes: 59, 93 and 124 defects for 95 % recall at 95 % with 0, 1 and 2 missed', () => {
    expect(trialsNeeded(0.95, 0.95, 0)).toBe(59);
    expect(trialsNeeded(0.95, 0.95, 1)).toBe(93);
    expect(trialsNeeded(0.95, 0.95, 2)).toBe(124);
    expect(trialsNeeded(0.9, 0.95, 0)).toBe(29);
  });

  it('refuses what is not a proportion', () => {
    expect(() => lowerBound(5, 4, 0.95)).toThrow(/k must be a whole number from 0 to n/);
    expect(() => upperBound(1, 0, 0.95)).toThrow(/n must be/);
    expect(() => lowerBound(1, 4, 1)).toThrow(/confidence/);
  });
});

describe('the order-statistic rule for the reject threshold', () => {
  const scores = (n: number): number[] => Array.from({ length: n }, (_, i) => 0.5 + (0.5 * i) / n); // distinct, ascending

  it('refuses below the minimum number of defects, saying how many are needed', () => {
    const r = recallThreshold(scores(58), 0.95, 0.95);
    expect(r.threshold).toBeNull();
    expect(r.refused).toBe('58 defect pictures cannot show a recall of 0.95 with 95 % confidence: at least 59 are needed (with none missed)');
  });

  it('at exactly the minimum, catches every defect: the lowest defect score', () => {
    const s = scores(59);
    const r = recallThreshold(s, 0.95, 0.95);
    expect(r).toMatchObject({ threshold: Math.min(...s), caught: 59, n: 59, refused: null });
    expect(r.recallLowerBound).toBeCloseTo(Math.pow(0.05, 1 / 59), 12);
  });

  it('with 93 defects may miss one, with 124 two: the 2nd and 3rd lowest scores', () => {
    const s93 = scores(93);
    expect(recallThreshold(s93, 0.95, 0.95)).toMatchObject({ threshold: s93[1], caught: 92 });
    const s124 = scores(124);
    expect(recallThreshold(s124, 0.95, 0.95)).toMatchObject({ threshold: s124[2], caught: 122 });
  });

  it('the highest threshold whose bound reaches the target, and no higher', () => {
    const s = scores(1000);
    const r = recallThreshold(s, 0.97, 0.95);
    expect(r.recallLowerBound).toBeGreaterThanOrEqual(0.97);
    // One more miss would break the guarantee.
    expect(lowerBound(r.caught - 1, 1000, 0.95)).toBeLessThan(0.97);
    expect(s.filter((x) => x >= r.threshold!).length).toBe(r.caught);
  });

  it('counts ties at the threshold as caught', () => {
    // 100 defects may miss one (93 suffice for that): the 99th highest score, shared by the 100th.
    const s: number[] = [...Array<number>(98).fill(0.9), 0.1, 0.1];
    const r = recallThreshold(s, 0.95, 0.95);
    expect(r.threshold).toBe(0.1);
    expect(r.caught).toBe(100);
  });
});
