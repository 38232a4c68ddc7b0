/**
 * Blur and exposure (issue 16): real castings, blurred or darkened by sharp, measured by the camera-health
 * path the station runs (camera-health.ts), and the warning on the station itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { CameraHealth } from '../../../src/engine/camera-health/camera-health';
import { measurePicture } from '../../../src/engine/camera-health/picture-measures';
import { PictureQualityWatch, type PictureQualityState } from '../../../src/engine/camera-health/picture-quality';
import { PictureHealthSchema } from '../../../src/shared/source-config';
import { CASTINGS } from '../../helpers/castings';
import { useRunningEngines } from '../../helpers/engine';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const parts = (label: 'ok_front' | 'def_front', n: number, from = 0): string[] =>
  readdirSync(join(CASTINGS, label))
    .sort()
    .slice(from, from + n)
    .map((f) => join(CASTINGS, label, f));

async function greyMeasures(file: string, change?: (s: Sharp) => Sharp): Promise<ReturnType<typeof measurePicture>> {
  const base = sharp(readFileSync(file)).greyscale();
  const { data, info } = await (change ? change(base) : base).resize({ width: 256, withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
  return measurePicture({ data: new Uint8Array(data), width: info.width, height: info.height });
}

describe('PictureQualityWatch on the castings', () => {
  const config = PictureHealthSchema.parse({});

  it('takes the first pictures as the reference and warns once the lens blurs, and clears when it is sharp again', async () => {
    const states: PictureQualityState[] = [];
    const watch = new PictureQualityWatch(config, (s) => states.push(s));
    const files = [...parts('ok_front', 30), ...parts('def_front', 10)];
    for (const f of files) watch.observe(await greyMeasures(f));
    expect(states).toEqual([]);
    expect(watch.figures().referenceSharpness).toBeGreaterThan(50);
    // Out of focus: a Gaussian blur of σ = 2 on the same kind of parts.
    let blurredAfter = -1;
    const later = parts('ok_front', 20, 100);
    for (const [i, f] of later.entries()) {
      watch.observe(await greyMeasures(f, (s) => s.blur(2)));
      if (blurredAfter < 0 && states.some((s) => s.blurred)) blurredAfter = i + 1;
    }
    // The window's median moves once more than half of it is blurred: five of nine.
    expect(blurredAfter).toBe(5);
    expect(states.at(-1)!.blurred).toMatch(/^picture blurred: sharpness [\d.]+ is \d+ % of this camera's reference \d+ \(limit 30 %\)$/);
    expect(states.at(-1)!.exposure).toBeNull();
    for (const f of parts('ok_front', 10, 200)) watch.observe(await greyMeasures(f));
    expect(states.at(-1)).toEqual({ blurred: null, exposure: null });
  }, 60_000);

  it('warns on a light that failed or flooded, and on clipped pictures', async () => {
    for (const [change, words] of [
      [(s: Sharp) => s.linear(0.12, 0), /^picture too dark: mean grey \d+ \(at least 30\)$/],
      [(s: Sharp) => s.linear(1, 120), /^picture too bright: mean grey \d+ \(at most 225\)$/],
      [(s: Sharp) => s.linear(4, -300), /^picture clipped: \d+ % of it pure black or white \(at most 25 %\)$/],
    ] as const) {
      const states: PictureQualityState[] = [];
      const watch = new PictureQualityWatch(config, (s) => states.push(s));
      for (const f of parts('ok_front', 30)) watch.observe(await greyMeasures(f));
      for (const f of parts('ok_front', 9, 300)) watch.observe(await greyMeasures(f, change));
      expect(states.at(-1)?.exposure).toMatch(words);
    }
  }, 60_000);

  it('raises nothing over 300 good and defective castings as they come', async () => {
    const states: PictureQualityState[] = [];
    const watch = new PictureQualityWatch(config, (s) => states.push(s));
    const files = [...parts('ok_front', 150, 400), ...parts('def_front', 150, 400)].sort((a, b) => (a.slice(-8) < b.slice(-8) ? -1 : 1));
    for (const f of files) watch.observe(await greyMeasures(f));
    expect(states).toEqual([]);
    expect(watch.figures().measured).toBe(300);
  }, 120_000);

  it('measures a sample from the camera: at most five a second, the rest counted as skipped', async () => {
    const health = new CameraHealth({ frozenFrames: 0, pictureHealth: config }, { onFrozen: () => {}, onQuality: () => {} });
    for (const f of parts('ok_front', 20, 500)) health.offer(new Uint8Array(readFileSync(f)));
    await waitFor('the one sample measured', () => health.figures().measured === 1);
    expect(health.figures().skipped).toBe(19);
    expect(health.figures().luminance).toBeGreaterThan(100);
  });
});

describe('blur on the station', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  it('warns when the castings replayed as a camera turn blurred, with no fail-safe', async () => {
    const dir = tempDir();
    const files: string[] = [];
    for (const [i, f] of parts('ok_front', 60, 600).entries()) {
      const out = join(dir, `${String(i).padStart(3, '0')}.jpg`);
      // Sharp for the first 30 (the reference), then out of focus.
      await sharp(readFileSync(f))
        .blur(i < 30 ? false : 2.5)
        .jpeg()
        .toFile(out);
      files.push(out);
    }
    const dataDir = tempDir();
    const pictureHealth = { referencePictures: 20, windowPictures: 5 };
    const engine = await engines.start(dataDir, { source: { kind: 'replay', files, fps: 5, loop: false, pictureHealth }, sensors: { sources: [] } });
    await waitFor(
      'the blur warning',
      () => engine.getStatus().alarms.some((a) => a.kind === 'picture' && a.severity === 'warning' && a.message.startsWith('picture blurred')),
      30_000,
    );
    expect(engine.getStatus().failSafe.engaged).toBe(false);
    // What Diagnostics draws: each sampled picture's sharpness against the reference, the last ones far below it.
    const health = engine.cameraHealth();
    expect(health).toMatchObject({ frozen: false, limits: { blurRatio: 0.3, minLuminance: 30, maxLuminance: 225, maxClipped: 0.25 } });
    expect(health.referenceSharpness).toBeGreaterThan(50);
    expect(health.points.length).toBe(health.measured);
    expect(health.points.at(-1)!.sharpness / health.referenceSharpness!).toBeLessThan(0.3);
    await engine.stop();

    // Restarted with the lens still out of focus: held to the reference kept from when it was sharp, not the blur.
    const blurred = files.slice(30);
    const again = await engines.start(dataDir, { source: { kind: 'replay', files: blurred, fps: 10, loop: true, pictureHealth }, sensors: { sources: [] } });
    expect(again.cameraHealth().referenceSharpness).toBe(health.referenceSharpness);
    await waitFor(
      'the blur warning after the restart',
      () => again.getStatus().alarms.some((a) => a.kind === 'picture' && a.message.startsWith('picture blurred')),
      30_000,
    );
    // A technician says this is the camera now (refocused to this, say): the next pictures are the reference, and the warning goes.
    again.retakeCameraReference('tech (test)', 'camera replaced');
    expect(again.auditTrail(1)[0]).toMatchObject({ subject: 'config', actor: 'tech (test)', reason: 'camera replaced' });
    await waitFor('the warning cleared', () => !again.getStatus().alarms.some((a) => a.kind === 'picture'), 40_000);
    const retaken = await waitFor('the new reference', () => again.cameraHealth().referenceSharpness, 40_000);
    expect(retaken).toBeLessThan(health.referenceSharpness! * 0.3);
  }, 120_000);
});
