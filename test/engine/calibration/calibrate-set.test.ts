/**
 * The stored calibration (src/engine/calibration/calibrate-set.ts, curves.ts) and what the page counts from it
 * (src/shared/calibration.ts labelledWhatIf); the figures of `npm run evaluate` (evaluation/decision-figures.ts).
 */
import { describe, expect, it } from 'vitest';
import { CalibrationSchema, labelledWhatIf, MAX_KEPT_SCORES } from '../../../src/shared/calibration';
import { lowerBound, upperBound } from '../../../src/engine/calibration/binomial-bounds';
import { calibrateSet } from '../../../src/engine/calibration/calibrate-set';
import { keptScores, scoreCurves } from '../../../src/engine/calibration/curves';
import { decisionFigures } from '../../../src/engine/evaluation/decision-figures';

const OPTIONS = { target: 0.95, confidence: 0.95, maxFalseReject: 0.02, recallOn: 'reject-or-divert' } as const;
const META = {
  data: { source: '/media/usb/set', fingerprint: 'f'.repeat(64), split: 'all 300 pictures' },
  model: { name: 'm', version: '1', sha256: 'a'.repeat(64), provider: 'cpu' },
  by: 'Ana',
  at: new Date('2026-12-06T10:00:00Z'),
};

describe('scoreCurves', () => {
  it('gives recall, precision and false-positive rate at each distinct score, highest first', () => {
    const c = scoreCurves([0.9, 0.8, 0.4], [0.7, 0.2]);
    expect(c.threshold).toEqual([0.9, 0.8, 0.7, 0.4, 0.2]);
    expect(c.recall).toEqual([1 / 3, 2 / 3, 2 / 3, 1, 1]);
    expect(c.precision).toEqual([1, 1, 2 / 3, 3 / 4, 3 / 5]);
    expect(c.falsePositiveRate).toEqual([0, 0, 0.5, 0.5, 1]);
  });

  it('thins a long curve to the points asked for, keeping both ends', () => {
    const d = Array.from({ length: 3000 }, (_, i) => 0.5 + i / 6001);
    const g = Array.from({ length: 3000 }, (_, i) => i / 6001);
    const c = scoreCurves(d, g, 100);
    expect(c.threshold.length).toBeLessThanOrEqual(100);
    expect(c.threshold[0]).toBe(Math.max(...d));
    expect(c.threshold.at(-1)).toBe(0);
    expect(c.recall.at(-1)).toBe(1);
    expect(c.falsePositiveRate.at(-1)).toBe(1);
  });

  it('keeps scores ascending, thinned evenly with the ends, rounded', () => {
    expect(keptScores([0.3, 0.1234567891, 0.2], 10)).toEqual([0.123457, 0.2, 0.3]);
    const many = keptScores(
      Array.from({ length: 50_001 }, (_, i) => i / 50_000),
      1001,
    );
    expect(many).toHaveLength(1001);
    expect(many[0]).toBe(0);
    expect(many.at(-1)).toBe(1);
  });
});

