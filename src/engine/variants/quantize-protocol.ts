/** What the quantise worker (quantize-worker.ts) is asked and says, typed once for both sides (rpc/rpc-protocol.ts). */
import type { ImageModelManifest } from '../../shared/manifest';
import type { ImageModelPackage } from '../model-package';
import type { RangeMethod } from '../quantize/activation-ranges';
import type { QuantizedModel } from '../quantize/quantize-model';

export interface QuantizeJob {
  /** The full-precision model, as the registry holds it (its hash checked by the registry when it was read). */
  readonly pkg: ImageModelPackage;
  /** The folder of pictures of the line, links resolved (checked against the import folders by the station). */
  readonly folder: string;
  readonly maxFrames: number;
  readonly method: RangeMethod;
  /** Real paths each picture must resolve inside (the station's import folders); undefined: anywhere. */
  readonly roots?: readonly string[];
  /** The most bytes of pictures held at once: the quantiser measures them all from memory. */
  readonly maxTotalBytes: number;
  /** Set to 1 (Atomics) to cancel: read between batches of frames, where a message may not yet have been handled. */
  readonly cancelFlag?: SharedArrayBuffer;
}

export interface QuantizeWorkerResult {
  /** The INT8 model file. */
  readonly bytes: Uint8Array;
  readonly sha256: string;
  /** The variant's manifest as the quantiser made it: version <v>-int8, precision reduced, its provenance. */
  readonly manifest: ImageModelManifest;
  readonly report: QuantizedModel['report'];
  /** Pictures picked but not measured: unreadable, not a picture, too large, or a link out of the import folders. */
  readonly passedOver: number;
  /** The thread's nice value while it measured (19: the lowest; null where it could not be set). */
  readonly priority: number | null;
}

export type QuantizeWorkerStage = 'reading' | 'measuring';

export interface QuantizeProtocol {
  readonly open: { readonly args: null; readonly result: null };
  readonly calls: { readonly quantize: { readonly args: QuantizeJob; readonly result: QuantizeWorkerResult } };
  readonly tells: { readonly cancel: null };
  readonly notes: { readonly stage: QuantizeWorkerStage; readonly done: number; readonly total: number };
}
