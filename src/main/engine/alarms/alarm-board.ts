/**
 * The alarms standing now, one per cause. Raising an alarm that stands only
 * updates its message (no new event); a change of severity, a raise and a
 * clear are each reported once. Pure: the clock is injected.
 */
import type { Alarm, AlarmChange, AlarmKind } from '../../../shared/alarms';

export class AlarmBoard {
  private readonly alarms = new Map<string, Alarm>();

  constructor(
    private readonly onChange: (change: AlarmChange) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  raise(id: string, kind: AlarmKind, severity: Alarm['severity'], message: string): void {
    const standing = this.alarms.get(id);
    if (standing && standing.severity === severity) {
      this.alarms.set(id, { ...standing, message });
      return;
    }
    const at = this.now().toISOString();
    const alarm: Alarm = { id, kind, severity, message, since: standing?.since ?? at };
    this.alarms.set(id, alarm);
    this.onChange({ change: standing ? 'changed' : 'raised', alarm, at });
  }

  clear(id: string): void {
    const standing = this.alarms.get(id);
    if (!standing) return;
    this.alarms.delete(id);
    this.onChange({ change: 'cleared', alarm: standing, at: this.now().toISOString() });
  }

  has(kind: AlarmKind): boolean {
    return [...this.alarms.values()].some((a) => a.kind === kind);
  }

  list(): Alarm[] {
    return [...this.alarms.values()];
  }
}
