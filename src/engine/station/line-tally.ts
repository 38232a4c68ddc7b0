/**
 * What the line did, for status, Diagnostics and the live view: items seen,
 * decided and in error, decisions by kind, the shift's counts, rates, each
 * stage's latency, and the latest items with their pictures. Fed by the
 * source (arrived) and by the line's `decided` sink (record).
 */
import type { Decision } from '../../shared/decision';
import type { Inspection } from '../../shared/inspection';
import { FrameMemory } from '../frame-memory';
import type { DecidedItem } from '../line/inspection-line';
import { liveInspectionOf } from '../line/inspected-item';
import type { Logger } from '../logger';
import { RateMeter } from '../metrics/rate-meter';
import { ShiftCounts } from '../metrics/shift-counts';
import { StageLatency } from '../metrics/stage-latency';

export class LineTally {
  readonly latency = new StageLatency();
  readonly fps = new RateMeter();
  readonly sourceFps = new RateMeter();
  readonly decisions: Record<Decision, number> = { clean: 0, maybe: 0, pit: 0 };
  readonly frames = { seen: 0, classified: 0, errors: 0 };
  /** The latest inspections and pictures, for the live view. */
  readonly memory = new FrameMemory();
  readonly shiftCounts: ShiftCounts;
  /** performance.now() of the last item the source delivered. */
  lastFrameAt: number | null = null;
  /** The last item in error, in a technician's words (status.lastError). */
  lastError: string | undefined;

  constructor(
    shiftStarts: readonly string[],
    private readonly logger: Logger,
  ) {
    this.shiftCounts = new ShiftCounts(shiftStarts, new Date());
  }

  get decided(): number {
    return this.decisions.clean + this.decisions.maybe + this.decisions.pit;
  }

  /** An item came from the source. */
  arrived(): void {
    this.lastFrameAt = performance.now();
    this.sourceFps.mark();
    this.frames.seen++;
  }

  /** An item was decided: counted, timed and remembered; returns it as the live view shows it. */
  record(d: DecidedItem): Inspection {
    const { item, receivedAt, doneAt, logMs } = d;
    const { verdict, timings } = item;
    if (verdict.counts === 'classified') this.frames.classified++;
    if (verdict.counts === 'error') {
      this.frames.errors++;
      this.lastError = `frame ${item.frameId} (${item.origin}): ${verdict.failSafeReason}`;
      this.logger.warn(this.lastError);
    }
    if (timings.decodeMs !== null) this.latency.record('decode', timings.decodeMs);
    if (timings.preprocessMs !== null) this.latency.record('preprocess', timings.preprocessMs);
    if (timings.inferenceMs !== null) this.latency.record('inference', timings.inferenceMs);
    if (item.decisionMs !== null) this.latency.record('decision', item.decisionMs);
    this.latency.record('log', logMs);
    this.latency.record('total', doneAt - receivedAt);
    this.decisions[verdict.decision]++;
    this.shiftCounts.record(verdict.decision, new Date());
    this.fps.mark();
    const inspection = liveInspectionOf(item);
    this.memory.remember(inspection, d.picture);
    return inspection;
  }
}
