/**
 * What the load probe feeds a model (probe-inputs.ts): the line's batch, with
 * the values preprocessing can really give, through the line's own tensor
 * loop: the largest and smallest per channel, and a spread between.
 */
import { describe, expect, it } from 'vitest';
import { ModelManifestSchema, type ModelManifest } from '../../../src/shared/manifest';
import { probeInputs, TABULAR_SPREAD } from '../../../src/engine/models/probe-inputs';
import { tinyCnn } from '../../fixtures/test-models';

function image(overrides: { layout?: 'NCHW' | 'NHWC'; preprocessing?: Record<string, unknown> } = {}): ModelManifest {
  const { manifest } = tinyCnn({ size: 8, ...(overrides.layout ? { layout: overrides.layout } : {}) });
  const m = manifest as { preprocessing: Record<string, unknown> };
  return ModelManifestSchema.parse({ ...manifest, preprocessing: { ...m.preprocessing, ...overrides.preprocessing } });
}

/** Each input filled once, with its smallest and largest value. */
function filled(manifest: ModelManifest, batch: number): { name: string; data: Float32Array; min: number; max: number }[] {
  const plan = probeInputs(manifest, batch);
  return plan.inputs.map((input) => {
    const data = new Float32Array(plan.size).fill(Number.NaN);
    input.fill(data);
    let min = Infinity;
    let max = -Infinity;
    for (const v of data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return { name: input.name, data, min, max };
  });
}

describe('probeInputs', () => {
  it('gives the line batch: zeros, every element at its largest and its smallest value, and random pixels over the whole range', () => {
    // scale 1/255, mean 0.5, std 0.25: pixels 0…255 give −2…2.
    const manifest = image();
    const plan = probeInputs(manifest, 8);
    expect(plan.dims).toEqual([8, 3, 8, 8]);
    expect(plan.size).toBe(8 * 3 * 8 * 8);
    const inputs = filled(manifest, 8);
    expect(inputs.map((i) => [i.name, i.min, i.max])).toEqual([
      ['zeros', 0, 0],
      ['every pixel 255 (the largest values preprocessing gives)', 2, 2],
      ['every pixel 0 (the smallest values preprocessing gives)', -2, -2],
      ['random pixels', expect.closeTo(-2, 1), expect.closeTo(2, 1)],
    ]);
    const noise = inputs[3]!.data;
    expect(new Set(noise).size).toBeGreaterThan(200);
    // The same on every probe: a refusal can be reproduced.
    expect(filled(manifest, 8)[3]!.data).toEqual(noise);
  });

  it('follows channel order, per-channel mean and std, and layout, as the line fills its tensors', () => {
    // BGR, NHWC, raw pixels minus a per-channel mean (caffe-style): the largest value differs per channel.
    const manifest = image({ layout: 'NHWC', preprocessing: { channelOrder: 'BGR', scale: 1, mean: [104, 117, 123], std: [1, 1, 2] } });
    expect(probeInputs(manifest, 2).dims).toEqual([2, 8, 8, 3]);
    const brightest = filled(manifest, 2)[1]!.data;
    expect(Array.from(brightest.subarray(0, 6))).toEqual([151, 138, 66, 151, 138, 66]);
    const darkest = filled(manifest, 2)[2]!.data;
    expect(Array.from(darkest.subarray(0, 3))).toEqual([-104, -117, -61.5]);
  });

  it('leaves out the black frame when it is zeros again (every mean 0)', () => {
    const manifest = image({ preprocessing: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] } });
    expect(filled(manifest, 1).map((i) => [i.name, i.min, i.max])).toEqual([
      ['zeros', 0, 0],
      ['every pixel 255 (the largest values preprocessing gives)', 255, 255],
      ['random pixels', expect.any(Number), expect.any(Number)],
    ]);
  });

  it('gives a tabular model zeros and a random fill (its manifest gives no range)', () => {
    const manifest = ModelManifestSchema.parse({
      schemaVersion: 1,
      name: 'sensor',
      version: '1',
      task: 'tabular-classification',
      labels: ['ok', 'fault'],
      input: { name: 'x', dtype: 'float32', batch: 'dynamic' },
      output: { name: 'p', scores: 'probabilities' },
      features: ['a', 'b', 'c'],
      sha256: '0'.repeat(64),
    });
    expect(probeInputs(manifest, 4).dims).toEqual([4, 3]);
    const [zeros, noise] = filled(manifest, 4);
    expect([zeros!.min, zeros!.max]).toEqual([0, 0]);
    expect(noise!.min).toBeGreaterThanOrEqual(-TABULAR_SPREAD);
    expect(noise!.max).toBeLessThanOrEqual(TABULAR_SPREAD);
    expect(noise!.max - noise!.min).toBeGreaterThan(TABULAR_SPREAD / 2);
  });
});
