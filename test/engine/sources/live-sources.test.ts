/**
 * The camera sources against real parts: a real HTTP server streaming
 * multipart JPEGs (that also stalls and cuts), a real ffmpeg making a test
 * pattern, real files written slowly into a real folder that disappears.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { encodedBytes } from '../../helpers/frame-bytes';
import { FfmpegSourceSchema, HotFolderSourceSchema, MjpegSourceSchema } from '../../../src/shared/source-config';
import { bundledFfmpegPath, FfmpegSource } from '../../../src/engine/sources/ffmpeg-source';
import type { RawGeometry } from '../../../src/engine/sources/raw-frames';
import type { RawFrameImage } from '../../../src/engine/preprocess/image-types';
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
        frames.slice(0, 4).forEach((f, i) => expect(encodedBytes(f).equals(jpegs[i]!)).toBe(true));
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
      for (const f of frames) expect(jpegs.some((j) => j.equals(encodedBytes(f)))).toBe(true);
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
      const meta = await sharp(encodedBytes(frames[0]!)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 640, 480]);
      await waitFor('ffmpeg restarted after it exited', () => source.stats().reconnects >= 1, 15_000);
      expect(source.stats().lastError).toMatch(/ffmpeg stopped \(exit code 0\)/);
      expect(frames.every((f, i) => f.id === i + 1)).toBe(true);
    });

    describe('raw frames', () => {
      // One second of the test pattern, and its first frame as ffmpeg draws it (PNG: no loss) for sharp to fit.
      const pattern = ['-re', '-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=30', '-t', '1'];
      const firstFrame = (): Buffer =>
        execFileSync(bundledFfmpegPath(), [
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          'testsrc=size=640x480:rate=30',
          '-frames:v',
          '1',
          '-f',
          'image2pipe',
          '-c:v',
          'png',
          'pipe:1',
        ]);
      const meanDifference = (a: Uint8Array, b: Uint8Array): number => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
      const geometry = (resize: RawGeometry['resize'], extra: Partial<RawGeometry> = {}): RawGeometry => ({
        width: 224,
        height: 224,
        resize,
        interpolation: 'lanczos3',
        ...extra,
      });

      for (const [resize, fit] of [
        ['center-crop', 'cover'],
        ['stretch', 'fill'],
      ] as const)
        it(`scales to the model's input (${resize}) in ffmpeg and hands over the pixels, with a JPEG made of them`, async () => {
          const source = new FfmpegSource(FfmpegSourceSchema.parse({ kind: 'ffmpeg', input: pattern, frames: 'raw', reconnectMinMs: 100 }), () =>
            geometry(resize),
          );
          const frames = run(source);
          await waitFor('frames', () => frames.length >= 5, 15_000);
          expect(source.description).toMatch(/→ raw 224×224 frames$/);
          const first = frames[0]!.data as RawFrameImage;
          expect([first.width, first.height, first.channels, first.pixels.length]).toEqual([224, 224, 3, 224 * 224 * 3]);
          // What sharp makes of the same frame with the manifest's fit: the same picture, to a few levels of 255.
          const bySharp = await sharp(firstFrame()).resize(224, 224, { fit, kernel: 'lanczos3' }).removeAlpha().raw().toBuffer();
          expect(meanDifference(first.pixels, bySharp)).toBeLessThan(6);
          const other = await sharp(firstFrame())
            .resize(224, 224, { fit: fit === 'cover' ? 'fill' : 'cover', kernel: 'lanczos3' })
            .removeAlpha()
            .raw()
            .toBuffer();
          expect(meanDifference(first.pixels, other)).toBeGreaterThan(12); // the other fit is told apart
          const meta = await sharp(first.picture()!).metadata();
          expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 224, 224]);
        });

      it('letterboxes with the manifest pad colour', async () => {
        const source = new FfmpegSource(FfmpegSourceSchema.parse({ kind: 'ffmpeg', input: pattern, frames: 'raw', reconnectMinMs: 100 }), () =>
          geometry('letterbox', { padColor: [255, 0, 128] }),
        );
        const frames = run(source);
        await waitFor('a frame', () => frames.length >= 1, 15_000);
        const { pixels } = frames[0]!.data as RawFrameImage;
        // 640×480 fitted into 224×224 is 224×168: 28 rows of pad above and below.
        for (const row of [0, 27, 196, 223]) expect([...pixels.subarray(row * 224 * 3, row * 224 * 3 + 3)]).toEqual([255, 0, 128]);
        expect([...pixels.subarray(112 * 224 * 3, 112 * 224 * 3 + 3)]).not.toEqual([255, 0, 128]);
      });

      it('scales the shorter side first and crops the centre (shorter-side-crop)', async () => {
        const source = new FfmpegSource(FfmpegSourceSchema.parse({ kind: 'ffmpeg', input: pattern, frames: 'raw', reconnectMinMs: 100 }), () =>
          geometry('shorter-side-crop', { resizeShorterTo: 256, interpolation: 'linear' }),
        );
        const frames = run(source);
        await waitFor('a frame', () => frames.length >= 1, 15_000);
        const first = frames[0]!.data as RawFrameImage;
        expect([first.width, first.height, first.pixels.length]).toEqual([224, 224, 224 * 224 * 3]);
        // What sharp makes of the same frame: 480 → 256 (640 → 341 wide), then the centre 224×224.
        const shorter = await sharp(firstFrame()).resize(341, 256, { kernel: 'linear' }).raw().toBuffer();
        const bySharp = await sharp(shorter, { raw: { width: 341, height: 256, channels: 3 } })
          .extract({ left: 58, top: 16, width: 224, height: 224 })
          .raw()
          .toBuffer();
        expect(meanDifference(first.pixels, bySharp)).toBeLessThan(6);
      });

      it('hands over JPEG frames, saying why, while there is no model input to scale to', async () => {
        const source = new FfmpegSource(FfmpegSourceSchema.parse({ kind: 'ffmpeg', input: pattern, frames: 'raw', reconnectMinMs: 100 }), () => null);
        const frames = run(source);
        await waitFor('a frame', () => frames.length >= 1, 15_000);
        expect((await sharp(encodedBytes(frames[0]!)).metadata()).width).toBe(640);
        expect(source.description).toMatch(/→ JPEG frames \(not raw: no model input to scale to yet\)$/);
      });
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
      expect(encodedBytes(frames[0]!).equals(jpegs[0]!)).toBe(true);
      expect(encodedBytes(frames[1]!).equals(jpegs[1]!)).toBe(true);
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
