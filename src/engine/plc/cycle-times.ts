/**
 * Each trigger's way through the station (issue 17), in stages: trigger →
 * frame (the camera), frame → decision (the line), decision → command (the
 * result shown to the PLC, which waits while earlier results are not
 * acknowledged), command → confirmation (the ejector, for rejects that expect
 * one), and the PLC's whole cycle, trigger → command. An item's times are
 * complete when nothing more will happen to it; the latest 1,000 of each
 * stage make the histogram Diagnostics draws, and every item's go to the log
 * (plc-cycle-log.ts).
 */
import type { Decision } from '../../shared/decision';
import { CYCLE_STAGES, type CycleStage, type CycleTimes as CycleTimesFigures } from '../../shared/status';
import { percentile } from '../bench/stats';

/** How an item's cycle ended. */
export const CYCLE_ENDINGS = ['shown', 'confirmed', 'missing', 'lost', 'not-shown', 'stopped'] as const;
export type CycleEnding = (typeof CYCLE_ENDINGS)[number];

/** One trigger's times, epoch ms; null where the stage did not happen. */
export interface ItemCycle {
  readonly triggerId: number;
  /** The line's id of the item (the inspection's frame id). */
  readonly itemId: number;
  readonly decision: Decision;
  readonly errorCode: number;
  readonly triggeredAt: number;
  readonly frameAt: number | null;
  readonly decidedAt: number;
  readonly shownAt: number | null;
  readonly confirmedAt: number | null;
  readonly ending: CycleEnding;
}

/** Each stage's length, ms (null: the stage did not happen). */
export function stagesOf(c: ItemCycle): Record<CycleStage, number | null> {
  const between = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.max(0, b - a));
  return {
    frame: between(c.triggeredAt, c.frameAt),
    decision: between(c.frameAt, c.decidedAt),
    command: between(c.decidedAt, c.shownAt),
    confirm: between(c.shownAt, c.confirmedAt),
    total: between(c.triggeredAt, c.shownAt),
  };
}

/** Bucket edges, ms: a line's stages run from a fraction of a millisecond to the reject-confirm time. */
export const CYCLE_EDGES_MS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] as const;
const KEEP = 1000;

export class CycleTimes {
  private readonly latest = new Map<CycleStage, number[]>(CYCLE_STAGES.map((s) => [s, []]));

  record(cycle: ItemCycle): void {
    const stages = stagesOf(cycle);
    for (const stage of CYCLE_STAGES) {
      const ms = stages[stage];
      if (ms === null) continue;
      const kept = this.latest.get(stage)!;
      kept.push(ms);
      if (kept.length > KEEP) kept.shift();
    }
  }

  figures(): CycleTimesFigures {
    return {
      edgesMs: [...CYCLE_EDGES_MS],
      stages: CYCLE_STAGES.map((stage) => {
        const values = this.latest.get(stage)!;
        const counts = new Array<number>(CYCLE_EDGES_MS.length + 1).fill(0);
        for (const v of values) {
          const i = CYCLE_EDGES_MS.findIndex((edge) => v <= edge);
          counts[i < 0 ? CYCLE_EDGES_MS.length : i]!++;
        }
        const sorted = [...values].sort((a, b) => a - b);
        const at = (p: number): number | null => (sorted.length ? Math.round(percentile(sorted, p) * 100) / 100 : null);
        return { stage, counts, n: values.length, p50: at(50), p99: at(99) };
      }),
    };
  }
}
