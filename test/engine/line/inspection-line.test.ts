/**
 * The inspection line with the real demo model in its real worker, and fakes
 * for what it is wired to (its state, its sinks, its clock): every item offered
 * gets exactly one verdict, told to each sink in order, whatever rule decides it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/shared/decision';
import type { Thresholds } from '../../../src/shared/manifest';
import { OFFLINE_SESSION } from '../../../src/engine/evaluation/score-images';
import { sourceWorkerEntry } from '../../../src/engine/rpc/worker-entry';
import { InspectionLine, type DecidedItem, type LineItem, type LineSinks } from '../../../src/engine/line/inspection-line';
import { loadImagePackage } from '../../../src/engine/model-package';
import { loadImageModel, type LoadedModel } from '../../../src/engine/models/loaded-model';
import type { InspectionRow } from '../../../src/engine/storage/inspection-log';
import { rawFrame } from '../../../src/engine/sources/raw-frames';
import { DEMO_FRAMES_DIR, DEMO_MODEL_DIR } from '../../helpers/paths';

const frames = readdirSync(DEMO_FRAMES_DIR)
  .sort()
  .slice(0, 12)
  .map((f) => new Uint8Array(readFileSync(join(DEMO_FRAMES_DIR, f))));
let model: LoadedModel;

beforeAll(async () => {
  model = await loadImageModel(await loadImagePackage(DEMO_MODEL_DIR), { settings: OFFLINE_SESSION, entry: sourceWorkerEntry(), mode: 'latency', maxBatch: 1 });
});
afterAll(() => model.client.close());

/** A line wired to fakes that record what each sink was told; `state` and `now` are read at each item. */
function wiredLine(
  opts: { rules?: { staleMs: number; deadlineMs: number }; state?: Partial<{ paused: string | null; veto: string | null; thresholds: Thresholds }> } = {},
) {
  const state = { paused: null as string | null, veto: null as string | null, thresholds: { pit: 0.75, maybe: 0.5 }, ...opts.state };
  const clock = { t: 1_000_000, now: () => clock.t };
  const told = { output: [] as [number, Decision][], kept: [] as number[], rows: [] as InspectionRow[], decided: [] as DecidedItem[] };
  const sinks: LineSinks = {
    output: { decide: (id, d) => told.output.push([id, d]) },
    keeper: {
      keep: (id) => {
        told.kept.push(id);
        return { path: `images/${id}.jpg`, bytes: 1 };
      },
    },
    log: { append: (row) => told.rows.push(row) },
    decided: (d) => told.decided.push(d),
  };
  const line = new InspectionLine(
    { model: () => model, thresholds: () => state.thresholds, pausedBecause: () => state.paused, storageVeto: () => state.veto },
    opts.rules ?? { staleMs: 60_000, deadlineMs: 60_000 },
    sinks,
    { queueLimit: 32 }, // none dropped: every item offered at once is judged
    clock,
  );
  const allDecided = (n: number) => expect.poll(() => told.decided.length, { timeout: 10_000 }).toBe(n);
  return { line, state, clock, told, allDecided };
}

const item = (id: number, capturedAt: number, data: Uint8Array = frames[id % frames.length]!): LineItem => ({ id, capturedAt, data, origin: `frame ${id}` });

