/**
 * Each PLC trigger's times in the log (migration 15, engine/plc/cycle-times.ts).
 * One row a trigger, written in a batch once a second on the main thread —
 * one small transaction a second, not one a trigger — through MainWrites, so
 * a failing disk is seen like every other write. While the log cannot be
 * written, rows wait in a bounded queue (past it they are counted, not kept).
 */
import type { ItemCycle } from './cycle-times';
import { stagesOf } from './cycle-times';
import { BoundedQueue } from '../storage/bounded-queue';
import type { SqliteDatabase } from '../storage/database';
import type { MainWrites } from '../storage/main-writes';

const FLUSH_MS = 1000;
const MAX_WAITING = 20_000;

export interface PlcCycleRow {
  readonly triggerId: number;
  readonly itemId: number;
  readonly triggeredAt: string;
  readonly decision: string;
  readonly errorCode: number;
  readonly frameMs: number | null;
  readonly decisionMs: number | null;
  readonly commandMs: number | null;
  readonly confirmMs: number | null;
  readonly ending: string;
}

export class PlcCycleLog {
  private readonly insert;
  private readonly queue = new BoundedQueue<ItemCycle>(MAX_WAITING);
  private readonly timer: NodeJS.Timeout;
  /** Rows not written: too many waited for a log that could not be written, or refused. */
  notRecorded = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: MainWrites,
  ) {
    this.insert = db.prepare(
      `INSERT INTO plc_cycles (trigger_id, item_id, triggered_at, decision, error_code, frame_ms, decision_ms, command_ms, confirm_ms, ending)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  add(cycle: ItemCycle): void {
    if (!this.queue.push(cycle)) this.notRecorded++;
  }

  /** Writes what waits; on a storage fault it waits for the next try. */
  flush(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue.takeAll();
    const outcome = this.writes.tryWrite(() => {
      for (const c of batch) {
        const s = stagesOf(c);
        this.insert.run(
          c.triggerId,
          c.itemId,
          new Date(c.triggeredAt).toISOString(),
          c.decision,
          c.errorCode,
          s.frame,
          s.decision,
          s.command,
          s.confirm,
          c.ending,
        );
      }
    });
    if (outcome.written) return;
    // Only a failing storage is worth another try; a row refused for itself (a bug) would be refused forever.
    if ('fault' in outcome) this.queue.restore(batch);
    else this.notRecorded += batch.length;
  }

  /** The newest rows, newest first (Diagnostics' export, tests). */
  recent(limit: number): PlcCycleRow[] {
    return this.db
      .prepare(
        `SELECT trigger_id AS triggerId, item_id AS itemId, triggered_at AS triggeredAt, decision, error_code AS errorCode, frame_ms AS frameMs,
         decision_ms AS decisionMs, command_ms AS commandMs, confirm_ms AS confirmMs, ending FROM plc_cycles ORDER BY id DESC LIMIT ?`,
      )
      .all(limit) as PlcCycleRow[];
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