describe('calibrateSet', () => {
  it('stores the proposal with its bounds, the cost at the thresholds in force, and the scores for the what-if', () => {
    // 100 defects well above 100 good pictures: all defects caught at the proposal.
    const defects = Array.from({ length: 100 }, (_, i) => 0.6 + i / 400);
    const goods = Array.from({ length: 100 }, (_, i) => i / 400);
    const c = calibrateSet({ defects, goods, unscored: 2, options: OPTIONS, current: { pit: 0.75, maybe: 0.5 }, ...META });
    expect(CalibrationSchema.parse(c)).toEqual(c);
    expect(c.thresholds).not.toBeNull();
    // The order-statistic rule: the highest threshold whose bound reaches 0.95, not the one catching every defect.
    expect(c.recallLowerBound).toBeGreaterThanOrEqual(0.95);
    expect(c.recallLowerBound).toBeCloseTo(lowerBound(c.costs!.recall.count, 100, 0.95), 12);
    expect(c.costs!.recall.count).toBeLessThan(100);
    expect(c.falseRejectUpperBound).toBeCloseTo(upperBound(0, 100, 0.95), 12);
    expect(c.defectsNeeded).toBe(59);
    expect(c.unscored).toBe(2);
    // At the thresholds in force (pit ≥ 0.75) the defects from 0.6 to 0.75 are diverted, not missed.
    expect(c.costsAtCurrent!.defectsMissed.count).toBe(0);
    expect(c.costsAtCurrent!.diverted.count).toBe(60);
    expect(c.defectScores).toHaveLength(100);
    expect(c.goodScores[0]).toBe(0);
  });

  it('refuses below the minimum number of defects, saying how many are needed, and still stores the curves', () => {
    const c = calibrateSet({
      defects: Array.from({ length: 40 }, () => 0.9),
      goods: [0.1, 0.2],
      unscored: 0,
      options: OPTIONS,
      current: { pit: 0.75, maybe: 0.5 },
      ...META,
    });
    expect(c.thresholds).toBeNull();
    expect(c.refused).toMatch(/59/);
    expect(c.costs).toBeNull();
    expect(c.recallLowerBound).toBeNull();
    expect(c.curves.threshold.length).toBeGreaterThan(0);
  });

  // A station-sized set: with the bounds searched by bisection it takes well under a second (a timed benchmark would say how far under).
  it('keeps at most MAX_KEPT_SCORES of each kind', () => {
    const n = MAX_KEPT_SCORES + 500;
    const c = calibrateSet({
      defects: Array.from({ length: n }, (_, i) => 0.5 + (0.5 * i) / n),
      goods: Array.from({ length: n }, (_, i) => (0.5 * i) / n),
      unscored: 0,
      options: OPTIONS,
      current: { pit: 0.75, maybe: 0.5 },
      ...META,
    });
    expect(c.nDefect).toBe(n);
    expect(c.defectScores).toHaveLength(MAX_KEPT_SCORES);
  });
});

describe('labelledWhatIf', () => {
  it('counts missed defects, good items rejected and diverted items at any thresholds', () => {
    const w = labelledWhatIf({ defectScores: [0.2, 0.6, 0.9, 0.95], goodScores: [0.1, 0.3, 0.55, 0.8] }, { pit: 0.85, maybe: 0.5 });
    expect(w.defectsMissedPer1000).toBe(250); // 0.2
    expect(w.goodRejectedPer1000).toBe(0);
    expect(w.divertedPer1000).toBe(375); // 0.6, 0.55, 0.8 of 8
    // A score exactly at a threshold takes it (decision.ts: ≥).
    expect(labelledWhatIf({ defectScores: [0.5], goodScores: [0.85] }, { pit: 0.85, maybe: 0.5 })).toEqual({
      defectsMissedPer1000: 0,
      goodRejectedPer1000: 1000,
      divertedPer1000: 500,
    });
  });
});

describe('decisionFigures', () => {
  it('counts a diverted defect as caught, a diverted good item as wrong, and only rejects as false rejects', () => {
    const items = [
      { rejectScore: 0.9, isDefect: true }, // pit
      { rejectScore: 0.6, isDefect: true }, // maybe: caught, not rejected
      { rejectScore: 0.1, isDefect: true }, // passed: missed
      { rejectScore: 0.1, isDefect: false }, // clean: right
      { rejectScore: 0.6, isDefect: false }, // maybe: wrong
      { rejectScore: 0.8, isDefect: false }, // pit: false reject
    ];
    const f = decisionFigures(items, { pit: 0.75, maybe: 0.5 });
    expect(f).toMatchObject({
      n: 6,
      n_defect: 3,
      n_good: 3,
      recall: 2 / 3,
      reject_recall: 1 / 3,
      accuracy: 3 / 6,
      false_reject_rate: 1 / 3,
      divert_rate: 2 / 6,
    });
    // A score that is not a number in 0..1 is rejected (positive release), never passed.
    expect(decisionFigures([{ rejectScore: Number.NaN, isDefect: true }], { pit: 0.75, maybe: 0.5 }).recall).toBe(1);
  });
});