describe('InspectionLine', () => {
  it('gives every item one verdict from the model, told to the output, the keeper, the log and the listener in the order offered', async () => {
    const { line, clock, told, allDecided } = wiredLine();
    for (let i = 1; i <= 12; i++) line.offer(item(i, clock.t));
    await allDecided(12);
    await line.stop();
    expect(told.output.map(([id]) => id)).toEqual([...Array(12).keys()].map((i) => i + 1));
    expect(told.rows.map((r) => r.frameId)).toEqual(told.output.map(([id]) => id));
    expect(told.kept).toEqual(told.output.map(([id]) => id));
    for (const [i, row] of told.rows.entries()) {
      expect(row.decision).toBe(told.output[i]![1]);
      expect(row.failSafeReason).toBeNull();
      expect(Object.keys(row.scores!)).toEqual(['cherry_clean', 'cherry_pit']);
      expect(row).toMatchObject({ pitThreshold: 0.75, maybeThreshold: 0.5, modelName: 'demo-cherry', imagePath: `images/${row.frameId}.jpg` });
      expect(row.inferenceMs).toBeGreaterThan(0);
    }
    expect(new Set(told.output.map(([, d]) => d)).size).toBeGreaterThan(1); // the demo frames hold clean and pitted cherries
    expect(line.undecided).toBe(0);
  });

  it('rejects a stale item, an unreadable one and every item of a paused line at once, with nothing inferred', async () => {
    const { line, state, clock, told, allDecided } = wiredLine({ rules: { staleMs: 500, deadlineMs: 150 } });
    line.offer(item(1, clock.t - 501));
    line.offer({ id: 2, capturedAt: clock.t, data: new Uint8Array(0), origin: 'empty.jpg', unreadable: 'the file is empty' });
    state.paused = 'a benchmark has the CPU';
    line.offer(item(3, clock.t));
    await allDecided(3);
    expect(told.rows.map((r) => [r.frameId, r.decision, r.failSafeReason, r.inferenceMs])).toEqual([
      [1, 'pit', 'stale failed: frame is 501 ms old (over 500 ms): not judged', null],
      [2, 'pit', 'source failed: the file is empty', null],
      [3, 'pit', 'line paused: a benchmark has the CPU', null],
    ]);
    // The stale and paused pictures are kept for review; the empty one is no picture.
    expect(told.kept).toEqual([1, 3]);
  });

  it("rejects an item at its deadline and ignores the model's answer that comes after it", async () => {
    const { line, clock, told, allDecided } = wiredLine({ rules: { staleMs: 500, deadlineMs: 150 } });
    // Captured 150 ms ago on the line's clock: its deadline is now, before the model can answer.
    line.offer(item(1, clock.t - 150));
    await allDecided(1);
    await line.whenIdle();
    await new Promise((r) => setTimeout(r, 50));
    expect(told.output).toEqual([[1, 'pit']]);
    expect(told.rows).toHaveLength(1);
    expect(told.rows[0]).toMatchObject({ failSafeReason: 'deadline failed: no decision within 150 ms of capture', inferenceMs: null });
  });

  it('rejects an item whose deadline comes while the model works, and ignores the answer that comes after', async () => {
    const { line, clock, told, allDecided } = wiredLine({ rules: { staleMs: 500, deadlineMs: 150 } });
    // 1 ms left, and a 1920×1080 frame to decode (on the thread pool) and score: the deadline comes first.
    const big = new Uint8Array(await sharp(frames[1]!).resize(1920, 1080).jpeg().toBuffer());
    line.offer(item(1, clock.t - 149, big));
    await allDecided(1);
    await line.whenIdle();
    await new Promise((r) => setTimeout(r, 50));
    expect(told.output).toEqual([[1, 'pit']]);
    expect(told.decided).toHaveLength(1);
    expect(told.rows).toHaveLength(1);
    expect(told.rows[0]).toMatchObject({ failSafeReason: 'deadline failed: no decision within 150 ms of capture', inferenceMs: null });
  });

  it("rejects a verdict reached after the deadline as late, and a verdict the log could not record as the storage's veto", async () => {
    const { line, state, clock, told, allDecided } = wiredLine({ rules: { staleMs: 60_000, deadlineMs: 60_000 } });
    line.offer(item(1, clock.t));
    clock.t += 60_500; // the line's clock jumps while the model works: its verdict comes after the deadline
    await allDecided(1);
    expect(told.rows[0]!.failSafeReason).toMatch(/^late: decided \d+ ms after the deadline$/);
    clock.t -= 60_500;
    state.veto = 'the disk is full: decisions cannot be recorded';
    line.offer(item(2, clock.t));
    await allDecided(2);
    expect(told.rows[1]).toMatchObject({ decision: 'pit', failSafeReason: 'the disk is full: decisions cannot be recorded' });
    expect(told.rows[1]!.rejectScore).not.toBeNull(); // the model did score it
  });

  it('reads the thresholds at each item: a change applies from the next item on, and each row says which it was decided with', async () => {
    const { line, state, clock, told, allDecided } = wiredLine();
    line.offer(item(1, clock.t));
    await allDecided(1);
    state.thresholds = { pit: 0, maybe: 0 };
    line.offer(item(2, clock.t));
    await allDecided(2);
    expect(told.rows[1]).toMatchObject({ decision: 'pit', failSafeReason: null, pitThreshold: 0, maybeThreshold: 0 });
    expect(told.rows[0]!.pitThreshold).toBe(0.75);
  });

  it('answers a picture that does not decode with a reject, and keeps no picture of it', async () => {
    const { line, clock, told, allDecided } = wiredLine();
    line.offer(item(1, clock.t, new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])));
    await allDecided(1);
    expect(told.rows[0]).toMatchObject({ decision: 'pit', imagePath: null });
    expect(told.rows[0]!.failSafeReason).toMatch(/^decode failed: /);
    expect(told.kept).toEqual([]);
    expect(told.decided[0]!.item.verdict.counts).toBe('error');
  });

  it('rejects the worst JPEGs a camera can send, each with its reason, and goes on deciding the good frame after each', async () => {
    const { line, clock, told, allDecided } = wiredLine();
    const good = frames[0]!;
    const cut = good.subarray(0, Math.floor(good.length / 2));
    const damaged = new Uint8Array(good);
    for (let i = 400; i < damaged.length - 2; i += 53) damaged[i] = 0xff;
    // The SOF marker's height and width set to 60000: a header that lies about the picture's size.
    const lying = new Uint8Array(good);
    const sof = lying.findIndex((b, i) => b === 0xff && (lying[i + 1] === 0xc0 || lying[i + 1] === 0xc2));
    new DataView(lying.buffer).setUint16(sof + 5, 60000);
    new DataView(lying.buffer).setUint16(sof + 7, 60000);
    const hostile = [cut, damaged, lying];
    hostile.forEach((bad, k) => {
      line.offer(item(2 * k + 1, clock.t, bad));
      line.offer(item(2 * k + 2, clock.t, good));
    });
    await allDecided(6);
    const byId = new Map(told.rows.map((r) => [r.frameId, r]));
    for (let k = 0; k < hostile.length; k++) {
      expect(byId.get(2 * k + 1)).toMatchObject({ decision: 'pit', imagePath: null, inferenceMs: null });
      expect(byId.get(2 * k + 1)!.failSafeReason).toMatch(/^decode failed: frame is not a readable image/);
      expect(byId.get(2 * k + 2)!.failSafeReason).toBeNull();
      expect(byId.get(2 * k + 2)!.inferenceMs).toBeGreaterThan(0);
    }
  });

  it("decides a raw source's pixels as it decides the JPEG they came from, and keeps and shows a JPEG made of them", async () => {
    // What ffmpeg's raw frames are: the demo frames scaled to the model's 64×64 input, as pixels (sources/raw-frames.ts).
    const raws = await Promise.all(
      frames.slice(0, 6).map(async (jpeg) => {
        const { data, info } = await sharp(jpeg).resize(64, 64, { fit: 'fill', kernel: 'lanczos3' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        return { jpeg, raw: rawFrame(info.width, info.height, new Uint8Array(data)) };
      }),
    );
    const fromJpeg = wiredLine();
    const fromRaw = wiredLine();
    raws.forEach(({ jpeg, raw }, i) => {
      fromJpeg.line.offer(item(i + 1, fromJpeg.clock.t, jpeg));
      fromRaw.line.offer({ id: i + 1, capturedAt: fromRaw.clock.t, data: raw, origin: 'ffmpeg:camera' });
    });
    await Promise.all([fromJpeg.allDecided(6), fromRaw.allDecided(6)]);
    await Promise.all([fromJpeg.line.stop(), fromRaw.line.stop()]);
    for (const [i, d] of fromRaw.told.decided.entries()) {
      const twin = fromJpeg.told.decided[i]!;
      expect(d.item.verdict.failSafeReason).toBeNull();
      // The same picture scaled once by sharp, once by the line's own decoder: the same decision, near the same score.
      expect(d.item.verdict.decision).toBe(twin.item.verdict.decision);
      expect(Math.abs(d.item.verdict.rejectScore! - twin.item.verdict.rejectScore!)).toBeLessThan(0.05);
      const meta = await sharp(d.picture!).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 64, 64]);
      // The same picture made once, for the keeper and the live view alike.
      expect(raws[i]!.raw.picture()).toBe(d.picture);
    }
    expect(fromRaw.told.kept).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
