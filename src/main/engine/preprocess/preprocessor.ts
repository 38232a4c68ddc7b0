/**
 * One model's preprocessing: decode/resize (sharp) then the tensor loop into
 * a buffer reused for every frame.
 */
import type { ModelManifest } from '../../../shared/manifest';
import { decodeAndResize } from './image-decoder';
import { fillTensor } from './tensor-fill';

export interface PreparedTensor {
  /** Reused between calls: copy or transfer it before the next prepare(). */
  readonly data: Float32Array;
  readonly dims: readonly number[];
  readonly decodeMs: number;
  readonly preprocessMs: number;
}

export class Preprocessor {
  private readonly buffer: Float32Array;
  readonly dims: readonly number[];

  constructor(private readonly manifest: Pick<ModelManifest, 'preprocessing' | 'input'>) {
    const { width, height } = manifest.preprocessing;
    this.buffer = new Float32Array(width * height * 3);
    this.dims = manifest.input.layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3];
  }

  async prepare(image: Uint8Array, into: Float32Array = this.buffer): Promise<PreparedTensor> {
    const t0 = performance.now();
    const decoded = await decodeAndResize(image, this.manifest.preprocessing);
    const t1 = performance.now();
    fillTensor(decoded.rgb, decoded.width, decoded.height, this.manifest.preprocessing, this.manifest.input.layout, into);
    const t2 = performance.now();
    return { data: into, dims: this.dims, decodeMs: t1 - t0, preprocessMs: t2 - t1 };
  }
}
