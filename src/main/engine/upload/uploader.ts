/**
 * Store and forward: for each target and stream, read the next batch after
 * what the target acknowledged, send it, and only then record it as sent.
 * Batches go one at a time per target and stream, so the order holds. A
 * failure waits a random time up to base × 2^failures, capped (full jitter:
 * many stations coming back after an outage do not all retry at once).
 */
import type { UploadConfig } from '../../../shared/storage-config';
import { STREAMS, type Outbox, type Stream } from './outbox';
import type { UploadTarget } from './targets';

export interface UploadLaneStatus {
  readonly target: string;
  readonly kind: string;
  readonly stream: Stream;
  readonly sent: number;
  readonly pending: number;
  readonly lastSeq: number;
  readonly lastSuccessAt: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  /** idle: nothing to send; sending; retrying: waiting after a failure. */
  readonly state: 'idle' | 'sending' | 'retrying';
  readonly failures: number;
}

/** Full jitter: a random delay in [0, min(cap, base × 2^attempt)). */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return random() * Math.min(capMs, baseMs * 2 ** attempt);
}

interface Lane {
  readonly target: UploadTarget;
  readonly stream: Stream;
  state: UploadLaneStatus['state'];
  failures: number;
}

export class Uploader {
  private readonly lanes: Lane[];
  private stopped = false;
  /** Idle waits, ended by new rows. */
  private readonly wakers = new Set<() => void>();
  /** Every wait, ended by stop(). */
  private readonly waits = new Set<() => void>();
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly outbox: Outbox,
    private readonly targets: readonly UploadTarget[],
    private readonly config: UploadConfig,
    private readonly batchSizeOf: (target: UploadTarget) => number,
  ) {
    for (const t of targets) outbox.register(t.id);
    this.lanes = targets.flatMap((target) => STREAMS.map((stream): Lane => ({ target, stream, state: 'idle', failures: 0 })));
  }

  start(): void {
    for (const lane of this.lanes) this.running.push(this.run(lane));
  }

  /** New rows were committed: idle lanes look now rather than at their next poll. */
  poke(): void {
    for (const wake of [...this.wakers]) wake();
  }

  status(): UploadLaneStatus[] {
    return this.lanes.map((lane) => {
      const p = this.outbox.progress(lane.target.id, lane.stream);
      return {
        target: lane.target.id,
        kind: lane.target.kind,
        stream: lane.stream,
        sent: p.sent,
        pending: Math.max(0, this.outbox.newest(lane.stream) - p.lastSeq),
        lastSeq: p.lastSeq,
        lastSuccessAt: p.lastSuccessAt,
        lastError: p.lastError,
        lastErrorAt: p.lastErrorAt,
        state: lane.state,
        failures: lane.failures,
      };
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const end of [...this.waits]) end();
    await Promise.allSettled(this.running);
    await Promise.allSettled(this.targets.map((t) => t.close()));
  }

  private sleep(ms: number, wakeOnNewRows: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        this.waits.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waits.add(done);
      if (wakeOnNewRows) this.wakers.add(done);
    });
  }

  private async run(lane: Lane): Promise<void> {
    const { target, stream } = lane;
    while (!this.stopped) {
      const after = this.outbox.progress(target.id, stream).lastSeq;
      const batch = this.outbox.read(stream, after, this.batchSizeOf(target));
      if (batch.rows.length === 0) {
        lane.state = 'idle';
        await this.sleep(this.config.idleMs, true);
        continue;
      }
      lane.state = 'sending';
      try {
        await target.send(batch);
        this.outbox.acknowledged(target.id, stream, batch.rows[batch.rows.length - 1]!.seq, batch.rows.length, new Date());
        lane.failures = 0;
      } catch (err) {
        lane.failures++;
        lane.state = 'retrying';
        this.outbox.failed(target.id, stream, (err as Error).message, new Date());
        if (this.stopped) return;
        // Retries are not hurried by new rows: only the timer (or stop) ends the wait.
        await this.sleep(backoffDelay(lane.failures - 1, this.config.retryBaseMs, this.config.retryMaxMs), false);
      }
    }
  }
}
