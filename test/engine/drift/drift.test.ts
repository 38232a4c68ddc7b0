/**
 * Drift (issue 16): the two-sample KS test per window and Page–Hinkley on a rate (src/engine/drift/score-drift.ts),
 * on the demo model's real scores — the demo line's frames, and the same frames brightened — and on the running station: a replay whose brightness shifts halfway raises the drift alarm within
 * a stated number of items, and 20,000 items drawn from the unshifted line raise none (the false alarms counted).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { scoreRejects } from '../../../src/engine/evaluation/score-images';
import { loadImagePackage } from '../../../src/engine/model-package';
import { ksCritical, ksStatistic, PageHinkley, ScoreDrift } from '../../../src/engine/drift/score-drift';
import { useRunningEngines } from '../../helpers/engine';
import { DEMO_FRAMES_DIR, DEMO_MODEL_DIR } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const FRAMES = readdirSync(DEMO_FRAMES_DIR)
  .filter((f) => f.endsWith('.jpg'))
  .sort();
const brighten = (jpeg: Buffer): Promise<Buffer> => sharp(jpeg).modulate({ brightness: 1.5 }).jpeg({ quality: 90 }).toBuffer();

describe('the drift tests, pure', () => {
  it('computes the KS statistic and its critical value', () => {
    expect(ksStatistic([0.1, 0.2, 0.3], [0.1, 0.2, 0.3])).toBe(0);
    expect(ksStatistic([0.1, 0.2], [0.8, 0.9])).toBe(1);
    expect(ksStatistic([0.1, 0.2, 0.3, 0.4], [0.3, 0.4, 0.5, 0.6])).toBe(0.5);
    // c(0.05) = 1.358 for large samples.
    expect(ksCritical(0.05, 1e9, 1e9) * Math.sqrt(1e9 / 2)).toBeCloseTo(1.358, 3);
  });

  it('Page–Hinkley stays quiet on a steady rate and flags a lasting rise', () => {
    const rnd = seedrandom('ph');
    const ph = new PageHinkley(0.02, 60);
    let falseAlarms = 0;
    for (let i = 0; i < 20_000; i++) if (ph.add(rnd() < 0.2 ? 1 : 0)) falseAlarms++;
    expect(falseAlarms).toBe(0);
    let after = -1;
    for (let i = 0; i < 5_000 && after < 0; i++) if (ph.add(rnd() < 0.4 ? 1 : 0)) after = i;
    expect(after).toBeGreaterThanOrEqual(0);
    expect(after).toBeLessThan(1_000);
  });
});

describe('score drift on the demo model', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  it('flags brightened frames within one window, and no window of 20,000 unshifted items against the line’s first two windows (false alarms: 0)', async () => {
    const pkg = await loadImagePackage(DEMO_MODEL_DIR);
    const pictures = FRAMES.map((f) => readFileSync(join(DEMO_FRAMES_DIR, f)));
    const normal = Array.from(await scoreRejects(pkg, pictures));
    const bright = Array.from(await scoreRejects(pkg, await Promise.all(pictures.map(brighten))));

    // The line's own first two windows are the reference (drift.reference "line"): drawn apart from what is tested.
    const rnd = seedrandom('drift');
    const baseline = Array.from({ length: 1000 }, () => normal[Math.floor(rnd() * normal.length)]!);
    const drift = new ScoreDrift(baseline, { window: 500, alpha: 0.001 });
    let windows = 0;
    let falseAlarms = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = drift.add(normal[Math.floor(rnd() * normal.length)]!);
      if (v) {
        windows++;
        if (v.drifted) falseAlarms++;
      }
    }
    expect(windows).toBe(40);
    expect(falseAlarms).toBe(0);

    let flaggedAfter = -1;
    for (let i = 0; i < 2_000 && flaggedAfter < 0; i++) if (drift.add(bright[Math.floor(rnd() * bright.length)]!)?.drifted) flaggedAfter = i + 1;
    // The first window made only of shifted items: 500.
    expect(flaggedAfter).toBe(500);
  }, 60_000);

  it('raises the drift alarm on the station when the replay brightens halfway, and says what moved', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'frames'));
    const files: string[] = [];
    for (const f of FRAMES) {
      const path = join(dir, 'frames', `a-${f}`);
      writeFileSync(path, readFileSync(join(DEMO_FRAMES_DIR, f)));
      files.push(path);
    }
    for (const f of FRAMES) {
      const path = join(dir, 'frames', `b-${f}`);
      writeFileSync(path, await brighten(readFileSync(join(DEMO_FRAMES_DIR, f))));
      files.push(path);
    }
    const engine = await engines.start(dir, {
      source: { kind: 'replay', files, fps: 150, loop: false },
      sensors: { sources: [] },
      drift: { window: 100, alpha: 0.001, rateDelta: 0.02, rateLambda: 60 },
    });
    const alarm = await waitFor(
      'the drift alarm',
      () => engine.getStatus().alarms.find((a) => a.kind === 'drift' && a.message.startsWith('score drift since')),
      60_000,
    );
    // Raised on the brightened half, not before: the shift came at item 300.
    expect(engine.getStatus().frames.classified).toBeGreaterThan(300);
    expect(alarm.message).toMatch(
      /the last 100 scores differ from the line's first scores under this model \(KS [\d.]+ > [\d.]+; mean [\d.]+, (up|down) from [\d.]+\)/,
    );
    expect(alarm.severity).toBe('warning');
    expect(engine.getStatus().failSafe.engaged).toBe(false);
  }, 90_000);
});

describe('the drift monitor', () => {
  it('raises a reject-rate alarm when rejects rise lastingly, and clears it once they rise no further', async () => {
    const { AlarmBoard } = await import('../../../src/engine/alarms/alarm-board');
    const { DriftMonitor } = await import('../../../src/engine/drift/drift-monitor');
    const { DriftConfigSchema } = await import('../../../src/shared/config');
    const alarms = new AlarmBoard(() => {});
    const monitor = new DriftMonitor({ config: DriftConfigSchema.parse({}), alarms, calibrationScores: () => null });
    const rnd = seedrandom('monitor');
    const item = (p: number, at: number) => ({
      model: { name: 'm', version: '1' },
      decision: rnd() < p ? ('pit' as const) : ('clean' as const),
      rejectScore: null,
      failSafe: false,
      at,
    });
    for (let i = 0; i < 3000; i++) monitor.observe(item(0.1, i));
    expect(alarms.list().filter((a) => a.kind === 'drift')).toEqual([]);
    for (let i = 0; i < 1000; i++) monitor.observe(item(0.5, 3000 + i));
    expect(alarms.list().find((a) => a.kind === 'drift')?.message).toMatch(/^reject rate drift: the share of items rejected rose lastingly/);
    // No score test without a reference: nothing to draw.
    expect(monitor.windows()).toMatchObject({ hasReference: false, points: [] });
    // While the rate stays high the alarm stands; once it is back where it stood, it clears.
    for (let i = 0; i < 3000; i++) monitor.observe(item(0.5, 4000 + i));
    expect(alarms.list().some((a) => a.kind === 'drift' && a.message.startsWith('reject rate'))).toBe(true);
    for (let i = 0; i < 3000; i++) monitor.observe(item(0.1, 7000 + i));
    expect(alarms.list().filter((a) => a.kind === 'drift' && a.message.startsWith('reject rate'))).toEqual([]);
  });
});
