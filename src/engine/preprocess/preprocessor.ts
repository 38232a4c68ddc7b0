/**
 * One image model's preprocessing: decode/resize (sharp), then the tensor loop
 * into a slot of a caller-owned buffer (one item of a batch).
 */
import { channelCount, type ImageModelManifest } from '../../shared/manifest';
import { decodeAndResize, type ImageInput } from './image-decoder';
import { fillTensor } from './tensor-fill';

export interface PreparedItem {
  readonly decodeMs: number;
  readonly preprocessMs: number;
}

export class Preprocessor {
  /** Dims of one item, batch 1: [1, C, H, W] or [1, H, W, C]. */
  readonly itemDims: readonly number[];
  /** Floats per item. */
  readonly itemSize: number;

  constructor(private readonly manifest: Pick<ImageModelManifest, 'preprocessing' | 'input'>) {
    const { width, height, channelOrder } = manifest.preprocessing;
    const c = channelCount(channelOrder);
    this.itemDims = manifest.input.layout === 'NCHW' ? [1, c, height, width] : [1, height, width, c];
    this.itemSize = c * width * height;
  }

  /** Dims of a batch of n items. */
  batchDims(n: number): number[] {
    return [n, ...this.itemDims.slice(1)];
  }

  /** Decodes, resizes and writes item `slot` of `into`. */
  async prepare(image: ImageInput, into: Float32Array, slot = 0): Promise<PreparedItem> {
    const t0 = performance.now();
    const decoded = await decodeAndResize(image, this.manifest.preprocessing);
    const t1 = performance.now();
    fillTensor(decoded.pixels, decoded.width, decoded.height, this.manifest.preprocessing, this.manifest.input.layout, into, slot * this.itemSize);
    return { decodeMs: t1 - t0, preprocessMs: performance.now() - t1 };
  }
}
