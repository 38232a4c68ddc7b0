/**
 * Attacks from the camera side and the data folder (issue 11, items 10, 11
 * and 12): empty, unreadable and oversized files in the hot folder, a camera
 * sending 19 MB frames, and a second station on the same data folder. Every
 * item a source delivers gets a decision and an output command; memory stays
 * bounded; only pictures are kept as pictures; one station per folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import type { StationStatus } from '../../src/shared/status';
import { OWNER_FILE } from '../../src/engine/data-dir-lock';
import { startEngine } from '../helpers/engine';
import { startMjpegServer } from '../helpers/mjpeg-server';
import { DEMO_FRAMES_DIR } from '../helpers/paths';
import { startPtyPair } from '../helpers/socat';
import { runStation, startStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const decided = (s: StationStatus): number => s.decisions.clean + s.decisions.maybe + s.decisions.pit;
const demoJpeg = readFileSync(join(DEMO_FRAMES_DIR, '00000.jpg'));

interface Row {
  frame_id: number;
  origin: string;
  decision: string;
  fail_safe_reason: string | null;
  image_path: string | null;
}

describe('attacks from the camera and the data folder', () => {
  const tempDir = useTempDirs();
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('decides every file of a hot folder, empty, oversized and junk ones included, with an output command each; only pictures are kept', async () => {
    const ptys = await startPtyPair(tempDir());
    cleanup.push(() => ptys.close());
    const sorter = new SerialPort({ path: ptys.a, baudRate: 115_200 });
    let heard = '';
    sorter.on('data', (d: Buffer) => (heard += d.toString()));
    cleanup.push(() => new Promise<void>((r) => sorter.close(() => r())));
    const folder = join(tempDir(), 'incoming');
    mkdirSync(folder);
    const dataDir = tempDir();
    const engine = await startEngine(dataDir, {
      source: { kind: 'hot-folder', dir: folder, settleMs: 50, afterRead: 'delete', stallMs: 600_000, maxFrameBytes: 1_000_000 },
      output: { kind: 'serial', path: ptys.b },
      sensors: { sources: [] },
    });
    cleanup.push(() => engine.stop());
    writeFileSync(join(folder, 'a-good.jpg'), demoJpeg);
    writeFileSync(join(folder, 'b-empty.jpg'), Buffer.alloc(0));
    writeFileSync(join(folder, 'c-huge.jpg'), Buffer.alloc(2_000_000, 0x41));
    writeFileSync(join(folder, 'd-junk.jpg'), Buffer.from('this is not a picture at all'));
    // A pipe: reading it would wait for ever for a writer that never comes.
    execFileSync('mkfifo', [join(folder, 'e-pipe.jpg')]);
    await waitFor('five decisions', () => decided(engine.getStatus()) === 5, 20_000);
    await engine.stop();

    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT frame_id, origin, decision, fail_safe_reason, image_path FROM inspections ORDER BY seq').all() as Row[];
    db.close();
    const byFile = new Map(rows.map((r) => [r.origin.replace('hot-folder:', ''), r]));
    expect([...byFile.keys()].sort()).toEqual(['a-good.jpg', 'b-empty.jpg', 'c-huge.jpg', 'd-junk.jpg', 'e-pipe.jpg']);
    expect(byFile.get('e-pipe.jpg')!.fail_safe_reason).toMatch(/e-pipe\.jpg is not a regular file: not read/);
    expect(byFile.get('b-empty.jpg')).toMatchObject({ decision: 'pit', image_path: null });
    expect(byFile.get('b-empty.jpg')!.fail_safe_reason).toMatch(/source failed: .*b-empty\.jpg is empty/);
    expect(byFile.get('c-huge.jpg')!.fail_safe_reason).toMatch(/2000000 bytes, over source\.maxFrameBytes \(1000000\): not read/);
    expect(byFile.get('c-huge.jpg')!.image_path).toBeNull();
    expect(byFile.get('d-junk.jpg')!.fail_safe_reason).toMatch(/decode failed/);
    // Bytes that are no picture are not kept as one.
    expect(byFile.get('d-junk.jpg')!.image_path).toBeNull();
    // The sorter heard a reject for every item rejected.
    for (const r of rows.filter((x) => x.decision === 'pit')) await waitFor(`REJECT ${r.frame_id}`, () => heard.includes(`REJECT ${r.frame_id}\n`));
    expect(engine.getStatus().source.rejected).toBe(3);
  });

  it('takes a camera sending 19 MB frames without growing without bound, and rejects a frame over maxFrameBytes as an item', async () => {
    // A real JPEG with 19 MB after its end marker: as valid as any frame, and as heavy as the attack's.
    const heavy = Buffer.concat([demoJpeg, Buffer.alloc(19_000_000, 0x20)]);
    const huge = Buffer.concat([demoJpeg, Buffer.alloc(30_000_000, 0x20)]);
    const camera = await startMjpegServer({ frames: [heavy, heavy, heavy, huge], fps: 4 });
    cleanup.push(() => camera.close());
    const engine = await startEngine(tempDir(), {
      source: { kind: 'mjpeg', url: camera.url, readTimeoutMs: 30_000, stallMs: 10_000, maxFrameBytes: 25_000_000 },
      sensors: { sources: [] },
      decision: { deadlineMs: 5000, staleMs: 10_000 },
      storage: { images: { rejects: false, maybes: false, cleanSampleEvery: 0 } },
    });
    cleanup.push(() => engine.stop());
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const meter = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    cleanup.push(() => clearInterval(meter));
    await waitFor(
      '20 frames decided, one in four over the limit',
      () => decided(engine.getStatus()) >= 20 && engine.getStatus().source.rejected >= 4,
      60_000,
      100,
    );
    clearInterval(meter);
    const status = engine.getStatus();
    // 64 frames of 19 MB were 1.2 GB in the frame memory; now it holds at most 32 MB of pictures, twice.
    expect(peak - rss0).toBeLessThan(600 * 1024 * 1024);
    const rejected = engine.getRecentInspections(100).filter((i) => i.failSafeReason?.includes('over the 25000000-byte limit'));
    expect(rejected.length).toBeGreaterThanOrEqual(4);
    expect(status.frames.classified).toBeGreaterThanOrEqual(12);
  });

  it('refuses a second station on the same data folder, naming the first; the folder is free again once the first is stopped or killed', async () => {
    const dataDir = tempDir();
    const first = await startStation(['--port', '0', '--data-dir', dataDir]);
    try {
      const second = await runStation(['--port', '0', '--data-dir', dataDir]);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(new RegExp(`another LineSight station is using the data folder .*: process ${first.child.pid} on .* \\(.*station\\.js`));
      expect(first.child.exitCode).toBeNull();
    } finally {
      expect(await first.stop()).toBe(0);
    }
    // A station that stopped gives the folder back; one that was killed does too, at once.
    expect(existsSync(join(dataDir, OWNER_FILE))).toBe(false);
    const killed = await startStation(['--port', '0', '--data-dir', dataDir]);
    await killed.stop('SIGKILL');
    const again = await startStation(['--port', '0', '--data-dir', dataDir]);
    const code = await again.stop();
    expect(code, again.output() + String(again.child.signalCode)).toBe(0);
  });
});
