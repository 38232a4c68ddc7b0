/**
 * The stem rewrite before quantising (src/engine/quantize/space-to-depth.ts): a stride-2 convolution over the
 * picture becomes SpaceToDepth(2) → a stride-1 convolution, and the real runtime gives the same numbers for both in
 * float — for ResNet's 7×7 stem with pads 3, SqueezeNet's 3×3 with none, asymmetric pads, an odd picture size (left
 * alone) and a convolution that does not read the picture (left alone).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/engine/onnx/graph-builder';
import { onnx } from '../../../src/engine/onnx/onnx-proto';
import { spaceToDepthStems } from '../../../src/engine/quantize/space-to-depth';

interface Stem {
  readonly size: [number, number];
  readonly channels: number;
  readonly kernel: [number, number];
  readonly pads: [number, number, number, number];
  readonly strides?: [number, number];
}

/** picture → Identity (as model-prep's float16 edge leaves it) → the stem conv → a second stride-2 conv over its output. */
function model(stem: Stem): Uint8Array {
  const g = new GraphBuilder();
  const w = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.91 + seed) * 0.5);
  const [kh, kw] = stem.kernel;
  const x = g.node('Identity', ['image']);
  const y = g.node('Conv', [x, g.floats('w', [8, stem.channels, kh, kw], w(8 * stem.channels * kh * kw, 1)), g.floats('b', [8], w(8, 2))], {
    kernel_shape: [kh, kw],
    strides: stem.strides ?? [2, 2],
    pads: stem.pads,
  });
  g.node('Conv', [y, g.floats('w2', [4, 8, 3, 3], w(288, 3))], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, ['out']);
  return g.build({
    name: 'stem',
    inputs: [{ name: 'image', dims: [1, stem.channels, ...stem.size] }],
    outputs: [{ name: 'out', dims: [1, 4, 'h', 'w'] }],
    opset: 13,
  });
}

async function run(bytes: Uint8Array, stem: Stem): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const n = stem.channels * stem.size[0] * stem.size[1];
  const image = new ort.Tensor(
    'float32',
    Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 255) - 120),
    [1, stem.channels, ...stem.size],
  );
  const out = (await s.run({ image })).out!.data as Float32Array;
  await s.release();
  return out;
}

describe('the stem on SpaceToDepth', () => {
  const cases: [string, Stem][] = [
    ["ResNet's 7×7, pads 3", { size: [32, 32], channels: 3, kernel: [7, 7], pads: [3, 3, 3, 3] }],
    ["SqueezeNet's 3×3, no pads", { size: [30, 30], channels: 3, kernel: [3, 3], pads: [0, 0, 0, 0] }],
    ['5×3, pads top 2 left 1 bottom 0 right 1, grey', { size: [20, 24], channels: 1, kernel: [5, 3], pads: [2, 1, 0, 1] }],
  ];
  for (const [what, stem] of cases)
    it(`gives the same numbers: ${what}`, async () => {
      const before = model(stem);
      const m = onnx.ModelProto.decode(before);
      expect(spaceToDepthStems(m.graph!)).toBe(1);
      const ops = m.graph!.node!.map((n) => n.opType);
      expect(ops).toEqual(['Identity', 'SpaceToDepth', 'Conv', 'Conv']);
      const conv = m.graph!.node![2]!;
      expect(conv.attribute!.find((a) => a.name === 'strides')!.ints!.map(Number)).toEqual([1, 1]);
      const [a, b] = [await run(before, stem), await run(onnx.ModelProto.encode(m).finish(), stem)];
      expect(b.length).toBe(a.length);
      const scale = Math.max(...a.map(Math.abs));
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5 * scale);
    });

  it('leaves alone what it cannot keep exact or what gains nothing', () => {
    const left = (stem: Stem): number => spaceToDepthStems(onnx.ModelProto.decode(model(stem)).graph!);
    // An odd picture: SpaceToDepth needs an even size.
    expect(left({ size: [31, 32], channels: 3, kernel: [3, 3], pads: [1, 1, 1, 1] })).toBe(0);
    // Stride 1: nothing to gather in blocks.
    expect(left({ size: [32, 32], channels: 3, kernel: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] })).toBe(0);
    // Many channels: the integer kernel is efficient already (and the second conv, over 8, never changes).
    expect(left({ size: [32, 32], channels: 8, kernel: [3, 3], pads: [1, 1, 1, 1] })).toBe(0);
  });
});
