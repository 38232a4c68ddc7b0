import { describe, expect, it } from 'vitest';
import { environmentMultiplier, riskOf } from '../../../src/engine/sensors/health/environment';
import { nextHealth, type HealthLevel } from '../../../src/engine/sensors/health/health-state';
import { holdLevel, type PendingLevel } from '../../../src/engine/sensors/health/level-hold';
import { alarmEventMessage } from '../../../src/engine/alarms/alarm-event-message';
import { SimulatedMachineSource } from '../../../src/engine/sensors/simulated-machine-sensor';
import { SimulatedSensorSchema } from '../../../src/shared/sensor-config';
import { waitFor } from '../../helpers/wait';

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

describe('a health level held before it is reported (issue 12)', () => {
  const HOLD = 10_000;
  /** Evaluations at the times given (ms) with the levels the model gave; what was reported after each. */
  const run = (steps: [number, HealthLevel][], start: HealthLevel = 'ok'): HealthLevel[] => {
    let reported = start;
    let pending: PendingLevel | null = null;
    return steps.map(([at, level]) => {
      const step = holdLevel(reported, level, pending, at, HOLD);
      pending = step.pending;
      if (step.report) reported = step.report;
      return reported;
    });
  };

  it('raises nothing for a spike shorter than the hold', () => {
    expect(
      run([
        [0, 'alarm'],
        [5000, 'alarm'],
        [9000, 'ok'],
        [15_000, 'ok'],
        [30_000, 'ok'],
      ]),
    ).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('reports a level that held, counting at risk and high risk alike, and the level it is at when the hold ends', () => {
    expect(
      run([
        [0, 'warn'],
        [4000, 'alarm'],
        [8000, 'warn'],
        [10_000, 'alarm'],
        [12_000, 'alarm'],
      ]),
    ).toEqual(['ok', 'ok', 'ok', 'alarm', 'alarm']);
  });

  it('holds the way back to ok too, and starts over when the old level returns', () => {
    expect(
      run(
        [
          [0, 'ok'],
          [6000, 'alarm'],
          [7000, 'ok'],
          [16_000, 'ok'],
          [17_000, 'ok'],
        ],
        'alarm',
      ),
    ).toEqual(['alarm', 'alarm', 'alarm', 'alarm', 'ok']);
  });

  it('reports ok at once after unknown, but not an alarm', () => {
    expect(run([[0, 'ok']], 'unknown')).toEqual(['ok']);
    expect(
      run(
        [
          [0, 'alarm'],
          [5000, 'alarm'],
          [10_000, 'alarm'],
        ],
        'unknown',
      ),
    ).toEqual(['unknown', 'unknown', 'alarm']);
  });

  it('reports at once with no hold', () => {
    expect(holdLevel('ok', 'alarm', null, 0, 0)).toEqual({ report: 'alarm', pending: null });
  });
});

describe('what the event log says of an alarm (issue 12)', () => {
  const health = {
    id: 'health',
    kind: 'health' as const,
    severity: 'warning' as const,
    message: 'machine health: at risk (risk 0.52)',
    since: '2026-12-06T10:00:00.000Z',
  };

  it('leads a clear with what is true now, then how long the alarm stood and what it said', () => {
    expect(alarmEventMessage({ change: 'cleared', alarm: health, at: '2026-12-06T10:02:10.000Z' })).toBe(
      'machine health back to ok; the alarm had stood 2 min 10 s: machine health: at risk (risk 0.52)',
    );
    expect(
      alarmEventMessage({
        change: 'cleared',
        alarm: health,
        at: '2026-12-06T10:00:07.000Z',
        resolution: 'machine health unknown (no sensor is delivering readings)',
      }),
    ).toBe('machine health unknown (no sensor is delivering readings); the alarm had stood 7 s: machine health: at risk (risk 0.52)');
    expect(alarmEventMessage({ change: 'cleared', alarm: { ...health, kind: 'camera', message: 'camera down' }, at: '2026-12-06T10:00:01.000Z' })).toMatch(
      /^camera sending pictures again;/,
    );
  });

  it('says a raised alarm as it is, with its note', () => {
    expect(alarmEventMessage({ change: 'raised', alarm: health, at: health.since })).toBe('machine health: at risk (risk 0.52)');
    expect(alarmEventMessage({ change: 'raised', alarm: { ...health, note: 'Demo: simulated bearing wear, not a real fault.' }, at: health.since })).toBe(
      'machine health: at risk (risk 0.52) (Demo: simulated bearing wear, not a real fault.)',
    );
  });
});

describe('the simulated machine (the demo default, issue 12)', () => {
  it('announces each wear episode before it begins, when it begins and when it ends, once per cycle, and wears only then', async () => {
    const source = new SimulatedMachineSource(
      SimulatedSensorSchema.parse({ kind: 'simulated', id: 'sim', speed: 100, wear: { cycleS: 30, startS: 10, rampS: 2, holdS: 8, announceS: 5 } }),
    );
    const notices: { message: string; at: number }[] = [];
    const rms = { before: [] as number[], during: [] as number[] };
    const notes: (string | null)[] = [];
    let n = 0;
    source.watchNotices((message) => notices.push({ message, at: n }));
    source.start((r) => {
      // Sample n is at n / 200 s of simulated time: before the wear (2–9 s of a cycle) or at full wear (12–20 s).
      const t = (n++ / 200) % 30;
      if (t > 2 && t < 9) rms.before.push(r.values['vibration_g']! ** 2);
      if (t > 12 && t < 20) rms.during.push(r.values['vibration_g']! ** 2);
      if (n % 200 === 0) notes.push(source.note());
      expect(Object.keys(r.values).sort()).toEqual(['humidity_pct', 'temperature_c', 'vibration_g']);
    });
    await waitFor('two cycles of the simulated machine', () => n >= 2 * 30 * 200, 10_000, 20);
    await source.stop();

    const kinds = notices.map((x) => x.message.replace(/^demo: (simulated bearing wear begins (now|at)|the simulated bearing was replaced).*$/, '$1'));
    expect(kinds.slice(0, 6)).toEqual([
      'simulated bearing wear begins at',
      'simulated bearing wear begins now',
      'the simulated bearing was replaced',
      'simulated bearing wear begins at',
      'simulated bearing wear begins now',
      'the simulated bearing was replaced',
    ]);
    // Each at its point of the cycle: 5 s before the wear, at 10 s, at 20 s (200 samples a simulated second).
    expect(notices.slice(0, 3).map((x) => x.at)).toEqual([5 * 200, 10 * 200, 20 * 200]);
    expect(notices[0]!.message).toMatch(/lasts 0 s: .* It is not a real fault\.$/);
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    expect(Math.sqrt(mean(rms.during))).toBeGreaterThan(1.3 * Math.sqrt(mean(rms.before)));
    // Asked each simulated second (1 … 30, the 30th being the next cycle's start): the note stands from the
    // announcement (5 s) to a while after the end (here, the rest of the cycle), and not before it.
    expect(notes.slice(0, 30).map((x) => x !== null)).toEqual(Array.from({ length: 30 }, (_, k) => k + 1 > 5 && k + 1 < 30));
    expect(source.description).toMatch(
      /^simulated machine \(demo\): healthy, with bearing wear simulated for 10 s 10 s into every 30 s, announced 5 s ahead, at ×100$/,
    );
  });
});
