/**
 * A frozen camera (issue 16): one that keeps sending the same picture — a
 * hung driver, a lens cap, a belt stopped under it — while the model keeps
 * answering. N pictures in a row identical, or near-identical (re-encoded,
 * a little noise), raise the frozen-camera alarm and engage the fail-safe
 * (station/watchdog.ts) until a different picture comes.
 *
 * Cheap enough for every frame: identical bytes are compared as bytes; other
 * pictures are reduced to a 16×16 grey thumbnail (sharp, shrink-on-load),
 * one at a time on libuv's pool — a frame that comes while one is being
 * reduced is not counted either way (a stated sample, never a wait).
 */
import sharp from 'sharp';

/** Mean absolute difference of two thumbnails, in grey levels, below which two pictures are the same picture. */
export const NEAR_IDENTICAL_GREY_LEVELS = 1.0;
const SIDE = 16;

export interface FrozenState {
  readonly frozen: boolean;
  /** Pictures in a row that were the same, when it froze. */
  readonly sameInARow: number;
}

export class FrozenPictureDetector {
  private previousBytes: Uint8Array | null = null;
  private previousThumb: Uint8Array | null = null;
  private sameInARow = 0;
  private frozen = false;
  private reducing = false;
  /** Frames passed over while one was being reduced (the sample it did not look at). */
  skipped = 0;

  constructor(
    /** Pictures in a row that freeze the camera; 0: never. */
    private readonly frames: number,
    private readonly onChange: (state: FrozenState) => void,
  ) {}

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** A picture the camera sent (its encoded bytes). Never throws, never waits. */
  offer(bytes: Uint8Array): void {
    if (this.frames <= 0 || bytes.length === 0) return;
    const previous = this.previousBytes;
    if (previous && previous.length === bytes.length && Buffer.from(previous.buffer, previous.byteOffset, previous.length).equals(bytes)) {
      this.count(true);
      return;
    }
    if (this.reducing) {
      this.skipped++;
      return;
    }
    this.reducing = true;
    void thumbnail(bytes)
      .then((thumb) => {
        const same = this.previousThumb !== null && meanAbsoluteDifference(this.previousThumb, thumb) < NEAR_IDENTICAL_GREY_LEVELS;
        this.previousThumb = thumb;
        this.previousBytes = bytes;
        this.count(same);
      })
      // A picture that does not decode is the line's to reject; it says nothing about the camera being frozen.
      .catch(() => {})
      .finally(() => {
        this.reducing = false;
      });
  }

  private count(same: boolean): void {
    this.sameInARow = same ? this.sameInARow + 1 : 0;
    // N pictures the same: N − 1 repeats of the first.
    const frozen = this.sameInARow + 1 >= this.frames;
    if (frozen !== this.frozen) {
      this.frozen = frozen;
      this.onChange({ frozen, sameInARow: this.sameInARow + 1 });
    }
  }
}

async function thumbnail(bytes: Uint8Array): Promise<Uint8Array> {
  const { data } = await sharp(bytes, { failOn: 'none' })
    .greyscale()
    .resize(SIDE, SIDE, { fit: 'fill', kernel: 'nearest' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

export function meanAbsoluteDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Infinity;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
