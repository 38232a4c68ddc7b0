/** The desktop app starts itself again after a fatal error, a bounded number of times (src/main/relaunch.ts). */
import { describe, expect, it } from 'vitest';
import { MAX_RELAUNCHES, relaunchOnFatal, relaunchPlan, WINDOW_MS } from '../../src/main/relaunch';
import type { Logger } from '../../src/engine/logger';
import { FakeApp } from './fakes/fake-electron';

const quiet = (): Logger & { errors: string[] } => {
  const errors: string[] = [];
  return { errors, info: () => {}, warn: () => {}, error: (m: string) => void errors.push(m) };
};

describe('relaunch after a fatal error', () => {
  it('stops the engine, then starts again with its own arguments and the time of this start', async () => {
    const app = new FakeApp('/tmp/user-data', '/tmp/app');
    const logger = quiet();
    let stopped = 0;
    const handler = relaunchOnFatal(
      app,
      logger,
      ['.', '--config', 'plant.json'],
      async () => void stopped++,
      () => 1_000_000,
    );
    await handler(new Error('boom'));
    expect(stopped).toBe(1);
    expect(app.relaunched).toEqual([{ args: ['.', '--config', 'plant.json', '--relaunched-at=1000000'] }]);
    expect(app.exitCode).toBe(1);
    expect(logger.errors[0]).toMatch(/fatal error, the app starts again: Error: boom/);
    await handler(new Error('again, while handling')); // one relaunch per process
    expect(app.relaunched).toHaveLength(1);
  });

  it(`stays down after ${MAX_RELAUNCHES} fatal errors within the window, and counts only those inside it`, () => {
    let argv: readonly string[] = ['--data-dir', 'd'];
    let now = 0;
    for (let i = 1; i <= MAX_RELAUNCHES; i++) {
      now += 1000;
      const plan = relaunchPlan(argv, now);
      expect(plan.args, `start ${i}`).not.toBeNull();
      argv = plan.args!;
    }
    expect(relaunchPlan(argv, now + 1000)).toEqual({ args: null, recent: MAX_RELAUNCHES + 1 });
    // Long after: the old starts no longer count.
    const later = relaunchPlan(argv, now + WINDOW_MS + 1);
    expect(later.args).toEqual(['--data-dir', 'd', `--relaunched-at=${now + WINDOW_MS + 1}`]);
  });

  it('starts an AppImage again from its file, not from the mount that goes with this process', async () => {
    const app = new FakeApp('/tmp/user-data', '/tmp/app');
    const before = process.env['APPIMAGE'];
    process.env['APPIMAGE'] = '/opt/LineSight-0.1.0.AppImage';
    try {
      await relaunchOnFatal(
        app,
        quiet(),
        [],
        async () => {},
        () => 5,
      )('boom');
    } finally {
      if (before === undefined) delete process.env['APPIMAGE'];
      else process.env['APPIMAGE'] = before;
    }
    expect(app.relaunched).toEqual([{ args: ['--relaunched-at=5'], execPath: '/opt/LineSight-0.1.0.AppImage' }]);
  });

  it('leaves the app closed, saying why, when it would loop', async () => {
    const app = new FakeApp('/tmp/user-data', '/tmp/app');
    const logger = quiet();
    const stamps = Array.from({ length: MAX_RELAUNCHES }, (_, i) => 1000 + i).join(',');
    await relaunchOnFatal(
      app,
      logger,
      [`--relaunched-at=${stamps}`],
      async () => {},
      () => 2000,
    )('boom');
    expect(app.relaunched).toEqual([]);
    expect(app.exitCode).toBe(1);
    expect(logger.errors[1]).toMatch(/6 fatal errors within 10 minutes: the app stays closed/);
  });
});
