/**
 * Decisions in time or rejected, and the log that keeps them: deadlines,
 * the audit trail of threshold changes, the images kept beside the log, a
 * corrupt database moved aside, and the reject output with its heartbeat on
 * a real serial pair.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { StationEngine } from '../../src/engine/station-engine';
import { startEngine } from '../helpers/engine';
import { DEMO_FRAMES_DIR, DEMO_THRESHOLDS, ROOT } from '../helpers/paths';
import { startMjpegServer } from '../helpers/mjpeg-server';
import { startPtyPair } from '../helpers/socat';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

describe('decisions and the log', () => {
  const tempDir = useTempDirs();
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const start = async (...args: Parameters<typeof startEngine>): Promise<StationEngine> => {
    const engine = await startEngine(...args);
    cleanup.push(() => engine.stop());
    return engine;
  };
  const rows = (dataDir: string, sql: string): Record<string, unknown>[] => {
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };

  it('rejects an item whose model does not answer within the deadline, once, with the reason', async () => {
    const dataDir = tempDir();
    const engine = await start(
      dataDir,
      { source: { kind: 'replay', fps: 5 }, decision: { deadlineMs: 150 }, sensors: { sources: [] } },
      { inferenceWorker: { file: join(ROOT, 'test', 'fixtures', 'slow-worker.ts'), execArgv: ['--require', 'tsx/cjs'] } },
    );
    await waitFor('ten frames decided', () => engine.getStatus().decisions.pit >= 10, 20_000);
    const late = engine.getRecentInspections(50).filter((i) => i.failSafeReason);
    expect(late.length).toBeGreaterThanOrEqual(10);
    for (const i of late) {
      expect(i.decision).toBe('pit');
      expect(i.failSafeReason).toMatch(/deadline failed: no decision within 150 ms of capture/);
    }
    await engine.stop();
    cleanup.length = 0;
    // Exactly one decision per frame: the late verdicts that came after the deadline were not logged again.
    const logged = rows(dataDir, 'SELECT frame_id, COUNT(*) AS n FROM inspections GROUP BY frame_id HAVING n > 1');
    expect(logged).toEqual([]);
  });

  it('changes thresholds from the next frame on, with who, when, what and why in an append-only audit trail', async () => {
    const dataDir = tempDir();
    const engine = await start(dataDir, { source: { kind: 'replay', fps: 20 }, sensors: { sources: [] } });
    await waitFor('frames', () => engine.getStatus().frames.classified > 3);
    engine.setThresholds({ pit: 0.6, maybe: 0.3 }, 'tech-anna', 'more recall this season');
    expect(engine.getStatus().thresholds).toEqual({ pit: 0.6, maybe: 0.3 });
    const [entry] = engine.auditTrail(5);
    expect(entry).toMatchObject({
      actor: 'tech-anna',
      subject: 'thresholds',
      old: DEMO_THRESHOLDS,
      new: { pit: 0.6, maybe: 0.3 },
      reason: 'more recall this season',
    });
    expect(new Date(entry!.at).toISOString()).toBe(entry!.at); // UTC
    const db = new Database(join(dataDir, 'linesight.sqlite'));
    expect(() => db.prepare("UPDATE audit SET actor = 'someone else'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    db.close();
  });

  it('keeps the images of rejects and maybes, and one clean frame in N, beside the rows that name them', async () => {
    const dataDir = tempDir();
    const engine = await start(dataDir, {
      source: { kind: 'replay', fps: 40, loop: false, limit: 60 },
      storage: { images: { cleanSampleEvery: 10 } },
      sensors: { sources: [] },
    });
    await waitFor(
      'the replay done',
      () => engine.getStatus().source.state === 'finished' && engine.getStatus().database.pendingRows === 0 && engine.getStatus().frames.seen === 60,
      20_000,
    );
    await engine.stop();
    cleanup.length = 0;
    const kept = rows(dataDir, 'SELECT decision, image_path FROM inspections WHERE image_path IS NOT NULL');
    const all = rows(dataDir, 'SELECT decision FROM inspections');
    const pits = all.filter((r) => r['decision'] !== 'clean').length;
    const cleans = all.length - pits;
    expect(kept.filter((r) => r['decision'] !== 'clean').length).toBe(pits);
    expect(kept.filter((r) => r['decision'] === 'clean').length).toBe(Math.ceil(cleans / 10));
    for (const r of kept) {
      const file = join(dataDir, String(r['image_path']));
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
  });

  it('moves a corrupt database aside, starts a new one and says so', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'linesight.sqlite'), Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 7)]));
    const engine = await start(dataDir, { source: { kind: 'replay', fps: 10 }, sensors: { sources: [] } });
    expect(engine.getStatus().lastError).toMatch(/database failed its check and was moved aside to .*linesight\.corrupt-.*\.sqlite/);
    expect(readdirSync(dataDir).some((n) => /^linesight\.corrupt-.*\.sqlite$/.test(n))).toBe(true);
    await waitFor('new rows', () => engine.getStatus().database.rowsWritten > 0);
    // Listed in status; with no upload target it is only kept (test/attack/storage.test.ts uploads from one).
    const aside = await waitFor('the moved-aside file in status', () => engine.getStatus().database.movedAside[0]);
    expect(aside).toMatchObject({ state: 'no-targets', file: expect.stringMatching(/linesight\.corrupt-.*\.sqlite$/) });
  });

  it('sends each decision to the sorter over a serial line, with a heartbeat that stops when the camera stalls', async () => {
    const ptys = await startPtyPair(tempDir());
    cleanup.push(() => ptys.close());
    const { SerialPort } = await import('serialport');
    const sorter = new SerialPort({ path: ptys.a, baudRate: 115_200 });
    let heard = '';
    sorter.on('data', (d: Buffer) => (heard += d.toString()));
    cleanup.push(() => new Promise<void>((r) => sorter.close(() => r())));
    const camera = await startMjpegServer({
      frames: ['00000.jpg', '00001.jpg', '00002.jpg', '00005.jpg'].map((f) => readFileSync(join(DEMO_FRAMES_DIR, f))),
      fps: 20,
    });
    cleanup.push(() => camera.close());
    const engine = await start(tempDir(), {
      source: { kind: 'mjpeg', url: camera.url, stallMs: 400, readTimeoutMs: 60_000 },
      output: { kind: 'serial', path: ptys.b, heartbeatMs: 50 },
      sensors: { sources: [] },
    });
    await waitFor('frames decided', () => engine.getStatus().decisions.pit >= 3 && engine.getStatus().decisions.clean >= 3, 20_000);
    const rejects = engine.getRecentInspections(100).filter((i) => i.decision === 'pit');
    await waitFor('every reject sent', () => rejects.every((i) => heard.includes(`REJECT ${i.frameId}\n`)));
    const cleans = engine.getRecentInspections(100).filter((i) => i.decision === 'clean');
    expect(cleans.some((i) => heard.includes(` ${i.frameId}\n`))).toBe(false); // nothing is sent for a clean item
    await waitFor('a heartbeat', () => heard.includes('ALIVE\n'));
    expect(engine.getStatus().output).toMatchObject({ kind: 'serial', state: 'ready', heartbeat: true });

    camera.stall();
    await waitFor('the fail-safe', () => engine.getStatus().failSafe.engaged, 5000, 10);
    await new Promise((r) => setTimeout(r, 100)); // a heartbeat already on the wire arrives
    const stalledAt = heard.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(heard.slice(stalledAt)).not.toMatch(/ALIVE/); // silent: the sorter rejects everything on its own
    expect(engine.getStatus().output.heartbeat).toBe(false);

    camera.resume();
    await waitFor('the heartbeat back', () => heard.slice(stalledAt).includes('ALIVE\n'), 5000, 10);
  });
});
