/**
 * The feature and taught models cut from a real backbone and run by the real
 * runtime (src/engine/teach/taught-model.ts): the taught model's probabilities
 * are the head's on the feature model's features, for a float32 backbone (the
 * demo model) and a float16 one (SqueezeNet, cut at fire9 as the issue asks).
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { BackboneCutError, featureModel, taughtModel } from '../../../src/engine/teach/taught-model';
import { headProbabilities, type SoftmaxHead } from '../../../src/engine/teach/softmax-head';
import { DEMO_MODEL_DIR, SHARED_DATA } from '../../helpers/paths';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function headOf(classes: number, features: number, seed: number): SoftmaxHead {
  const r = seeded(seed);
  return { classes, features, weights: Float32Array.from({ length: classes * features }, r), bias: Float32Array.from({ length: classes }, r) };
}

async function runOnce(bytes: Uint8Array, input: ort.Tensor, output: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]!]: input }, [output]);
    return out[output]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('models cut from a backbone', () => {
  it('float32 backbone: the taught model gives the head its features, pooled over space', async () => {
    const backbone = new Uint8Array(readFileSync(`${DEMO_MODEL_DIR}/model.onnx`));
    const r = seeded(1);
    const input = new ort.Tensor(
      'float32',
      Float32Array.from({ length: 2 * 3 * 64 * 64 }, () => r() + 0.5),
      [2, 3, 64, 64],
    );
    const features = await runOnce(featureModel(backbone, 'relu_3'), input, 'features');
    const d = features.length / 2;
    expect(d).toBeGreaterThan(4);
    const head = headOf(3, d, 2);
    const probs = await runOnce(taughtModel(backbone, 'relu_3', head), input, 'probabilities');
    for (let i = 0; i < 2; i++) {
      const want = headProbabilities(head, features.subarray(i * d, (i + 1) * d));
      for (let c = 0; c < 3; c++) expect(probs[i * 3 + c]).toBeCloseTo(want[c]!, 5);
    }
  });

  it('float16 SqueezeNet cut at fire9: 512 float32 features, and the head on them', async () => {
    const backbone = new Uint8Array(readFileSync(`${SHARED_DATA}/models/image/SqueezeNet_fp16.onnx`));
    const r = seeded(3);
    const pixels = Float32Array.from({ length: 3 * 224 * 224 }, () => 128 + 100 * r());
    // Taken as float32, although the backbone computes in float16.
    const input = new ort.Tensor('float32', pixels, [1, 3, 224, 224]);
    const features = await runOnce(featureModel(backbone, 'fire9/concat_1'), input, 'features');
    expect(features.length).toBe(512);
    expect(features.every((v) => Number.isFinite(v) && v >= 0)).toBe(true); // pooled ReLU activations
    const head = headOf(2, 512, 4);
    const probs = await runOnce(taughtModel(backbone, 'fire9/concat_1', head), input, 'probabilities');
    const want = headProbabilities(head, features);
    expect(probs[0]).toBeCloseTo(want[0]!, 4);
    expect(probs[1]).toBeCloseTo(want[1]!, 4);
    // Average and maximum side by side: 1,024 features, the first 512 the averages, each maximum at least its average.
    const both = await runOnce(featureModel(backbone, 'fire9/concat_1', 'average-and-max'), input, 'features');
    expect(both.length).toBe(1024);
    for (let c = 0; c < 512; c++) {
      expect(both[c]).toBeCloseTo(features[c]!, 5);
      expect(both[512 + c]!).toBeGreaterThanOrEqual(both[c]! - 1e-6);
    }
    const head2 = headOf(2, 1024, 5);
    const probs2 = await runOnce(taughtModel(backbone, 'fire9/concat_1', head2, 'average-and-max'), input, 'probabilities');
    expect(probs2[1]).toBeCloseTo(headProbabilities(head2, both)[1]!, 4);
  });

  it('names the last tensors when the one asked for is not in the backbone', () => {
    const backbone = new Uint8Array(readFileSync(`${DEMO_MODEL_DIR}/model.onnx`));
    expect(() => featureModel(backbone, 'fire9/concat_1')).toThrow(BackboneCutError);
    expect(() => featureModel(backbone, 'nope')).toThrow(/has no tensor "nope" \(its last ones: .*relu_3/);
  });
});
