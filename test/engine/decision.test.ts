import { describe, expect, it } from 'vitest';
import { decide, softmax } from '../../src/engine/decision';

const thresholds = { pit: 0.75, maybe: 0.5 };

describe('decide', () => {
  it('rejects at and above the pit threshold, diverts from the maybe threshold, passes below', () => {
    expect(decide({ rejectScore: 0.75, thresholds }).decision).toBe('pit');
    expect(decide({ rejectScore: 0.99, thresholds }).decision).toBe('pit');
    expect(decide({ rejectScore: 0.7499, thresholds }).decision).toBe('maybe');
    expect(decide({ rejectScore: 0.5, thresholds }).decision).toBe('maybe');
    expect(decide({ rejectScore: 0.4999, thresholds }).decision).toBe('clean');
    expect(decide({ rejectScore: 0, thresholds }).decision).toBe('clean');
  });

  it('never releases an item on a score that is not a probability (positive release)', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity, -0.01, 1.01]) {
      const result = decide({ rejectScore: bad, thresholds });
      expect(result.decision).toBe('pit');
      expect(result.failSafeReason).toMatch(/invalid score/);
    }
  });

  it('follows thresholds that are changed', () => {
    expect(decide({ rejectScore: 0.6, thresholds: { pit: 0.6, maybe: 0.3 } }).decision).toBe('pit');
    expect(decide({ rejectScore: 0.35, thresholds: { pit: 0.6, maybe: 0.3 } }).decision).toBe('maybe');
  });
});

describe('softmax', () => {
  it('gives probabilities that sum to one and keep the order of the logits', () => {
    const p = softmax([2, 0, -1]);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
    expect(p[0]).toBeGreaterThan(p[1]!);
    expect(p[1]).toBeGreaterThan(p[2]!);
    expect(p[0]).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 1 + Math.exp(-1)), 12);
  });

  it('stays finite on large logits', () => {
    const p = softmax([1000, 999]);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(Number.isFinite(p[1])).toBe(true);
  });
});
