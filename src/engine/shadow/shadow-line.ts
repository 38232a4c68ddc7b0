/**
 * The candidate's side of a shadow trial (issue 16): a second InspectionLine
 * (line/inspection-line.ts, the very path the live model runs) with no
 * output, no image keeper and no log — it can never actuate — fed the
 * frames the live line gets, and each of its verdicts paired with the live
 * one for the same frame.
 *
 * Never at the cost of the line: a frame is offered only by the share
 * (a steady credit, so 0.25 is every fourth frame, not a quarter on
 * average), only while the candidate has nothing in hand, and only while
 * the live line has nothing waiting — a slow candidate, or a line with no
 * slack, gives the candidate fewer frames (the share it ran is reported),
 * the live line none the slower. Its worker runs below the line's priority
 * (inference-worker.ts, `background`). Measured by `shadow.overhead` in
 * `npm run bench`.
 */
import type { Decision } from '../../shared/decision';
import type { Thresholds } from '../../shared/manifest';
import { InspectionLine, type DecidedItem, type LineClock, type LineItem } from '../line/inspection-line';
import type { LoadedModel } from '../models/loaded-model';
import { countPair, emptyMatrix, shadowFigures, type DecisionMatrix } from './shadow-figures';
import type { ShadowFigures } from '../../shared/shadow';

/** One side's verdict on a frame, as the comparison needs it. */
export interface SideVerdict {
  readonly decision: Decision;
  /** Null when it was rejected without a verdict on the picture (fail-safe): not compared. */
  readonly rejectScore: number | null;
  readonly failSafe: boolean;
}

export interface ShadowPair {
  readonly frameId: number;
  readonly capturedAt: number;
  readonly live: SideVerdict;
  readonly candidate: SideVerdict;
  /** The frame's picture (what the live line decoded), for a disagreement worth keeping. */
  readonly picture: Uint8Array | null;
}

interface Waiting {
  live?: SideVerdict;
  picture?: Uint8Array | null;
  candidate?: SideVerdict;
}

/** Frames waiting for their other verdict; past it the oldest is dropped, not compared (a stuck candidate cannot grow memory). */
const MAX_WAITING = 256;

export interface ShadowLineOptions {
  readonly candidate: LoadedModel;
  readonly thresholds: Thresholds;
  readonly share: number;
  readonly staleMs: number;
  readonly clock?: LineClock;
  /** Both verdicts are in and both decided on the picture. */
  readonly onPair: (pair: ShadowPair) => void;
}

export class ShadowLine {
  private readonly line: InspectionLine;
  private readonly waiting = new Map<number, Waiting>();
  private readonly matrix: DecisionMatrix = emptyMatrix();
  private credit = 0;
  private pairsCompared = 0;
  private seen = 0;
  private offered = 0;
  private notCompared = 0;

  constructor(private readonly opts: ShadowLineOptions) {
    this.line = new InspectionLine(
      { model: () => opts.candidate, thresholds: () => opts.thresholds, pausedBecause: () => null, storageVeto: () => null },
      // No deadline: the candidate's lateness decides nothing; a stale frame is still not judged.
      { staleMs: opts.staleMs, deadlineMs: Infinity },
      { decided: (d) => this.candidateDecided(d) },
      { queueLimit: 1, dropPolicy: 'drop-newest', preprocessConcurrency: 1, maxWaitMs: 0 },
      opts.clock,
    );
  }

  /** Items compared so far (cheap: the figures themselves compute their intervals). */
  get compared(): number {
    return this.pairsCompared;
  }

  figures(): ShadowFigures {
    return shadowFigures(this.matrix, { seen: this.seen, offered: this.offered, notCompared: this.notCompared });
  }

  /**
   * A frame the live line is about to be given: offered to the candidate by the share, and only when both are free.
   * `liveInHand`: items the live line holds undecided now (this one not yet among them).
   */
  offer(item: LineItem, liveInHand: number): void {
    this.seen++;
    if (item.unreadable !== undefined) return;
    // At most one frame owed: after a busy spell the share resumes, it is not made up in a burst.
    this.credit = Math.min(1, this.credit + this.opts.share);
    if (this.credit < 1 - 1e-9) return;
    if (this.line.undecided > 0 || liveInHand > 0) return;
    this.credit -= 1;
    this.offered++;
    this.waiting.set(item.id, {});
    this.trim();
    this.line.offer(item);
  }

  /** The live line's verdict on a frame (every frame; only those offered are compared). */
  live(d: DecidedItem): void {
    const w = this.waiting.get(d.item.frameId);
    if (!w) return;
    w.live = sideOf(d);
    w.picture = d.picture;
    this.pairIfDone(d.item.frameId, d.item.capturedAt, w);
  }

  /** Waits for the candidate's items in hand (the trial is ending). */
  stop(): Promise<void> {
    return this.line.stop();
  }

  private candidateDecided(d: DecidedItem): void {
    const w = this.waiting.get(d.item.frameId);
    if (!w) return;
    w.candidate = sideOf(d);
    this.pairIfDone(d.item.frameId, d.item.capturedAt, w);
  }

  private pairIfDone(frameId: number, capturedAt: number, w: Waiting): void {
    if (!w.live || !w.candidate) return;
    this.waiting.delete(frameId);
    if (w.live.failSafe || w.candidate.failSafe) {
      this.notCompared++;
      return;
    }
    countPair(this.matrix, w.live.decision, w.candidate.decision);
    this.pairsCompared++;
    this.opts.onPair({ frameId, capturedAt, live: w.live, candidate: w.candidate, picture: w.picture ?? null });
  }

  private trim(): void {
    while (this.waiting.size > MAX_WAITING) {
      const oldest = this.waiting.keys().next().value as number;
      this.waiting.delete(oldest);
      this.notCompared++;
    }
  }
}

function sideOf(d: DecidedItem): SideVerdict {
  const v = d.item.verdict;
  return { decision: v.decision, rejectScore: v.rejectScore, failSafe: v.failSafeReason !== null };
}
