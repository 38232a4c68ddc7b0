/** Proposed thresholds and their costs from a labelled, scored set (src/engine/calibration/propose-thresholds.ts). */
import { describe, expect, it } from 'vitest';
import { upperBound } from '../../../src/engine/calibration/binomial-bounds';
import { costsAt, proposeThresholds } from '../../../src/engine/calibration/propose-thresholds';

/** Seeded scores, so that every run sees the same set. */
function scores(n: number, lo: number, hi: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

describe('costsAt', () => {
  it('counts missed defects, good items rejected and items diverted, each with its exact bound', () => {
    const c = costsAt({ reject: 0.85, divert: 0.5 }, [0.9, 0.8, 0.3], [0.1, 0.6, 0.95]);
    expect(c.defectsMissed).toMatchObject({ count: 1, of: 3 });
    expect(c.defectsMissed.per1000).toBeCloseTo(333.333, 3);
    expect(c.defectsMissed.boundPer1000).toBeCloseTo(864.6496378284161, 6); // beta.ppf(0.95, 2, 2)
    expect(c.recall).toMatchObject({ count: 2, of: 3 });
    expect(c.recall.boundPer1000).toBeCloseTo(135.35036217158378, 6); // beta.ppf(0.05, 2, 2)
    expect(c.goodRejected).toMatchObject({ count: 1, of: 3 });
    expect(c.diverted).toMatchObject({ count: 2, of: 6 });
    expect(c.diverted.boundPer1000).toBeCloseTo(728.6616274802475, 6); // beta.ppf(0.95, 3, 4)
  });
});

describe('proposeThresholds', () => {
  it('on separable scores: every vouched defect caught, nothing good rejected, no band needed', () => {
    const defects = scores(200, 0.6, 1, 1);
    const goods = scores(3000, 0, 0.5, 2);
    const p = proposeThresholds(defects, goods);
    expect(p.refused).toBeNull();
    expect(p.thresholds!.divert).toBe(p.recall.threshold);
    expect(p.thresholds!.reject).toBe(p.thresholds!.divert);
    expect(p.costs!.recall.boundPer1000).toBeGreaterThanOrEqual(950);
    expect(p.costs!.goodRejected.count).toBe(0);
    expect(p.notes).toEqual([]);
  });

  it('where good and defect scores overlap, diverts between a recall-safe floor and a reject threshold within the budget', () => {
    const defects = scores(300, 0.3, 1, 3);
    const goods = scores(3000, 0, 0.7, 4);
    const p = proposeThresholds(defects, goods, { maxFalseReject: 0.01 });
    const { reject, divert } = p.thresholds!;
    expect(reject).toBeGreaterThan(divert);
    expect(p.costs!.recall.boundPer1000).toBeGreaterThanOrEqual(950);
    expect(p.costs!.goodRejected.boundPer1000).toBeLessThanOrEqual(10);
    // The reject threshold is the lowest that keeps the bound within budget: a good item just below it would break it.
    const below = goods.filter((s) => s < reject).sort((a, b) => b - a)[0]!;
    const atBelow = goods.filter((s) => s >= below).length;
    expect(upperBound(atBelow, goods.length, 0.95)).toBeGreaterThan(0.01);
  });

  it('with the recall on reject alone, the guarantee sets the reject threshold and the band reaches down within the budget', () => {
    const defects = scores(300, 0.3, 1, 5);
    const goods = scores(3000, 0, 0.32, 6);
    const p = proposeThresholds(defects, goods, { recallOn: 'reject', maxFalseReject: 0.05 });
    expect(p.thresholds!.reject).toBe(p.recall.threshold);
    expect(p.thresholds!.divert).toBeLessThan(p.thresholds!.reject);
    const diverted = goods.filter((s) => s >= p.thresholds!.divert).length;
    expect(upperBound(diverted, goods.length, 0.95)).toBeLessThanOrEqual(0.05);
    expect(p.notes).toEqual([]);
    // Where the recall's threshold itself rejects too many good items, the proposal says so.
    const overlapping = proposeThresholds(defects, scores(3000, 0, 0.6, 6), { recallOn: 'reject', maxFalseReject: 0.05 });
    expect(overlapping.notes[0]).toMatch(/^the recall asked for rejects \d+ of 3000 good pictures .* over the budget of 50 per 1,000/);
  });

  it('refuses with too few defects, and says when the good pictures are too few for the budget', () => {
    expect(proposeThresholds(scores(40, 0.5, 1, 7), scores(500, 0, 0.5, 8))).toMatchObject({
      thresholds: null,
      refused: expect.stringMatching(/^40 defect pictures cannot show a recall of 0.95 .* at least 59 are needed/),
    });
    const few = proposeThresholds(scores(100, 0.6, 1, 9), scores(50, 0, 0.5, 10));
    expect(few.notes[0]).toMatch(/^50 good pictures cannot show a false-reject rate below 0.02 \(at least 149 are needed\)/);
    expect(() => proposeThresholds(scores(100, 0.6, 1, 9), [])).toThrow(/needs good items/);
  });
});
