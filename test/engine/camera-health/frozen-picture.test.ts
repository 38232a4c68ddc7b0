/**
 * A frozen camera (issue 16): the same picture again and again — as bytes, or re-encoded — raises the alarm and the
 * fail-safe; a changing picture never does; the station rejects every item while frozen, saying why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CameraHealth } from '../../../src/engine/camera-health/camera-health';
import type { FrozenState } from '../../../src/engine/camera-health/frozen-picture';
import { PictureHealthSchema } from '../../../src/shared/source-config';
import { CASTINGS } from '../../helpers/castings';
import { useRunningEngines } from '../../helpers/engine';
import { DEMO_FRAMES_DIR } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const frame = (n: number): Uint8Array => new Uint8Array(readFileSync(join(DEMO_FRAMES_DIR, `${String(n).padStart(5, '0')}.jpg`)));
// Thumbnails are taken at most five a second: a picture offered sooner is a sample not looked at.
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 220));

/** Camera health watching for a frozen camera only. */
const detector = (frozenFrames: number, onFrozen: (s: FrozenState) => void): CameraHealth =>
  new CameraHealth({ frozenFrames, pictureHealth: PictureHealthSchema.parse({ enabled: false }) }, { onFrozen, onQuality: () => {} });

describe('a frozen camera', () => {
  it('freezes after N identical pictures, and thaws at the first different one', async () => {
    const changes: FrozenState[] = [];
    const watch = detector(5, (s) => changes.push(s));
    const same = frame(0);
    for (let i = 0; i < 4; i++) {
      watch.offer(same);
      await settle();
    }
    expect(watch.isFrozen).toBe(false);
    watch.offer(same);
    expect(watch.isFrozen).toBe(true);
    expect(changes).toEqual([{ frozen: true, sameInARow: 5 }]);
    watch.offer(frame(1));
    await settle();
    expect(watch.isFrozen).toBe(false);
  });

  it('counts a picture re-encoded (other bytes, the same picture) as the same, and a changing line never', async () => {
    const watch = detector(4, () => {});
    const raw = await sharp(Buffer.from(frame(3)))
      .raw()
      .toBuffer({ resolveWithObject: true });
    for (const quality of [95, 85, 75, 65]) {
      const bytes = await sharp(raw.data, { raw: raw.info }).jpeg({ quality }).toBuffer();
      watch.offer(new Uint8Array(bytes));
      await settle();
    }
    expect(watch.isFrozen).toBe(true);
    const moving = detector(4, () => {});
    for (let i = 0; i < 12; i++) {
      moving.offer(frame(i));
      await settle();
    }
    expect(moving.isFrozen).toBe(false);
  });
});

describe('near-alike pictures', () => {
  it('never takes a run of good parts on a still background for a frozen camera (the castings)', async () => {
    const dir = join(CASTINGS, 'ok_front');
    const parts = readdirSync(dir).sort().slice(0, 12);
    const watch = detector(3, () => {});
    let frozen = false;
    for (const f of parts) {
      watch.offer(new Uint8Array(readFileSync(join(dir, f))));
      await settle();
      frozen ||= watch.isFrozen;
    }
    expect(frozen).toBe(false);
  }, 30_000);
});

describe('a frozen camera on the station', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  it('raises the frozen-camera alarm and the fail-safe on a replay of one repeated frame, and rejects every item saying why', async () => {
    const file = join(DEMO_FRAMES_DIR, '00002.jpg');
    const engine = await engines.start(tempDir(), {
      source: { kind: 'replay', files: [file], fps: 40, loop: true, frozenFrames: 20 },
      sensors: { sources: [] },
    });
    const rejected: string[] = [];
    engine.on('inspection', (i) => {
      if (i.failSafeReason) rejected.push(i.failSafeReason);
    });
    await waitFor('the frozen-camera alarm', () =>
      engine.getStatus().alarms.some((a) => a.kind === 'camera' && /^camera frozen: the same picture \d+ times in a row/.test(a.message)),
    );
    const status = engine.getStatus();
    expect(status.failSafe.engaged).toBe(true);
    await waitFor('items rejected because the camera is frozen', () => rejected.some((r) => /^line paused: camera frozen/.test(r)));
  }, 60_000);

  it('raises nothing on the demo line, whose pictures change', async () => {
    const engine = await engines.start(tempDir(), { source: { kind: 'replay', fps: 40, loop: true, frozenFrames: 20 }, sensors: { sources: [] } });
    await waitFor('60 items decided', () => engine.getStatus().frames.classified >= 60);
    expect(engine.getStatus().alarms.filter((a) => /frozen/.test(a.message))).toEqual([]);
  }, 60_000);
});
