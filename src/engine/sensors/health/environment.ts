/**
 * The environmental multiplier of the study (docs/BACKGROUND.md): an interpretable rule
 * table on temperature, humidity or any channel. Every rule whose conditions
 * all hold multiplies the risk; risk = p_fail × multiplier, capped at 1. Pure.
 */
import type { EnvironmentRule } from '../../../shared/sensor-config';

export interface EnvironmentVerdict {
  readonly multiplier: number;
  /** The rules that applied, by name. */
  readonly rules: readonly string[];
}

export function environmentMultiplier(rules: readonly EnvironmentRule[], latest: (channel: string) => number | undefined): EnvironmentVerdict {
  let multiplier = 1;
  const applied: string[] = [];
  for (const rule of rules) {
    const holds = Object.entries(rule.when).every(([channel, cond]) => {
      const v = latest(channel);
      if (v === undefined) return false;
      return (cond.above === undefined || v > cond.above) && (cond.below === undefined || v < cond.below);
    });
    if (holds) {
      multiplier *= rule.multiplier;
      applied.push(rule.name);
    }
  }
  return { multiplier, rules: applied };
}

export function riskOf(pFail: number, multiplier: number): number {
  return Math.min(1, Math.max(0, pFail * multiplier));
}
