/**
 * Decisions counted for the operator: the shift in progress (shifts start at
 * the configured local times) and the last 60 minutes, by the minute. Seeded
 * from the log at start, so a restart mid-shift keeps the shift's counts.
 * Pure: the clock is passed in.
 */
import type { Decision } from '../../shared/decision';
import type { DecisionCounts } from '../../shared/status';

export interface Shift {
  readonly name: string;
  readonly startedAt: Date;
  readonly endsAt: Date;
}

const MINUTE_MS = 60_000;
const zero = (): DecisionCounts => ({ clean: 0, maybe: 0, pit: 0 });
const rejectRate = (c: DecisionCounts): number => {
  const n = c.clean + c.maybe + c.pit;
  return n === 0 ? 0 : c.pit / n;
};

/** The shift that `at` falls in, for shift starts given as local "HH:MM". */
export function shiftAt(starts: readonly string[], at: Date): Shift {
  const minutes = starts.map((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))).sort((a, b) => a - b);
  const onDay = (day: Date, m: number): Date => new Date(day.getFullYear(), day.getMonth(), day.getDate(), Math.floor(m / 60), m % 60);
  const yesterday = new Date(at.getFullYear(), at.getMonth(), at.getDate() - 1);
  const tomorrow = new Date(at.getFullYear(), at.getMonth(), at.getDate() + 1);
  // Every start from yesterday to tomorrow: the shift is between the last one passed and the next.
  const candidates = [yesterday, at, tomorrow].flatMap((day) => minutes.map((m) => onDay(day, m)));
  let index = 0;
  for (let i = 0; i < candidates.length; i++) if (candidates[i]!.getTime() <= at.getTime()) index = i;
  const startedAt = candidates[index]!;
  const endsAt = candidates[index + 1]!;
  const hhmm = (d: Date): string => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  // One start a day: a 24-hour shift, named by its start.
  const name = minutes.length === 1 ? `from ${hhmm(startedAt)}` : `${hhmm(startedAt)}–${hhmm(endsAt)}`;
  return { name, startedAt, endsAt };
}

export class ShiftCounts {
  private shift: Shift;
  private shiftCounts = zero();
  /** Epoch minute → counts in that minute; only the last 60 are kept. */
  private readonly minutes = new Map<number, DecisionCounts>();

  constructor(
    private readonly starts: readonly string[],
    now: Date,
  ) {
    this.shift = shiftAt(starts, now);
  }

  get current(): Shift {
    return this.shift;
  }

  /** Counts already in the log: the shift's so far, and per minute over the last hour. */
  seed(shift: DecisionCounts, perMinute: readonly { minute: number; decision: Decision; n: number }[]): void {
    this.shiftCounts = { ...shift };
    for (const m of perMinute) this.bucket(m.minute)[m.decision] += m.n;
  }

  record(decision: Decision, at: Date): void {
    this.roll(at);
    this.shiftCounts[decision]++;
    this.bucket(Math.floor(at.getTime() / MINUTE_MS))[decision]++;
  }

  snapshot(now: Date): {
    shift: { name: string; startedAt: string; decisions: DecisionCounts; rejectRate: number };
    lastHour: { decisions: DecisionCounts; rejectRate: number };
  } {
    this.roll(now);
    const hour = zero();
    const first = Math.floor(now.getTime() / MINUTE_MS) - 59;
    for (const [minute, c] of this.minutes) {
      if (minute < first) continue;
      hour.clean += c.clean;
      hour.maybe += c.maybe;
      hour.pit += c.pit;
    }
    return {
      shift: {
        name: this.shift.name,
        startedAt: this.shift.startedAt.toISOString(),
        decisions: { ...this.shiftCounts },
        rejectRate: rejectRate(this.shiftCounts),
      },
      lastHour: { decisions: hour, rejectRate: rejectRate(hour) },
    };
  }

  /** A new shift starts from zero; minutes older than an hour are dropped. */
  private roll(now: Date): void {
    if (now.getTime() >= this.shift.endsAt.getTime()) {
      this.shift = shiftAt(this.starts, now);
      this.shiftCounts = zero();
    }
    const first = Math.floor(now.getTime() / MINUTE_MS) - 59;
    for (const minute of this.minutes.keys()) if (minute < first) this.minutes.delete(minute);
  }

  private bucket(minute: number): DecisionCounts {
    let c = this.minutes.get(minute);
    if (!c) this.minutes.set(minute, (c = zero()));
    return c;
  }
}
