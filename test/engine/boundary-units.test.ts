/**
 * The small rules behind issue 11, each on its own: what counts as a
 * picture, the frame memory's byte bounds, stale sensor channels, and the
 * one-station-per-folder lock.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SensorsConfigSchema } from '../../src/shared/sensor-config';
import type { Inspection } from '../../src/shared/inspection';
import { DataDirInUseError, DataDirLock, LOCK_FILE, OWNER_FILE } from '../../src/engine/data-dir-lock';
import { FrameMemory } from '../../src/engine/frame-memory';
import { imageFormatOf } from '../../src/engine/preprocess/image-format';
import { describeStale, maxReadingAges, staleChannel } from '../../src/engine/sensors/health/staleness';
import { DEMO_FRAMES_DIR, ROOT } from '../helpers/paths';
import { useTempDirs } from '../helpers/temp-dir';

describe('imageFormatOf', () => {
  it('knows pictures by their first bytes, and nothing else for one', () => {
    expect(imageFormatOf(readFileSync(join(DEMO_FRAMES_DIR, '00000.jpg')))).toBe('jpg');
    expect(imageFormatOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(imageFormatOf(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(imageFormatOf(Buffer.from('this is not a picture'))).toBeNull();
    expect(imageFormatOf(new Uint8Array(0))).toBeNull();
  });
});

const inspection = (frameId: number, decision: Inspection['decision']): Inspection => ({
  frameId,
  capturedAt: new Date(0).toISOString(),
  origin: 'test',
  decision,
  rejectScore: 0.9,
  scores: {},
  totalMs: 1,
  modelVersion: '1',
});

describe('FrameMemory', () => {
  it('holds the latest pictures within a byte budget as well as a count', () => {
    const memory = new FrameMemory({ inspections: 100, images: 64, rejects: 24, imageBytes: 3000, rejectBytes: 10_000 });
    for (let id = 1; id <= 10; id++) memory.remember(inspection(id, 'clean'), new Uint8Array(1000));
    expect(memory.latestImages()).toHaveLength(3);
    expect(memory.image(10)).toBeDefined();
    expect(memory.image(7)).toBeUndefined();
    // A picture larger than the whole budget is not held at all; its inspection is.
    memory.remember(inspection(11, 'clean'), new Uint8Array(5000));
    expect(memory.image(11)).toBeUndefined();
    expect(memory.recent(1)[0]!.frameId).toBe(11);
  });

  it('keeps every reject in the strip, dropping the oldest rejects’ pictures first when over the bytes', () => {
    const memory = new FrameMemory({ inspections: 100, images: 1, rejects: 5, imageBytes: 100_000, rejectBytes: 2500 });
    for (let id = 1; id <= 4; id++) memory.remember(inspection(id, 'pit'), new Uint8Array(1000));
    expect(memory.recentRejects(10).map((i) => i.frameId)).toEqual([4, 3, 2, 1]);
    expect([1, 2, 3, 4].map((id) => memory.image(id) !== undefined)).toEqual([false, false, true, true]);
    // An item with no picture (unreadable) is remembered without one.
    memory.remember(inspection(5, 'pit'), null);
    expect(memory.recentRejects(1)[0]!.frameId).toBe(5);
    expect(memory.image(5)).toBeUndefined();
  });
});

describe('stale sensor channels', () => {
  const config = SensorsConfigSchema.parse({
    sources: [
      { kind: 'serial', id: 'line', path: '/dev/x', framing: 'kv', channels: { vibration_g: { min: -1, max: 1 } }, livenessMs: 500 },
      { kind: 'modbus', id: 'hall', path: '/dev/y', pollMs: 1000, timeoutMs: 500, registers: [{ channel: 'humidity_pct', address: 1, min: 0, max: 100 }] },
    ],
    windowSamples: 256,
    sampleRateHz: 200,
  });

  it('allow a channel the span of its window, and never less than its source’s own pace', () => {
    const ages = maxReadingAges(config);
    expect(ages.get('vibration_g')).toBe(1280);
    expect(ages.get('humidity_pct')).toBe(2500);
  });

  it('name the first channel whose newest valid reading is too old, counting a channel that never came from the start', () => {
    const ages = maxReadingAges(config);
    const seen = new Map([['vibration_g', 10_000]]);
    expect(staleChannel(['vibration_g', 'humidity_pct'], ages, seen, 9_000, 11_000)).toBeNull();
    const stale = staleChannel(['vibration_g', 'humidity_pct'], ages, seen, 9_000, 11_500)!;
    expect(stale).toMatchObject({ channel: 'vibration_g', ageMs: 1500, never: false });
    expect(describeStale(stale)).toBe('no valid reading of vibration_g for 1.5 s (its last value is stale)');
    const never = staleChannel(['humidity_pct'], ages, seen, 0, 3000)!;
    expect(describeStale(never)).toBe('no valid reading of humidity_pct in 3.0 s');
    // A channel no source provides is not waited for, unless the model's features read it.
    expect(staleChannel(['torque_nm'], ages, seen, 0, 1e9)).toBeNull();
    const withFeatures = maxReadingAges(config, ['vibration_g', 'torque_nm']);
    expect(withFeatures.get('torque_nm')).toBe(1280);
    expect(staleChannel(['torque_nm'], withFeatures, seen, 0, 2000)).toMatchObject({ channel: 'torque_nm', never: true });
  });
});

describe('DataDirLock', () => {
  const tempDir = useTempDirs();

  it('lets one station per folder in: the same process twice is refused, and release gives the folder back', () => {
    const dir = tempDir();
    const lock = DataDirLock.acquire(dir);
    expect(() => DataDirLock.acquire(dir)).toThrow(DataDirInUseError);
    lock.release();
    expect(existsSync(join(dir, OWNER_FILE))).toBe(false);
    DataDirLock.acquire(dir).release();
  });

  it('refuses a folder another process holds, naming it, and takes it at once when that process is killed', async () => {
    const dir = tempDir();
    // Another process takes the lock, says so, and waits to be killed.
    const holder = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fixtures', 'hold-data-dir.ts'), dir]);
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    expect(() => DataDirLock.acquire(dir)).toThrow(new RegExp(`process ${holder.pid} on .* \\(holder --data-dir x\\), started `));
    const gone = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await gone;
    // Killed: the operating system dropped its lock; its owner file is left behind and overwritten.
    const lock = DataDirLock.acquire(dir);
    expect(JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('refuses a lock file that is not one, saying what to do, rather than replace it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), '{"pid": 1}');
    expect(() => DataDirLock.acquire(dir)).toThrow(/station\.lock is not a LineSight lock file .*: if no station is running on .*, remove it and start again/);
  });
});
