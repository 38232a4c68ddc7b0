/**
 * What waits in memory for the log while it cannot be written, bounded: past
 * `limit` an item is refused (the caller counts and reports it), so a full
 * disk never grows the station's memory without end (issue 11, item 3). The
 * items that wait keep their order, and a batch that failed to commit goes
 * back in front of what came after it.
 */
export class BoundedQueue<T> {
  private items: T[] = [];

  constructor(readonly limit: number) {}

  get length(): number {
    return this.items.length;
  }

  /** False when the queue is full and the item was refused. */
  push(item: T): boolean {
    if (this.items.length >= this.limit) return false;
    this.items.push(item);
    return true;
  }

  /** Everything waiting, in order; the queue is left empty. */
  takeAll(): T[] {
    const taken = this.items;
    this.items = [];
    return taken;
  }

  /** Puts back a batch that could not be committed, ahead of what arrived since (the limit held, as they were counted in before). */
  restore(batch: readonly T[]): void {
    this.items = [...batch, ...this.items];
  }
}
