/**
 * The candidate's side of a shadow trial on its own (src/engine/shadow/shadow-line.ts), with the real demo model in
 * its real worker: it takes a frame only by the share, only while it is free and only while the live line has
 * nothing waiting — never at the line's cost — and pairs each of its verdicts with the live one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_SESSION } from '../../../src/engine/evaluation/score-images';
import type { DecidedItem } from '../../../src/engine/line/inspection-line';
import { loadImagePackage } from '../../../src/engine/model-package';
import { loadImageModel, type LoadedModel } from '../../../src/engine/models/loaded-model';
import { sourceWorkerEntry } from '../../../src/engine/rpc/worker-entry';
import { ShadowLine, type ShadowPair } from '../../../src/engine/shadow/shadow-line';
import { DEMO_FRAMES_DIR, DEMO_MODEL_DIR, DEMO_THRESHOLDS } from '../../helpers/paths';
import { waitFor } from '../../helpers/wait';

const frames = readdirSync(DEMO_FRAMES_DIR)
  .sort()
  .slice(0, 8)
  .map((f) => new Uint8Array(readFileSync(join(DEMO_FRAMES_DIR, f))));
let model: LoadedModel;

beforeAll(async () => {
  model = await loadImageModel(await loadImagePackage(DEMO_MODEL_DIR), { settings: OFFLINE_SESSION, entry: sourceWorkerEntry(), mode: 'latency', maxBatch: 1 });
});
afterAll(async () => {
  await model.client.close();
});

const item = (id: number) => ({ id, capturedAt: Date.now(), data: frames[id % frames.length]!, origin: `f${id}` });
/** The live verdict for a frame, as the live line's `decided` sink gives it. */
const liveVerdict = (id: number, decision: 'clean' | 'pit', failSafe = false): DecidedItem =>
  ({
    item: {
      frameId: id,
      capturedAt: Date.now(),
      verdict: { decision, rejectScore: failSafe ? null : decision === 'pit' ? 0.9 : 0.1, failSafeReason: failSafe ? 'late' : null },
    },
    picture: frames[id % frames.length]!,
  }) as unknown as DecidedItem;

describe('ShadowLine', () => {
  it('takes no frame while the live line has one waiting, nor while it is busy itself', async () => {
    const pairs: ShadowPair[] = [];
    const line = new ShadowLine({ candidate: model, thresholds: DEMO_THRESHOLDS, share: 1, staleMs: 60_000, onPair: (p) => pairs.push(p) });
    line.offer(item(1), 2);
    line.offer(item(2), 1);
    expect(line.figures()).toMatchObject({ seen: 2, offered: 0 });
    line.offer(item(3), 0);
    // Busy with frame 3: frame 4 is not taken, however free the live line.
    line.offer(item(4), 0);
    expect(line.figures()).toMatchObject({ seen: 4, offered: 1 });
    line.live(liveVerdict(3, 'pit'));
    await waitFor('the pair', () => pairs.length === 1);
    expect(pairs[0]).toMatchObject({ frameId: 3, live: { decision: 'pit' } });
    expect(line.figures().compared).toBe(1);
    await line.stop();
  });

  it('runs the stated share by a steady credit, and leaves out of the comparison what either side rejected without a verdict', async () => {
    const pairs: ShadowPair[] = [];
    const line = new ShadowLine({ candidate: model, thresholds: DEMO_THRESHOLDS, share: 0.25, staleMs: 60_000, onPair: (p) => pairs.push(p) });
    for (let id = 1; id <= 8; id++) {
      line.offer(item(id), 0);
      await line.stop();
      line.live(liveVerdict(id, 'clean', id === 8));
    }
    // Every fourth frame: 4 and 8.
    expect(line.figures()).toMatchObject({ seen: 8, offered: 2, compared: 1, notCompared: 1 });
    expect(pairs.map((p) => p.frameId)).toEqual([4]);
  });
});
