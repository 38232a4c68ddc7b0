/**
 * Checks and repairs before a model is run: each broken model gets its own
 * message; ZipMap, denormal and float16 models come out runnable, and ONNX
 * Runtime agrees that they are.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ModelManifestSchema, type ModelManifestInput } from '../../../src/shared/manifest';
import { parseOnnx, summarizeOnnx } from '../../../src/engine/onnx/onnx-inspect';
import { encodeOnnx } from '../../../src/engine/onnx/onnx-rewrite';
import { ModelCheckError, prepareModel } from '../../../src/engine/model-prep/prepare-model';
import { tinyCnn, zipMapTrees } from '../../fixtures/test-models';

function prepare(model: { bytes: Uint8Array; manifest: ModelManifestInput }, overrides: Record<string, unknown> = {}) {
  const manifest = ModelManifestSchema.parse({ ...model.manifest, ...overrides });
  return prepareModel({ file: 'model.onnx', bytes: model.bytes, manifest, labels: manifest.labels! });
}

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ModelCheckError) return err.problems.join('\n');
    throw err;
  }
  throw new Error('expected the model to be refused');
}

async function run(bytes: Uint8Array, input: string, data: Float32Array, dims: number[], output: string): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return (await session.run({ [input]: new ort.Tensor('float32', data, dims) }, [output]))[output]!;
  } finally {
    await session.release();
  }
}

describe('prepareModel', () => {
  it('passes a model that matches its manifest through untouched', () => {
    const model = tinyCnn();
    const prepared = prepare(model);
    expect(prepared.notes).toEqual([]);
    expect(prepared.bytes).toBe(model.bytes);
    expect(prepared.summary.inputs[0]).toMatchObject({ name: 'image', kind: 'tensor', elemType: 1, dims: ['N', 3, 32, 32] });
  });

  it('turns a ZipMap output into the probability tensor, with the same name', async () => {
    const model = zipMapTrees();
    expect(summarizeOnnx(parseOnnx(model.bytes)).zipMaps).toHaveLength(1);
    const prepared = prepare(model);
    expect(prepared.notes.join()).toMatch(/output "output_probability" was a ZipMap .* rewritten so that it carries the probability tensor \[N, 2\]/);
    const out = await run(prepared.bytes, 'features', Float32Array.from([0.2, 5, 0.9, 5]), [2, 2], 'output_probability');
    expect(out.type).toBe('float32');
    expect(out.dims).toEqual([2, 2]);
    expect([...(out.data as Float32Array)].map((v) => Math.round(v * 100) / 100)).toEqual([0.9, 0.1, 0.2, 0.8]);
  });

  it('reports denormal weights and flushes them in the copy it returns', () => {
    const model = tinyCnn({ denormalWeights: true });
    const before = summarizeOnnx(parseOnnx(model.bytes)).denormals;
    expect(before).toEqual({ tensors: ['w1'], values: 108 });
    const prepared = prepare(model);
    expect(prepared.notes.join()).toMatch(/108 denormal float\(s\) in 1 weight tensor\(s\) \(w1\) flushed to zero/);
    expect(summarizeOnnx(parseOnnx(prepared.bytes)).denormals.values).toBe(0);
  });

  it('gives a float16 model float32 edges that ONNX Runtime converts', async () => {
    const half = tinyCnn({ dtype: 'float16', seed: 'same' });
    const full = tinyCnn({ seed: 'same' });
    const prepared = prepare(half);
    expect(prepared.float16Wrapped).toBe(true);
    expect(prepared.notes.join()).toMatch(/float16 image, scores given float32 edges/);
    const input = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => ((i * 37) % 255) / 128 - 1);
    const a = await run(prepared.bytes, 'image', input, [1, 3, 32, 32], 'scores');
    const b = await run(full.bytes, 'image', input, [1, 3, 32, 32], 'scores');
    expect(a.type).toBe('float32');
    expect((a.data as Float32Array)[1]).toBeCloseTo((b.data as Float32Array)[1]!, 2);
  });

  describe('refuses, each with its own message', () => {
    it('a truncated file', () => {
      const { bytes, manifest } = tinyCnn();
      expect(problemsOf(() => prepare({ bytes: bytes.subarray(0, Math.floor(bytes.length / 2)), manifest }))).toMatch(/ends in the middle of the model .* truncated/);
    });

    it('a file that is not ONNX', () => {
      const { manifest } = tinyCnn();
      expect(problemsOf(() => prepare({ bytes: new TextEncoder().encode('{"this": "is JSON, not a model"}'), manifest }))).toMatch(/not an ONNX model/);
      expect(problemsOf(() => prepare({ bytes: new Uint8Array(0), manifest }))).toMatch(/the file is empty/);
    });

    it('a model whose input shape is not what the manifest preprocesses to', () => {
      const model = tinyCnn({ size: 32 });
      expect(problemsOf(() => prepare(model, { preprocessing: { ...(model.manifest as { preprocessing: object }).preprocessing, width: 64, height: 64 } }))).toMatch(
        /input "image" takes 32×32 pixels .* but the manifest preprocesses to 64×64/,
      );
    });

    it('an NHWC model described as NCHW, with a hint', () => {
      const model = tinyCnn({ layout: 'NHWC' });
      expect(problemsOf(() => prepare(model, { input: { name: 'image', layout: 'NCHW', dtype: 'float32', batch: 'dynamic' } }))).toMatch(
        /has 32 channel\(s\) in NCHW order .* \(the model looks NHWC: set "layout": "NHWC"\)/,
      );
    });

    it('a manifest that names another input or output, or another number of labels, dtype or batch', () => {
      const model = tinyCnn();
      expect(problemsOf(() => prepare(model, { input: { name: 'data', layout: 'NCHW', dtype: 'float32', batch: 'dynamic' } }))).toMatch(/has no input "data" \(its inputs: image\)/);
      expect(problemsOf(() => prepare(model, { output: { name: 'probs', scores: 'probabilities' } }))).toMatch(/has no output "probs" \(its outputs: scores\)/);
      expect(problemsOf(() => prepare(model, { labels: ['cherry_clean', 'cherry_pit', 'stem'] }))).toMatch(/gives 2 scores per item but the manifest has 3 labels/);
      expect(problemsOf(() => prepare(model, { input: { name: 'image', layout: 'NCHW', dtype: 'float16', batch: 'dynamic' } }))).toMatch(
        /manifest says input dtype float16 but the model's input "image" is float32/,
      );
      const fixed = tinyCnn({ batch: 'fixed' });
      expect(problemsOf(() => prepare(fixed, { input: { name: 'image', layout: 'NCHW', dtype: 'float32', batch: 'dynamic' } }))).toMatch(
        /manifest says batch "dynamic" but input "image" takes exactly 1 item/,
      );
    });

    it('a ZipMap that cannot be undone, with how to re-export', () => {
      const model = zipMapTrees();
      const proto = parseOnnx(model.bytes);
      proto.graph!.node!.push({ opType: 'Identity', input: ['output_probability'], output: ['copy'] });
      const bytes = encodeOnnx(proto);
      expect(problemsOf(() => prepare({ bytes, manifest: model.manifest }))).toMatch(/feeds other nodes.*zipmap': False/);
    });
  });
});
