import { describe, expect, it } from 'vitest';
import { environmentMultiplier, riskOf } from '../../../src/main/engine/sensors/health/environment';
import { nextHealth, type HealthLevel } from '../../../src/main/engine/sensors/health/health-state';

const t = { warnAt: 0.4, alarmAt: 0.7, hysteresis: 0.1 };

describe('machine health with hysteresis', () => {
  it('goes up at the thresholds and comes down only below them by the hysteresis', () => {
    const walk = (risks: number[]): HealthLevel[] => {
      let level: HealthLevel = 'unknown';
      return risks.map((r) => (level = nextHealth(level, r, t)));
    };
    expect(walk([0.1, 0.41, 0.35, 0.31, 0.29, 0.72, 0.65, 0.61, 0.59, 0.2])).toEqual([
      'ok',
      'warn',
      'warn',
      'warn',
      'ok',
      'alarm',
      'alarm',
      'alarm',
      'warn',
      'ok',
    ]);
    expect(nextHealth('ok', Number.NaN, t)).toBe('unknown');
  });
});

describe('environmental multiplier', () => {
  const rules = [
    { name: 'hot', when: { temperature_c: { above: 40 } }, multiplier: 1.5 },
    { name: 'hot and humid', when: { temperature_c: { above: 35 }, humidity_pct: { above: 70 } }, multiplier: 2 },
  ];
  it('multiplies by every rule that holds, and caps risk at 1', () => {
    const latest = (values: Record<string, number>) => (c: string) => values[c];
    expect(environmentMultiplier(rules, latest({ temperature_c: 30, humidity_pct: 80 }))).toEqual({ multiplier: 1, rules: [] });
    expect(environmentMultiplier(rules, latest({ temperature_c: 41, humidity_pct: 50 }))).toEqual({ multiplier: 1.5, rules: ['hot'] });
    expect(environmentMultiplier(rules, latest({ temperature_c: 41, humidity_pct: 75 }))).toEqual({ multiplier: 3, rules: ['hot', 'hot and humid'] });
    expect(environmentMultiplier(rules, latest({ humidity_pct: 75 }))).toEqual({ multiplier: 1, rules: [] });
    expect(riskOf(0.2, 3)).toBeCloseTo(0.6, 10);
    expect(riskOf(0.5, 3)).toBe(1);
  });
});
