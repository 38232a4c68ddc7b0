/**
 * The pipeline on its own (issue 13), with the real demo model in its real
 * worker: what it drops when frames come faster than the model, the order it
 * answers in, how it batches, and a model swap between two frames.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_SESSION } from '../../../src/engine/evaluation/score-images';
import { sourceWorkerEntry } from '../../../src/engine/rpc/worker-entry';
import { loadImagePackage } from '../../../src/engine/model-package';
import { loadImageModel, type LoadedModel } from '../../../src/engine/models/loaded-model';
import { InspectionPipeline, type Outcome, type PipelineOptions } from '../../../src/engine/pipeline/inspection-pipeline';
import { DEMO_FRAMES_DIR, DEMO_MODEL_DIR } from '../../helpers/paths';

const frames = readdirSync(DEMO_FRAMES_DIR)
  .sort()
  .slice(0, 16)
  .map((f) => new Uint8Array(readFileSync(join(DEMO_FRAMES_DIR, f))));
const entry = sourceWorkerEntry();
let single: LoadedModel;
let batched: LoadedModel;

beforeAll(async () => {
  const pkg = await loadImagePackage(DEMO_MODEL_DIR);
  single = await loadImageModel(pkg, { settings: OFFLINE_SESSION, entry, mode: 'latency', maxBatch: 1 });
  batched = await loadImageModel(pkg, { settings: OFFLINE_SESSION, entry, mode: 'throughput', maxBatch: 4 });
});
afterAll(async () => {
  await single.client.close();
  await batched.client.close();
});

interface Item {
  readonly n: number;
  readonly image: Uint8Array;
}

function run(model: () => LoadedModel, options: Partial<PipelineOptions>) {
  const answers: { n: number; outcome: Outcome }[] = [];
  const pipeline = new InspectionPipeline<Item>(model, (item, outcome) => answers.push({ n: item.n, outcome }), options);
  const submit = (n: number, image = frames[n % frames.length]!) => pipeline.submit({ n, image });
  return { pipeline, answers, submit };
}

describe('InspectionPipeline', () => {
  it('drops the oldest waiting frames when they come faster than the model, answers every one once, in the order submitted', async () => {
    const { pipeline, answers, submit } = run(() => single, { queueLimit: 2, dropPolicy: 'drop-oldest', maxBatchesHeld: 1 });
    for (let n = 0; n < 12; n++) submit(n);
    await pipeline.whenIdle();
    expect(answers.map((a) => a.n)).toEqual([...Array(12).keys()]);
    const dropped = answers.filter((a) => a.outcome.kind === 'failed' && a.outcome.stage === 'queue');
    expect(dropped.length).toBe(pipeline.dropped);
    expect(pipeline.dropped).toBeGreaterThan(0);
    // Fresh frames win: the newest two are never the ones dropped.
    expect(dropped.map((a) => a.n)).not.toContain(11);
    expect(dropped.map((a) => a.n)).not.toContain(10);
    for (const a of dropped) expect(a.outcome).toMatchObject({ reason: 'dropped: frames came faster than the model could score them' });
  });

  it('drops the newest instead when told to, keeping the frames that came first', async () => {
    const { pipeline, answers, submit } = run(() => single, { queueLimit: 2, dropPolicy: 'drop-newest', maxBatchesHeld: 1 });
    for (let n = 0; n < 12; n++) submit(n);
    await pipeline.whenIdle();
    const dropped = answers.filter((a) => a.outcome.kind === 'failed').map((a) => a.n);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped).toContain(11);
    expect(answers.find((a) => a.n === 0)!.outcome.kind).toBe('scored');
  });

  it('batches up to the model batch in throughput mode, and scores each frame as it would alone', async () => {
    const alone = run(() => single, { queueLimit: 16 });
    const together = run(() => batched, { queueLimit: 16, maxWaitMs: 50 });
    for (let n = 0; n < 8; n++) {
      alone.submit(n);
      together.submit(n);
    }
    await Promise.all([alone.pipeline.whenIdle(), together.pipeline.whenIdle()]);
    const sizes = together.answers.map((a) => (a.outcome.kind === 'scored' ? a.outcome.timings.batchSize : null));
    expect(Math.max(...sizes.map((s) => s ?? 0))).toBe(4);
    expect(alone.answers.every((a) => a.outcome.kind === 'scored' && a.outcome.timings.batchSize === 1)).toBe(true);
    for (let n = 0; n < 8; n++) {
      const a = alone.answers[n]!.outcome;
      const b = together.answers[n]!.outcome;
      if (a.kind !== 'scored' || b.kind !== 'scored') throw new Error('every frame should be scored');
      expect(b.probabilities[1]).toBeCloseTo(a.probabilities[1]!, 5);
    }
  });

  it('answers a frame that does not decode as failed at decode, and its batch-mates as scored', async () => {
    const { pipeline, answers, submit } = run(() => batched, { queueLimit: 16, maxWaitMs: 50 });
    submit(0);
    submit(1, new Uint8Array([1, 2, 3, 4]));
    submit(2);
    await pipeline.whenIdle();
    expect(answers.map((a) => (a.outcome.kind === 'failed' ? a.outcome.stage : a.outcome.kind))).toEqual(['scored', 'decode', 'scored']);
  });

  it('swaps the model between two frames: frames admitted before run on the old one, after on the new one, and the old one is idle once its batches are back', async () => {
    let current = single;
    const { pipeline, answers, submit } = run(() => current, { queueLimit: 16 });
    for (let n = 0; n < 4; n++) submit(n);
    current = batched;
    for (let n = 4; n < 8; n++) submit(n);
    await pipeline.whenIdle(single);
    await pipeline.whenIdle();
    const usedBy = answers.map((a) => (a.outcome.model === single ? 'old' : a.outcome.model === batched ? 'new' : 'none'));
    expect(answers.map((a) => a.n)).toEqual([...Array(8).keys()]);
    // Frames queued before the swap but not yet admitted may go to the new model; none after it goes to the old one.
    expect(usedBy.slice(4)).toEqual(['new', 'new', 'new', 'new']);
    expect(usedBy[0]).toBe('old');
    expect(usedBy.indexOf('new')).toBeGreaterThan(0);
    expect(usedBy.slice(usedBy.indexOf('new'))).not.toContain('old');
  });
});
