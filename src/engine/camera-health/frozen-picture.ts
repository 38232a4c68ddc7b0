/**
 * A frozen camera (issue 16): one that keeps sending the same picture — a
 * hung driver, a lens cap, a belt stopped under it — while the model keeps
 * answering. N pictures in a row identical, or near-identical (re-encoded,
 * a little noise), raise the frozen-camera alarm and engage the fail-safe
 * (station/watchdog.ts) until a different picture comes.
 *
 * Cheap enough for every frame: identical bytes are compared as bytes; other
 * pictures are reduced to a 32×32 grey thumbnail (sharp: area-averaged, so
 * every pixel counts), at most five a second, one at a time on libuv's pool —
 * a frame that comes meanwhile is not counted either way (a stated sample,
 * never a wait). Measured on the castings: two different good parts differ
 * by 11 grey levels on average at the least; the same picture re-encoded from
 * quality 95 down to 60, by 0.4 on average and 2 at most.
 */
import sharp from 'sharp';

/** Two thumbnails are the same picture when their mean difference is below this, in grey levels… */
export const NEAR_IDENTICAL_MEAN = 1.0;
/** …and no cell differs by more than this (a small part on a still background moves a few cells a lot). */
export const NEAR_IDENTICAL_MAX = 8;
const SIDE = 32;
/** At most five thumbnails a second: the line's decodes share libuv's pool with them. */
const MIN_THUMBNAIL_INTERVAL_MS = 200;

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
  private lastReducedAt = -Infinity;
  /** Frames passed over while one was being reduced, or too soon after (the sample it did not look at). */
  skipped = 0;

  constructor(
    /** Pictures in a row that freeze the camera; 0: never (1 is refused by the config: one picture alone is not frozen). */
    private readonly frames: number,
    private readonly onChange: (state: FrozenState) => void,
  ) {}

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** A picture the camera sent (its encoded bytes). Never throws, never waits. */
  offer(bytes: Uint8Array): void {
    if (this.frames < 2 || bytes.length === 0) return;
    const previous = this.previousBytes;
    if (previous && previous.length === bytes.length && Buffer.from(previous.buffer, previous.byteOffset, previous.length).equals(bytes)) {
      this.count(true);
      return;
    }
    const now = performance.now();
    if (this.reducing || now - this.lastReducedAt < MIN_THUMBNAIL_INTERVAL_MS) {
      this.skipped++;
      return;
    }
    this.reducing = true;
    this.lastReducedAt = now;
    void thumbnail(bytes)
      .then((thumb) => {
        const same = this.previousThumb !== null && samePicture(this.previousThumb, thumb);
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
  const { data } = await sharp(bytes, { failOn: 'none' }).greyscale().resize(SIDE, SIDE, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
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
