/**
 * Confirmed rejects (issue 17): after each reject the station hands the PLC,
 * the ejector's confirmation is expected within `withinMs` (the PLC raises
 * EJECT_CONFIRM with the item's trigger id in CONFIRM_ID, plc-map.ts). A
 * reject with no confirmation in time is reported (`onMissing`): an ejector
 * that did not fire let a rejected item through. The time from the reject
 * to its confirmation is kept for each item (cycle-times.ts). Bounded: at most 1,024 rejects
 * wait for their confirmation; past it the oldest is reported missing.
 */

const MAX_WAITING = 1024;

/** What the station does with the ejector's confirmations (station/watchdog.ts); `what` names the id ("trigger", "item"). */
export interface EjectorWatch {
  missing(id: number, withinMs: number, policy: 'alarm' | 'fail-safe', what: string): void;
  confirmed(): void;
}

export interface ConfirmationFigures {
  readonly expected: number;
  readonly confirmed: number;
  readonly missing: number;
  /** Confirmations for no reject waiting (late, unknown, twice). */
  readonly unexpected: number;
}

export class RejectConfirmations {
  private readonly waiting = new Map<number, { timer: NodeJS.Timeout }>();
  private expected = 0;
  private confirmed = 0;
  private missing = 0;
  private unexpected = 0;

  constructor(
    private readonly withinMs: number,
    private readonly onMissing: (triggerId: number, withinMs: number) => void,
    private readonly onConfirmed: (triggerId: number) => void,
  ) {}

  figures(): ConfirmationFigures {
    return { expected: this.expected, confirmed: this.confirmed, missing: this.missing, unexpected: this.unexpected };
  }

  /** A reject was handed to the PLC for this trigger. */
  expect(triggerId: number): void {
    this.expected++;
    // The same id again (a PLC that does not change TRIGGER_ID): the reject still waiting is reported missing now,
    // rather than silently replaced — its confirmation cannot be told from the new one's.
    if (this.waiting.has(triggerId)) this.timedOut(triggerId);
    if (this.waiting.size >= MAX_WAITING) {
      const [oldest] = this.waiting.keys();
      this.timedOut(oldest!);
    }
    this.waiting.set(triggerId, { timer: setTimeout(() => this.timedOut(triggerId), this.withinMs) });
  }

  /** The ejector confirmed the reject of this trigger. */
  confirm(triggerId: number): void {
    const w = this.waiting.get(triggerId);
    if (!w) {
      this.unexpected++;
      return;
    }
    clearTimeout(w.timer);
    this.waiting.delete(triggerId);
    this.confirmed++;
    this.onConfirmed(triggerId);
  }

  /** Stops waiting; returns the trigger ids still waiting, each told once. */
  stop(): number[] {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    const ids = [...this.waiting.keys()];
    this.waiting.clear();
    return ids;
  }

  private timedOut(triggerId: number): void {
    const w = this.waiting.get(triggerId);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiting.delete(triggerId);
    this.missing++;
    this.onMissing(triggerId, this.withinMs);
  }
}
