/**
 * A camera read by ffmpeg as raw frames (source frames "raw", issue 18), through the whole station: ffmpeg scales
 * each frame to the live model's input, the line decides on the pixels, and the live view, the kept images and the
 * camera's health get what they got from JPEG frames.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { useRunningEngines } from '../helpers/engine';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

describe('a raw camera', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  it("decides ffmpeg's raw frames at the model's size, shows and keeps a JPEG of them, and watches the camera", async () => {
    const dataDir = tempDir();
    const engine = await engines.start(dataDir, {
      // ffmpeg stops after 2 s (a camera unplugged): started again, and the line goes on deciding its raw frames.
      source: { kind: 'ffmpeg', input: ['-re', '-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=25', '-t', '2'], frames: 'raw', reconnectMinMs: 100 },
      storage: { images: { cleanSampleEvery: 1 } },
      sensors: { sources: [] },
    });
    await waitFor('30 decisions', () => engine.getStatus().frames.classified >= 30, 20_000);
    const status = engine.getStatus();
    // The demo model's input is 64×64: that is what ffmpeg hands over.
    expect(status.source.description).toMatch(/→ raw 64×64 frames$/);
    const recent = engine.getRecentInspections(10);
    expect(recent.every((i) => i.failSafeReason === undefined)).toBe(true);
    const picture = engine.getFrameImage(recent[0]!.frameId);
    const meta = await sharp(picture!).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 64, 64]);
    // Kept beside the log as JPEG files.
    await waitFor('kept images', () => readdirSync(join(dataDir, 'images'), { recursive: true }).some((f) => String(f).endsWith('.jpg')), 10_000);
    const kept = readdirSync(join(dataDir, 'images'), { recursive: true })
      .map(String)
      .find((f) => f.endsWith('.jpg'))!;
    expect((await sharp(readFileSync(join(dataDir, 'images', kept))).metadata()).width).toBe(64);
    // Camera health samples the raw frames too.
    await waitFor('camera health measured', () => engine.cameraHealth().points.length > 0, 10_000);
    // After ffmpeg stopped and started again: still raw frames, still decided, none rejected for want of a picture.
    await waitFor('ffmpeg started again', () => engine.getStatus().source.reconnects >= 1, 20_000);
    const before = engine.getStatus().frames.classified;
    await waitFor('decisions after the restart', () => engine.getStatus().frames.classified >= before + 20, 20_000);
    expect(engine.getStatus().frames.errors).toBe(0);
    expect(engine.getStatus().source.description).toMatch(/→ raw 64×64 frames$/);
  });
});
