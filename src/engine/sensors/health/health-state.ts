/**
 * Machine health from risk: ok / warn / alarm, with hysteresis so that a risk
 * hovering at a threshold does not make the state flap. Pure.
 */
export type HealthLevel = 'unknown' | 'ok' | 'warn' | 'alarm';

export interface HealthThresholds {
  readonly warnAt: number;
  readonly alarmAt: number;
  readonly hysteresis: number;
}

export function nextHealth(current: HealthLevel, risk: number, t: HealthThresholds): HealthLevel {
  if (!Number.isFinite(risk)) return 'unknown';
  if (risk >= t.alarmAt) return 'alarm';
  // Going down needs the risk to fall below the threshold by the hysteresis.
  if (current === 'alarm' && risk >= t.alarmAt - t.hysteresis) return 'alarm';
  if (risk >= t.warnAt) return 'warn';
  if ((current === 'alarm' || current === 'warn') && risk >= t.warnAt - t.hysteresis) return 'warn';
  return 'ok';
}
