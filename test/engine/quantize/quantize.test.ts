/**
 * INT8 static quantisation (issue 18, src/engine/quantize/): the arithmetic of the parameters, the QDQ graph a
 * model becomes (weights int8 per channel, activations uint8 through Q/DQ, ReLUs folded, the head left float), a
 * float16 model widened first, an opset the quantiser cannot raise refused with the operator named; and the real
 * runtime running the quantised models: a test CNN close to its float scores, and the committed INT8 casting model
 * (made by npm run quantize from the float one) deciding as the float one does on real castings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadModelPackage, type ImageModelPackage } from '../../../src/engine/model-package';
import { prepareModel } from '../../../src/engine/model-prep/prepare-model';
import { onnx } from '../../../src/engine/onnx/onnx-proto';
import { GraphBuilder } from '../../../src/engine/onnx/graph-builder';
import { Preprocessor } from '../../../src/engine/preprocess/preprocessor';
import { activationParams, quantiseWeights, rewriteQdq } from '../../../src/engine/quantize/qdq-rewrite';
import { prepareGraph } from '../../../src/engine/quantize/prepare-graph';
import { quantizeModel } from '../../../src/engine/quantize/quantize-model';
import { CASTINGS } from '../../helpers/castings';
import { pickEvenly, picturesUnder } from '../../../src/engine/quantize/calibration-frames';
import { DEMO_FRAMES_DIR, ROOT } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { tinyCnn, writePackage } from '../../fixtures/test-models';

const CASTING = join(ROOT, 'test', 'fixtures', 'models', 'casting-defect');
const CASTING_INT8 = join(ROOT, 'test', 'fixtures', 'models', 'casting-defect-int8');

const opsOf = (bytes: Uint8Array): string[] => onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType!);

describe('quantisation parameters', () => {
  it('makes uint8 activations hold 0 exactly, and int8 weights symmetric per output channel', () => {
    expect(activationParams({ min: 0, max: 6 })).toEqual({ scale: 6 / 255, zeroPoint: 0 });
    const p = activationParams({ min: -1, max: 3 });
    expect(p.scale).toBeCloseTo(4 / 255, 12);
    expect(p.zeroPoint).toBe(64);
    // A range that does not hold 0 is widened to: 0 must be exact (padding, ReLU).
    expect(activationParams({ min: 2, max: 4 })).toEqual({ scale: 4 / 255, zeroPoint: 0 });
    expect(activationParams({ min: 0, max: 0 })).toEqual({ scale: 1, zeroPoint: 0 });
    // Two output channels of a [2, 1, 1, 2] weight: each its own scale, |max| → ±127.
    const { q, scales } = quantiseWeights(Float32Array.of(1, -0.4, 0.01, -0.04), [2, 1, 1, 2], 0);
    expect([...scales].map((s) => s * 127)).toEqual([expect.closeTo(1, 6), expect.closeTo(0.04, 6)]);
    expect([...q]).toEqual([127, -51, 32, -127]);
    // Along axis 1 (a Gemm's B without transB): the columns.
    expect([...quantiseWeights(Float32Array.of(1, 2, -3, 4), [2, 2], 1).scales].map((s) => s * 127)).toEqual([expect.closeTo(3, 6), expect.closeTo(4, 6)]);
  });
});

describe('the QDQ graph', () => {
  const tempDirs = useTempDirs();
  /** conv → relu → conv → relu → global pool → flatten → gemm → softmax, with a BatchNormalization after the first conv. */
  function smallCnn(): Uint8Array {
    const g = new GraphBuilder();
    const w = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed) * 0.3);
    let x = g.node('Conv', ['image', g.floats('c1.w', [4, 3, 3, 3], w(108, 1)), g.floats('c1.b', [4], w(4, 2))], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    x = g.node('BatchNormalization', [
      x,
      g.floats('bn.g', [4], [1, 2, 0.5, 1]),
      g.floats('bn.b', [4], [0.1, 0, -0.1, 0]),
      g.floats('bn.m', [4], [0, 0.1, 0, -0.1]),
      g.floats('bn.v', [4], [1, 1, 2, 0.5]),
    ]);
    x = g.node('Relu', [x]);
    x = g.node('Conv', [x, g.floats('c2.w', [8, 4, 3, 3], w(288, 3)), g.floats('c2.b', [8], w(8, 4))], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    x = g.node('Relu', [x]);
    x = g.node('GlobalAveragePool', [x]);
    x = g.node('Flatten', [x], { axis: 1 });
    x = g.node('Gemm', [x, g.floats('fc.w', [2, 8], w(16, 5)), g.floats('fc.b', [2], [0, 0])], { transB: 1 });
    g.node('Softmax', [x], { axis: 1 }, ['probabilities']);
    return g.build({ name: 'small', inputs: [{ name: 'image', dims: ['N', 3, 8, 8] }], outputs: [{ name: 'probabilities', dims: ['N', 2] }], opset: 13 });
  }

  it('folds the BatchNormalization and ReLUs, stores conv weights as int8, leaves the head in float, and ONNX Runtime fuses it', async () => {
    const model = onnx.ModelProto.decode(smallCnn());
    expect(prepareGraph(model)).toMatchObject({ foldedBatchNorms: 1, opsetFrom: 13 });
    const ranges = new Map<string, { min: number; max: number }>();
    for (const n of model.graph!.node!) for (const t of [...(n.input ?? []), ...(n.output ?? [])]) ranges.set(t, { min: -1, max: 1 });
    const report = rewriteQdq(model, ranges);
    // Only the float head reads the second convolution's output, and it is quantised all the same (with its ReLU
    // folded): without a QuantizeLinear after it ONNX Runtime would run that convolution in float.
    expect(report).toMatchObject({ foldedRelus: 2, weights: 2 });
    expect(report.floatNodes).toEqual(['GlobalAveragePool_5', 'Flatten_6', 'Gemm_7', 'Softmax_8']);
    const ops = model.graph!.node!.map((n) => n.opType);
    expect(ops.filter((o) => o === 'Relu' || o === 'BatchNormalization')).toEqual([]);
    // image and both convolutions' outputs through Q/DQ; two weights and two biases behind DQ.
    expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(3);
    expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(3 + 4);
    const optimized = join(tempDirs(), 'optimized.onnx');
    await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: optimized,
    });
    // What ONNX Runtime runs: both convolutions as integer kernels, none in float.
    expect(opsOf(readFileSync(optimized)).filter((o) => o === 'QLinearConv')).toHaveLength(2);
    expect(opsOf(readFileSync(optimized))).not.toContain('FusedConv');
    const inits = new Map(model.graph!.initializer!.map((t) => [t.name, t]));
    expect(inits.get('c2.w_q')!.dataType).toBe(onnx.TensorProto.DataType.INT8);
    expect(inits.get('c2.b_q')!.dataType).toBe(onnx.TensorProto.DataType.INT32);
    expect(inits.get('fc.w')!.dataType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(inits.has('c2.w')).toBe(false); // the float weights are gone
  });

  it("gives a Concat's inputs its own scale and zero point, so that ONNX Runtime copies them rather than requantising", async () => {
    // A fire module: squeeze → (1×1 expand, 3×3 expand) → Concat → a convolution after it. The two expands' ranges differ.
    const g = new GraphBuilder();
    const w = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + seed) * 0.4);
    const s = g.node('Relu', [g.node('Conv', ['image', g.floats('s.w', [4, 3, 1, 1], w(12, 1)), g.floats('s.b', [4], w(4, 2))], { kernel_shape: [1, 1] })]);
    const e1 = g.node('Relu', [g.node('Conv', [s, g.floats('e1.w', [4, 4, 1, 1], w(16, 3)), g.floats('e1.b', [4], w(4, 4))], { kernel_shape: [1, 1] })]);
    const e3 = g.node('Relu', [
      g.node('Conv', [s, g.floats('e3.w', [4, 4, 3, 3], w(144, 5)), g.floats('e3.b', [4], w(4, 6))], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
    ]);
    const cat = g.node('Concat', [e1, e3], { axis: 1 });
    g.node('Conv', [cat, g.floats('c.w', [2, 8, 1, 1], w(16, 7)), g.floats('c.b', [2], [0, 0])], { kernel_shape: [1, 1] }, ['scores']);
    const model = onnx.ModelProto.decode(
      g.build({ name: 'fire', inputs: [{ name: 'image', dims: [1, 3, 8, 8] }], outputs: [{ name: 'scores', dims: [1, 2, 8, 8] }], opset: 13 }),
    );
    const ranges = new Map<string, { min: number; max: number }>();
    for (const n of model.graph!.node!) for (const t of [...(n.input ?? []), ...(n.output ?? [])]) ranges.set(t, { min: 0, max: 1 });
    ranges.set(e1, { min: 0, max: 2 });
    ranges.set(e3, { min: 0, max: 5 });
    ranges.set(cat, { min: 0, max: 5 });
    ranges.set('image', { min: -1, max: 1 });
    rewriteQdq(model, ranges);
    const scaleOf = (t: string): string | undefined => model.graph!.node!.find((n) => n.opType === 'QuantizeLinear' && n.input![0] === t)?.input![1];
    expect(scaleOf(e1)).toBe(scaleOf(cat));
    expect(scaleOf(e3)).toBe(scaleOf(cat));
    // The squeeze's output, read by two convolutions, keeps its own.
    expect(scaleOf(s)).not.toBe(scaleOf(cat));
    const optimized = join(tempDirs(), 'fire.onnx');
    await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: optimized,
    });
    const ops = opsOf(readFileSync(optimized));
    expect(ops).toContain('QLinearConcat');
    expect(ops.filter((o) => o === 'QLinearConv')).toHaveLength(3);
  });

  it('refuses an old opset it cannot raise, naming the operator', () => {
    const g = new GraphBuilder();
    g.node('Reshape', ['x', g.int64s('shape', [1, -1])], {}, ['y']);
    const model = onnx.ModelProto.decode(g.build({ name: 'old', inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y', dims: [1, 4] }], opset: 11 }));
    expect(() => prepareGraph(model)).toThrow(/opset 11 and uses Reshape, whose meaning changes by opset 13/);
  });
});

describe('quantised models on the real runtime', () => {
  const tempDir = useTempDirs();
  const session = (bytes: Uint8Array): Promise<ort.InferenceSession> =>
    ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1, graphOptimizationLevel: 'all' });

  async function scores(s: ort.InferenceSession, pkg: ImageModelPackage, pictures: readonly Uint8Array[]): Promise<number[]> {
    const pre = new Preprocessor(pkg.manifest);
    const out: number[] = [];
    for (const p of pictures) {
      const data = new Float32Array(pre.itemSize);
      await pre.prepare(p, data, 0);
      const r = await s.run({ [pkg.manifest.input.name]: new ort.Tensor('float32', data, pre.batchDims(1)) });
      out.push((r[pkg.manifest.output.name]!.data as Float32Array)[pkg.labels.indexOf(pkg.manifest.rejectLabel!)]!);
    }
    return out;
  }

  it('quantises a test CNN on the demo frames, with progress, and its scores stay close to the float ones', async () => {
    const dir = writePackage(tempDir(), tinyCnn({ name: 'tiny', version: '1.0.0' }));
    const pkg = (await loadModelPackage(dir)) as ImageModelPackage;
    const frames = ['00000.jpg', '00001.jpg', '00002.jpg', '00003.jpg', '00004.jpg', '00005.jpg'].map(
      (f) => new Uint8Array(readFileSync(join(DEMO_FRAMES_DIR, f))),
    );
    const progress: number[] = [];
    const q = await quantizeModel(pkg, frames, { method: { kind: 'percentile', percentile: 99.99 }, onProgress: (done) => progress.push(done) });
    expect(progress.at(-1)).toBe(frames.length);
    expect(q.manifest).toMatchObject({
      version: '1.0.0-int8',
      precision: 'reduced',
      sha256: q.sha256,
      provenance: { quantizedFrom: { name: 'tiny', version: '1.0.0' } },
    });
    expect(opsOf(q.bytes)).toContain('QuantizeLinear');
    const float = await scores(
      await session(prepareModel({ file: pkg.modelPath, bytes: pkg.bytes, manifest: pkg.manifest, labels: pkg.labels }).bytes),
      pkg,
      frames,
    );
    const int8 = await scores(await session(q.bytes), pkg, frames);
    for (let i = 0; i < frames.length; i++) expect(Math.abs(int8[i]! - float[i]!)).toBeLessThan(0.05);
  });

  it('the committed INT8 casting model decides as the float one on real castings it was not calibrated on', async () => {
    const [floatPkg, int8Pkg] = (await Promise.all([loadModelPackage(CASTING), loadModelPackage(CASTING_INT8)])) as [ImageModelPackage, ImageModelPackage];
    expect(int8Pkg.manifest).toMatchObject({ precision: 'reduced', provenance: { quantizedFrom: { sha256: floatPkg.manifest.sha256 } } });
    // Castings npm run quantize did not measure on: the folder's pictures less the ones it picked (its manifest says how many).
    const names = await picturesUnder(CASTINGS);
    const { frames } = (int8Pkg.manifest.provenance as { quantization: { frames: number } }).quantization;
    const calibrated = new Set(pickEvenly(names, frames));
    const held = names.filter((n) => !calibrated.has(n));
    expect(held.length).toBeGreaterThan(1000);
    const pictures = held.map((n) => new Uint8Array(readFileSync(join(CASTINGS, n))));
    const floatScores = await scores(
      await session(prepareModel({ file: floatPkg.modelPath, bytes: floatPkg.bytes, manifest: floatPkg.manifest, labels: floatPkg.labels }).bytes),
      floatPkg,
      pictures,
    );
    const int8Scores = await scores(await session(int8Pkg.bytes), int8Pkg, pictures);
    const pit = floatPkg.manifest.thresholds.pit;
    const agree = floatScores.filter((s, i) => s >= pit === int8Scores[i]! >= pit).length;
    expect(agree / pictures.length).toBeGreaterThanOrEqual(0.995);
  });
});
