/**
 * A frozen camera (issue 16): one that keeps sending the same picture — a
 * hung driver, a lens cap, a belt stopped under it — while the model keeps
 * answering. N pictures in a row identical, or near-identical (re-encoded,
 * a little noise), raise the frozen-camera alarm and engage the fail-safe
 * (station/watchdog.ts) until a different picture comes.
 *
 * This counts; camera-health.ts samples the pictures and hands it either
 * "the very same bytes again" or a 32×32 area-averaged grey thumbnail
 * (picture-measures.ts). Measured on the castings: two different good parts
 * differ by 11 grey levels on average at the least; the same picture
 * re-encoded from quality 95 down to 60, by 0.4 on average and 2 at most.
 */

/** Two thumbnails are the same picture when their mean difference is below this, in grey levels… */
export const NEAR_IDENTICAL_MEAN = 1.0;
/** …and no cell differs by more than this (a small part on a still background moves a few cells a lot). */
export const NEAR_IDENTICAL_MAX = 8;

export interface FrozenState {
  readonly frozen: boolean;
  /** Pictures in a row that were the same, when it froze. */
  readonly sameInARow: number;
}

export class FrozenPictureDetector {
  private previousThumb: Uint8Array | null = null;
  private sameInARow = 0;
  private frozen = false;

  constructor(
    /** Pictures in a row that freeze the camera; 0: never (1 is refused by the config: one picture alone is not frozen). */
    readonly frames: number,
    private readonly onChange: (state: FrozenState) => void,
  ) {}

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** The very same bytes as the picture before. */
  repeated(): void {
    this.count(true);
  }

  /** A sampled picture's thumbnail, held to the one before it. */
  compare(thumb: Uint8Array): void {
    const same = this.previousThumb !== null && samePicture(this.previousThumb, thumb);
    this.previousThumb = thumb;
    this.count(same);
  }

  private count(same: boolean): void {
    if (this.frames < 2) return;
    this.sameInARow = same ? this.sameInARow + 1 : 0;
    // N pictures the same: N − 1 repeats of the first.
    const frozen = this.sameInARow + 1 >= this.frames;
    if (frozen !== this.frozen) {
      this.frozen = frozen;
      this.onChange({ frozen, sameInARow: this.sameInARow + 1 });
    }
  }
}

/** Whether two thumbnails are the same picture: a small mean difference and no cell far off. */
export function samePicture(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > NEAR_IDENTICAL_MAX) return false;
    sum += d;
  }
  return sum / a.length < NEAR_IDENTICAL_MEAN;
}
