/**
 * The alarms standing now, one per cause. Raising an alarm that stands only
 * updates its message (no new event); a change of severity, a raise and a
 * clear are each reported once. Pure: the clock is injected.
 */
import type { Alarm, AlarmChange, AlarmKind } from '../../shared/alarms';

export class AlarmBoard {
  private readonly alarms = new Map<string, Alarm>();

  constructor(
    private readonly onChange: (change: AlarmChange) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  raise(id: string, kind: AlarmKind, severity: Alarm['severity'], message: string, note?: string): void {
    const standing = this.alarms.get(id);
    const noted = note !== undefined ? { note } : {};
    if (standing && standing.severity === severity) {
      const { note: _old, ...rest } = standing;
      this.alarms.set(id, { ...rest, message, ...noted });
      return;
    }
    const at = this.now().toISOString();
    const alarm: Alarm = { id, kind, severity, message, ...noted, since: standing?.since ?? at };
    this.alarms.set(id, alarm);
    this.onChange({ change: standing ? 'changed' : 'raised', alarm, at });
  }

  /** Clears the alarm; `resolution` says what is true now (shared/alarms.ts ALARM_CLEARED says it by kind otherwise). */
  clear(id: string, resolution?: string): void {
    const standing = this.alarms.get(id);
    if (!standing) return;
    this.alarms.delete(id);
    this.onChange({ change: 'cleared', alarm: standing, at: this.now().toISOString(), ...(resolution !== undefined ? { resolution } : {}) });
  }

  has(kind: AlarmKind): boolean {
    return [...this.alarms.values()].some((a) => a.kind === kind);
  }

  list(): Alarm[] {
    return [...this.alarms.values()];
  }
}
