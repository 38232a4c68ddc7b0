/**
 * What the load probe feeds a model once it has loaded: the line's own batch,
 * filled with what preprocessing can really give (issue 11, item 5, and its
 * review). A warm-up on zeros at batch 1 proves little about memory: a graph
 * that sizes a tensor from its input (Expand to Cast(ReduceMax(x) · 60000))
 * asks for nothing on zeros and for 14.4 GB on the first real frame, and a
 * model that fits at batch 1 may not at maxBatch. So the probe runs, at the
 * batch the line will use:
 *
 * - zeros (the worker's own warm-up input);
 * - every pixel 255: each element at the largest value the manifest's scale,
 *   mean and std can give (scale and std are positive, so 255 is the top);
 * - every pixel 0: each element at the smallest (a black frame; skipped when
 *   it is zeros again, every mean 0);
 * - random pixels (a fixed seed): values spread over the whole range.
 *
 * Written with the line's own tensor loop (fillTensor), so channel order,
 * layout, scale, mean and std are exactly the line's. A tabular model's
 * manifest gives no range for its features: zeros and a random fill.
 */
import type { ModelManifest } from '../../shared/manifest';
import { channelCount } from '../../shared/manifest';
// Not the Preprocessor: it loads sharp, which the probe process does not need.
import { fillTensor } from '../preprocess/tensor-fill';

export interface ProbeInput {
  /** For messages: which input asked for what. */
  readonly name: string;
  /** Writes the whole batch into `into` (batch × item floats). */
  readonly fill: (into: Float32Array) => void;
}

export interface ProbeInputs {
  /** [batch, …one item's dims]. */
  readonly dims: readonly number[];
  /** Floats in the batch. */
  readonly size: number;
  readonly inputs: readonly ProbeInput[];
}

/** Random tabular values lie in ±this: wider than any reading of the bundled sensors, in their units. */
export const TABULAR_SPREAD = 10_000;

/** A small, fast, seeded generator (mulberry32): the same "random" input on every probe, so a refusal can be reproduced. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0x11e5_19b7;

/** The inputs the probe runs at `batch`, in order. */
export function probeInputs(manifest: ModelManifest, batch: number): ProbeInputs {
  if (manifest.task === 'tabular-classification') {
    const width = manifest.features.length;
    return {
      dims: [batch, width],
      size: batch * width,
      inputs: [
        { name: 'zeros', fill: (into) => into.fill(0) },
        {
          name: 'random values',
          fill: (into) => {
            const next = random(SEED);
            for (let i = 0; i < into.length; i++) into[i] = (next() * 2 - 1) * TABULAR_SPREAD;
          },
        },
      ],
    };
  }
  const { preprocessing: p, input } = manifest;
  const channels = channelCount(p.channelOrder);
  const itemSize = channels * p.width * p.height;
  const pixels = new Uint8Array(itemSize);
  /** Every item of the batch from the pixels `paint` writes (per item), through the line's own tensor loop. */
  const fromPixels =
    (paint: (pixels: Uint8Array, next: () => number) => void) =>
    (into: Float32Array): void => {
      const next = random(SEED);
      for (let slot = 0; slot < batch; slot++) {
        paint(pixels, next);
        fillTensor(pixels, p.width, p.height, p, input.layout, into, slot * itemSize);
      }
    };
  const inputs: ProbeInput[] = [
    { name: 'zeros', fill: (into) => into.fill(0) },
    { name: 'every pixel 255 (the largest values preprocessing gives)', fill: fromPixels((px) => px.fill(255)) },
  ];
  if (p.mean.some((m) => m !== 0)) inputs.push({ name: 'every pixel 0 (the smallest values preprocessing gives)', fill: fromPixels((px) => px.fill(0)) });
  inputs.push({
    name: 'random pixels',
    fill: fromPixels((px, next) => {
      for (let i = 0; i < px.length; i++) px[i] = (next() * 256) | 0;
    }),
  });
  const dims = input.layout === 'NCHW' ? [batch, channels, p.height, p.width] : [batch, p.height, p.width, channels];
  return { dims, size: batch * itemSize, inputs };
}
