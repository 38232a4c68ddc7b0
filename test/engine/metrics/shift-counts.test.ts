/** The operator's counts per shift and for the last hour (local shift times; the clock is passed in). */
import { describe, expect, it } from 'vitest';
import { ShiftCounts, shiftAt } from '../../../src/engine/metrics/shift-counts';

const local = (d: number, h: number, m = 0): Date => new Date(2026, 5, d, h, m);

describe('shiftAt', () => {
  const starts = ['14:00', '06:00', '22:00'];

  it('finds the shift in progress, including the night shift across midnight', () => {
    expect(shiftAt(starts, local(10, 9))).toMatchObject({ name: '06:00–14:00', startedAt: local(10, 6), endsAt: local(10, 14) });
    expect(shiftAt(starts, local(10, 14))).toMatchObject({ name: '14:00–22:00', startedAt: local(10, 14) });
    expect(shiftAt(starts, local(10, 23))).toMatchObject({ name: '22:00–06:00', startedAt: local(10, 22), endsAt: local(11, 6) });
    expect(shiftAt(starts, local(11, 2))).toMatchObject({ name: '22:00–06:00', startedAt: local(10, 22), endsAt: local(11, 6) });
  });

  it('works with one shift a day', () => {
    expect(shiftAt(['07:30'], local(10, 7))).toMatchObject({ name: 'from 07:30', startedAt: local(9, 7, 30), endsAt: local(10, 7, 30) });
  });
});

describe('ShiftCounts', () => {
  it('counts the shift from what the log held, and starts again at the next shift', () => {
    const counts = new ShiftCounts(['06:00', '14:00'], local(10, 13, 58));
    counts.seed({ clean: 100, maybe: 5, pit: 15 }, []);
    counts.record('pit', local(10, 13, 59));
    expect(counts.snapshot(local(10, 13, 59)).shift).toEqual({
      name: '06:00–14:00',
      startedAt: local(10, 6).toISOString(),
      decisions: { clean: 100, maybe: 5, pit: 16 },
      rejectRate: 16 / 121,
    });
    counts.record('clean', local(10, 14, 0));
    expect(counts.snapshot(local(10, 14, 1)).shift).toMatchObject({ name: '14:00–06:00', decisions: { clean: 1, maybe: 0, pit: 0 }, rejectRate: 0 });
  });

  it('keeps the last 60 minutes by the minute', () => {
    const t0 = local(10, 9, 0);
    const minute = (m: number): number => Math.floor(t0.getTime() / 60_000) + m;
    const counts = new ShiftCounts(['06:00'], t0);
    counts.seed({ clean: 0, maybe: 0, pit: 0 }, [
      { minute: minute(-61), decision: 'clean', n: 50 },
      { minute: minute(-30), decision: 'pit', n: 2 },
    ]);
    counts.record('clean', t0);
    expect(counts.snapshot(t0).lastHour).toEqual({ decisions: { clean: 1, maybe: 0, pit: 2 }, rejectRate: 2 / 3 });
    // 31 minutes on, the seeded pits are over an hour old.
    expect(counts.snapshot(new Date(t0.getTime() + 31 * 60_000)).lastHour.decisions).toEqual({ clean: 1, maybe: 0, pit: 0 });
  });
});
