/**
 * The camera sources against real parts: a real HTTP server streaming
 * multipart JPEGs (that also stalls and cuts), a real ffmpeg making a test
 * pattern, real files written slowly into a real folder that disappears.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { FfmpegSourceSchema, HotFolderSourceSchema, MjpegSourceSchema } from '../../../src/shared/source-config';
import { FfmpegSource } from '../../../src/engine/sources/ffmpeg-source';
import type { Frame, FrameSource } from '../../../src/engine/sources/frame-source';
import { HotFolderSource } from '../../../src/engine/sources/hot-folder-source';
import { MjpegSource } from '../../../src/engine/sources/mjpeg-source';
import { startMjpegServer, type MjpegServer } from '../../helpers/mjpeg-server';
import { DEMO_FRAMES_DIR } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const jpegs = ['00000.jpg', '00001.jpg', '00002.jpg', '00003.jpg'].map((f) => readFileSync(join(DEMO_FRAMES_DIR, f)));

describe('live frame sources', () => {
  const tempDir = useTempDirs();
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const run = (source: FrameSource): Frame[] => {
    const frames: Frame[] = [];
    source.start((f) => frames.push(f));
    cleanup.push(() => source.stop());
    return frames;
  };
  const server = async (opts: Parameters<typeof startMjpegServer>[0]): Promise<MjpegServer> => {
    const s = await startMjpegServer(opts);
    cleanup.push(() => s.close());
    return s;
  };

  describe('MJPEG over HTTP', () => {
    it("delivers the camera's JPEGs, byte for byte, with or without Content-Length", async () => {
      for (const contentLength of [true, false]) {
        const camera = await server({ frames: jpegs, fps: 50, contentLength, boundary: contentLength ? 'frame' : '--frame' });
        const source = new MjpegSource(MjpegSourceSchema.parse({ kind: 'mjpeg', url: camera.url }));
        const frames = run(source);
        await waitFor('8 frames', () => frames.length >= 8);
        expect(source.state).toBe('running');
        frames.slice(0, 4).forEach((f, i) => expect(Buffer.from(f.data).equals(jpegs[i]!)).toBe(true));
        expect(frames.map((f) => f.id).slice(0, 4)).toEqual([1, 2, 3, 4]);
        expect(frames[0]!.origin).toMatch(/^mjpeg:127\.0\.0\.1:\d+$/);
      }
    });

    it('reconnects when the camera cuts the connection mid-frame, and counts it', async () => {
      const camera = await server({ frames: jpegs, fps: 50 });
      const source = new MjpegSource(MjpegSourceSchema.parse({ kind: 'mjpeg', url: camera.url, reconnectMinMs: 50 }));
      const frames = run(source);
      await waitFor('frames', () => frames.length >= 5);
      camera.cut();
      await waitFor('the source to notice', () => source.state === 'down' || source.stats().reconnects > 0);
      const before = frames.length;
      await waitFor('frames again after the reconnect', () => frames.length > before + 5 && source.state === 'running');
      expect(source.stats().reconnects).toBe(1);
      expect(camera.connections).toBe(2);
      // The half frame was never delivered: every frame is a whole JPEG.
      for (const f of frames) expect(jpegs.some((j) => j.equals(Buffer.from(f.data)))).toBe(true);
    });

    it('gives up on a stalled stream after readTimeoutMs and connects again', async () => {
      const camera = await server({ frames: jpegs, fps: 50 });
      const source = new MjpegSource(MjpegSourceSchema.parse({ kind: 'mjpeg', url: camera.url, readTimeoutMs: 300, reconnectMinMs: 50 }));
      const frames = run(source);
      await waitFor('frames', () => frames.length >= 3);
      camera.stall();
      await waitFor('the stall to be noticed', () => source.state === 'down');
      expect(source.stats().lastError).toMatch(/no data from .* for 300 ms/);
      camera.resume();
      await waitFor('the stream back', () => source.state === 'running' && camera.connections >= 2);
    });

    it('is down, saying why, when there is no camera or it is not an MJPEG stream', async () => {
      const source = new MjpegSource(MjpegSourceSchema.parse({ kind: 'mjpeg', url: 'http://127.0.0.1:9/none', reconnectMinMs: 50 }));
      run(source);
      await waitFor('down', () => source.state === 'down');
      expect(source.stats().lastError).toMatch(/cannot read http:\/\/127\.0\.0\.1:9\/none: connect ECONNREFUSED/);
    });
  });

  describe('ffmpeg', () => {
    it('reads a real ffmpeg test pattern as JPEG frames, and starts ffmpeg again when it exits', async () => {
      // One second of a 640×480 test pattern at 30 fps: ffmpeg exits after it, and is started again.
      const source = new FfmpegSource(
        FfmpegSourceSchema.parse({ kind: 'ffmpeg', input: ['-re', '-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=30', '-t', '1'], reconnectMinMs: 100 }),
      );
      const frames = run(source);
      await waitFor('a second of frames', () => frames.length >= 25, 15_000);
      const meta = await sharp(frames[0]!.data).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 640, 480]);
      await waitFor('ffmpeg restarted after it exited', () => source.stats().reconnects >= 1, 15_000);
      expect(source.stats().lastError).toMatch(/ffmpeg stopped \(exit code 0\)/);
      expect(frames.every((f, i) => f.id === i + 1)).toBe(true);
    });

    it("is down with ffmpeg's own words when the input does not exist", async () => {
      const source = new FfmpegSource(FfmpegSourceSchema.parse({ kind: 'ffmpeg', input: ['-i', '/dev/no-such-camera'], reconnectMinMs: 50 }));
      run(source);
      await waitFor('down', () => source.state === 'down', 10_000);
      expect(source.stats().lastError).toMatch(/ffmpeg stopped \(exit code \d+\): .*no-such-camera.*No such file or directory/);
    });
  });

  describe('hot folder', () => {
    async function writeSlowly(path: string, data: Buffer, pieces: number, pauseMs: number): Promise<void> {
      const file = await open(path, 'w');
      const size = Math.ceil(data.length / pieces);
      for (let i = 0; i < data.length; i += size) {
        await file.write(data.subarray(i, i + size));
        await new Promise((r) => setTimeout(r, pauseMs));
      }
      await file.close();
    }

    it('takes a file only once it is completely written, then moves it to processed/', async () => {
      const dir = tempDir();
      const source = new HotFolderSource({ ...HotFolderSourceSchema.parse({ kind: 'hot-folder', dir, settleMs: 150 }), processedDir: join(dir, 'processed') });
      const frames = run(source);
      await waitFor('watching', () => source.state === 'running');
      await writeSlowly(join(dir, 'a.jpg'), jpegs[0]!, 6, 60);
      await writeSlowly(join(dir, 'b.jpg'), jpegs[1]!, 3, 60);
      writeFileSync(join(dir, 'notes.txt'), 'not an image');
      await waitFor('two frames', () => frames.length === 2);
      expect(Buffer.from(frames[0]!.data).equals(jpegs[0]!)).toBe(true);
      expect(Buffer.from(frames[1]!.data).equals(jpegs[1]!)).toBe(true);
      await waitFor('moved', () => readdirSync(join(dir, 'processed')).length === 2);
      expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'processed']);
      // A camera that reuses a name does not overwrite the earlier file.
      writeFileSync(join(dir, 'a.jpg'), jpegs[2]!);
      await waitFor('third frame', () => frames.length === 3);
      await waitFor('kept apart', () => readdirSync(join(dir, 'processed')).sort().join() === 'a.1.jpg,a.jpg,b.jpg');
    });

    it('deletes files when told to, and survives the folder disappearing and coming back', async () => {
      const parent = tempDir();
      const dir = join(parent, 'share');
      mkdirSync(dir);
      writeFileSync(join(dir, 'waiting.jpg'), jpegs[0]!); // written while the station was away
      const source = new HotFolderSource({
        ...HotFolderSourceSchema.parse({ kind: 'hot-folder', dir, afterRead: 'delete', settleMs: 50 }),
        processedDir: join(dir, 'processed'),
      });
      const frames = run(source);
      await waitFor('the waiting file', () => frames.length === 1);
      await waitFor('deleted', () => !existsSync(join(dir, 'waiting.jpg')));
      renameSync(dir, join(parent, 'unmounted'));
      await waitFor('down', () => source.state === 'down');
      expect(source.stats().lastError).toMatch(/folder .*share is gone/);
      rmSync(join(parent, 'unmounted'), { recursive: true });
      mkdirSync(dir);
      await waitFor('watching again', () => source.state === 'running');
      writeFileSync(join(dir, 'after.jpg'), jpegs[1]!);
      await waitFor('a frame from the folder that came back', () => frames.length === 2);
      expect(source.stats().reconnects).toBe(1);
    });
  });
});
