/** A camera, in whatever form: something that delivers encoded frames. */

export interface Frame {
  /** Increasing per source, from 1. */
  readonly id: number;
  /** When the frame was captured, epoch ms. */
  readonly capturedAt: number;
  /** Encoded image (JPEG, PNG…), kept binary end to end. */
  readonly data: Uint8Array;
  /** Where it came from, for the log: a file name, a URL, a device. */
  readonly origin: string;
}

export type SourceState = 'running' | 'finished' | 'stopped';

export interface FrameSource {
  readonly kind: string;
  readonly description: string;
  readonly state: SourceState;
  /** Starts delivering frames; `onEnd` is called when a finite source has delivered its last frame. */
  start(onFrame: (frame: Frame) => void, onEnd?: () => void): void;
  stop(): void;
}
