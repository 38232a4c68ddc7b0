/**
 * Every variant a manifest allows, through the engine (worker, pipeline,
 * preprocessing), against ONNX Runtime fed by hand: NCHW and NHWC, logits and
 * probabilities, fixed and dynamic batch, float32 and float16.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeAndResize } from '../../../src/engine/preprocess/image-decoder';
import { describe, expect, it } from 'vitest';
import { ModelManifestSchema } from '../../../src/shared/manifest';
import { classifyImages } from '../../../src/engine/evaluation/classify';
import { OFFLINE_SESSION } from '../../../src/engine/evaluation/score-images';
import { sourceWorkerEntry } from '../../../src/engine/rpc/worker-entry';
import { sha256Hex, type ImageModelPackage } from '../../../src/engine/model-package';
import { batchSizeFor } from '../../../src/engine/models/loaded-model';
import { prepareModel } from '../../../src/engine/model-prep/prepare-model';
import { tinyCnn, type TinyCnnOptions } from '../../fixtures/test-models';
import { DEMO_FRAMES_DIR } from '../../helpers/paths';

function packageOf(opts: TinyCnnOptions): ImageModelPackage {
  const { bytes, manifest } = tinyCnn(opts);
  const parsed = ModelManifestSchema.parse({ ...manifest, sha256: sha256Hex(bytes) });
  if (parsed.task !== 'image-classification') throw new Error('image model expected');
  return { dir: '.', manifestPath: 'manifest.json', modelPath: 'model.onnx', manifest: parsed, labels: parsed.labels!, bytes, rejectIndex: 1 };
}

/**
 * What the model should say, computed without the engine's tensor loop, batching and worker (what this file
 * tests): the frame stretched to 32×32 by the engine's own decoder — its pixels are held to sharp's in
 * test/engine/preprocess/turbo-decoder.test.ts — the formula by hand, ORT directly.
 */
async function byHand(pkg: ImageModelPackage, jpeg: Buffer): Promise<number[]> {
  const { layout } = pkg.manifest.input;
  const rgb = (await decodeAndResize(new Uint8Array(jpeg), { width: 32, height: 32, resize: 'stretch', interpolation: pkg.manifest.preprocessing.interpolation, channelOrder: 'RGB' })).pixels;
  const x = new Float32Array(3 * 32 * 32);
  for (let i = 0; i < 32 * 32; i++) {
    for (let c = 0; c < 3; c++) x[layout === 'NCHW' ? c * 1024 + i : i * 3 + c] = (rgb[i * 3 + c]! / 255 - 0.5) / 0.25;
  }
  const { bytes } = prepareModel({ file: 'm', bytes: pkg.bytes, manifest: pkg.manifest, labels: pkg.labels });
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ image: new ort.Tensor('float32', x, layout === 'NCHW' ? [1, 3, 32, 32] : [1, 32, 32, 3]) });
  await session.release();
  const raw = [...(out['scores']!.data as Float32Array)];
  if (pkg.manifest.output.scores === 'probabilities') return raw;
  const e = raw.map((v) => Math.exp(v - Math.max(...raw)));
  return e.map((v) => v / e.reduce((a, b) => a + b, 0));
}

describe('model variants through the engine', () => {
  const jpeg = readFileSync(join(DEMO_FRAMES_DIR, '00003.jpg'));
  const variants: TinyCnnOptions[] = [
    { layout: 'NCHW', scores: 'probabilities', batch: 'dynamic' },
    { layout: 'NHWC', scores: 'probabilities', batch: 'dynamic' },
    { layout: 'NCHW', scores: 'logits', batch: 'fixed' },
    { layout: 'NHWC', scores: 'logits', batch: 'fixed' },
    { layout: 'NCHW', scores: 'probabilities', batch: 'dynamic', dtype: 'float16' },
  ];
  for (const v of variants) {
    it(`${v.layout}, ${v.scores}, ${v.batch} batch, ${v.dtype ?? 'float32'}`, async () => {
      const pkg = packageOf({ ...v, seed: 'variants' });
      const run = await classifyImages(pkg, [{ name: 'frame', data: jpeg }], { settings: OFFLINE_SESSION, entry: sourceWorkerEntry(), k: 2 });
      const want = await byHand(pkg, jpeg);
      const got = run.results[0]!.top;
      const tolerance = v.dtype === 'float16' ? 2 : 4;
      for (const r of got) expect(r.p).toBeCloseTo(want[r.index]!, tolerance);
      expect(got[0]!.p + got[1]!.p).toBeCloseTo(1, v.dtype === 'float16' ? 3 : 5);
    });
  }

  it('runs a model with a fixed batch of 1 frame by frame, even in throughput mode', () => {
    expect(batchSizeFor(packageOf({ batch: 'fixed' }), 'throughput', 8)).toBe(1);
    expect(batchSizeFor(packageOf({ batch: 'dynamic' }), 'throughput', 8)).toBe(8);
    expect(batchSizeFor(packageOf({ batch: 'dynamic' }), 'latency', 8)).toBe(1);
  });
});
