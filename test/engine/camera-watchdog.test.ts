/**
 * The engine watching its camera: a stream that goes quiet raises the camera
 * alarm within its stall time and engages the fail-safe; frames coming back
 * clear both; each change is in the event log.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmChange } from '../../src/shared/alarms';
import type { StationEngine } from '../../src/engine/station-engine';
import { startEngine } from '../helpers/engine';
import { startMjpegServer, type MjpegServer } from '../helpers/mjpeg-server';
import { DEMO_FRAMES_DIR } from '../helpers/paths';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

describe('camera watchdog', () => {
  const tempDir = useTempDirs();
  let engine: StationEngine | null = null;
  let camera: MjpegServer | null = null;
  afterEach(async () => {
    await engine?.stop();
    await camera?.close();
  });

  it('raises the alarm when frames stop for stallMs, engages the fail-safe, and clears both when they return', async () => {
    const frames = ['00000.jpg', '00001.jpg'].map((f) => readFileSync(join(DEMO_FRAMES_DIR, f)));
    camera = await startMjpegServer({ frames, fps: 20 });
    const dataDir = tempDir();
    // readTimeoutMs far above stallMs: the connection stays up, only the frames stop.
    engine = await startEngine(dataDir, { source: { kind: 'mjpeg', url: camera.url, stallMs: 400, readTimeoutMs: 60_000 } });
    const changes: AlarmChange[] = [];
    engine.on('alarm', (c) => changes.push(c));
    await waitFor('frames', () => engine!.getStatus().frames.classified >= 5);
    expect(engine.getStatus().failSafe.engaged).toBe(false);

    camera.stall();
    await waitFor('the camera alarm', () => engine!.getStatus().alarms.some((a) => a.kind === 'camera'), 5000, 10);
    const status = engine.getStatus();
    // Raised within the watchdog time: the silence it reports is stallMs (0.4 s) plus at most a watchdog tick.
    expect(status.alarms.find((a) => a.id === 'camera')?.message).toMatch(/camera stalled: no frame for 0\.[45] s/);
    expect(status.failSafe).toMatchObject({ engaged: true });
    expect(status.failSafe.reasons[0]).toMatch(/camera stalled/);

    camera.resume();
    await waitFor('the alarm cleared', () => engine!.getStatus().alarms.length === 0);
    expect(engine.getStatus().failSafe.engaged).toBe(false);
    expect(changes.map((c) => `${c.change}:${c.alarm.kind}`)).toEqual(['raised:camera', 'cleared:camera']);

    const events = engine.recentEvents(10).map((e) => `${e.kind}/${e.severity}: ${e.message.replace(/\d\.\d s/, 'N s').replace(/stood \d+ s/, 'stood N s')}`);
    expect(events).toEqual([
      'fail-safe/info: fail-safe released',
      'camera/info: camera sending pictures again; the alarm had stood N s: camera stalled: no frame for N s',
      'fail-safe/alarm: fail-safe engaged: camera stalled: no frame for N s',
      'camera/alarm: camera stalled: no frame for N s',
    ]);
    await engine.stop();
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n).toBe(4);
    db.close();
    engine = null;
  });
});
