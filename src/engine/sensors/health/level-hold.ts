/**
 * A machine-health level must hold before it is reported (issue 12: an alarm
 * that sounds on a spike of a few evaluations teaches people to ignore it).
 * From the first evaluation that differs from the reported level, the new
 * level is reported once it has held for holdMs (at risk and high risk in
 * between count alike: the machine has not been ok all that time). The first
 * known level after "unknown" is reported at once when it is ok: there is
 * nothing to sound. Pure: the clock is passed in.
 */
import type { HealthLevel } from './health-state';

export interface PendingLevel {
  readonly level: HealthLevel;
  /** When the evaluated level first differed from the reported one. */
  readonly since: number;
}

export interface HoldStep {
  /** The level to report now, or null to keep the reported one. */
  readonly report: HealthLevel | null;
  readonly pending: PendingLevel | null;
}

export function holdLevel(reported: HealthLevel, evaluated: HealthLevel, pending: PendingLevel | null, now: number, holdMs: number): HoldStep {
  if (evaluated === reported) return { report: null, pending: null };
  const since = pending?.since ?? now;
  if (now - since >= holdMs || (reported === 'unknown' && evaluated === 'ok')) return { report: evaluated, pending: null };
  return { report: null, pending: { level: evaluated, since } };
}
