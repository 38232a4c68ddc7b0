/**
 * Kept images whose write failed (image-keeper.ts), to be told to the log worker so their rows are written
 * without them. The record of them in a worker dies with it: the latest NOT_KEPT_RESENT are kept here, told or
 * not, and told first to a worker started after one died, so a row sent again never names an image that was
 * never written and retention does not count its bytes (issue 11, final review).
 */
import type { NotKeptImage } from './log-protocol';

/** Failed image writes not yet told, kept while no worker runs. */
const MAX_NOT_KEPT_WAITING = 10_000;
/** The latest failed image writes, kept to be told again to a worker started after one died (a ring: the oldest go first). */
export const NOT_KEPT_RESENT = 1000;

export class NotKeptImages {
  private waiting: NotKeptImage[] = [];
  private readonly recent: NotKeptImage[] = [];

  /** A failed write: false when too many wait already (the row keeps its path; a read finds no file). */
  add(image: NotKeptImage): boolean {
    this.recent.push(image);
    if (this.recent.length > NOT_KEPT_RESENT) this.recent.shift();
    if (this.waiting.length >= MAX_NOT_KEPT_WAITING) return false;
    this.waiting.push(image);
    return true;
  }

  /** Those not yet told, now told. */
  takeWaiting(): NotKeptImage[] {
    return this.waiting.splice(0);
  }

  /** What a new worker is told first: the latest, told or not; none of them waits any more. */
  takeForNewWorker(): NotKeptImage[] {
    const told = new Set(this.recent);
    this.waiting = this.waiting.filter((image) => !told.has(image));
    return [...this.recent];
  }
}
