/**
 * Store and forward: for each target and stream, take the next fixed batch
 * (outbox.ts), send it, and only then record it as sent. Batches go one at a
 * time per target and stream, so the order holds. A failure waits a random
 * time up to base × 2^failures, capped (full jitter: many stations coming
 * back after an outage do not all retry at once).
 *
 * Nothing here may throw out of a lane: forming a batch or recording an
 * acknowledgement writes to the log, and a full disk makes those writes fail
 * (issue 11, item 3). Such a failure is a retry like any other: a batch the
 * target stored but that could not be recorded here is sent again, the same
 * batch with the same key, and stored once.
 */
import type { UploadConfig } from '../../shared/storage-config';
import type { UploadLaneStatus } from '../../shared/status';
import { STREAMS, type Outbox, type OutboxBatch, type Stream } from './outbox';
import { RowsUnreadableError } from './row-reader';
import type { SendResult, UploadTarget } from './targets';

/** A lane as status shows it: the contract's shape (src/shared/status.ts), typed once. */
export type { UploadLaneStatus };

/**
 * Rows of an acknowledged batch that the target already held: a batch formed before this try may have been stored by an
 * earlier one whose answer was lost, so none stored is no news there; any other shortfall is rows the target held under the
 * same key before (another database's rows with the same id, as migration 7's '' for two files did).
 */
export function alreadyPresent(batch: Pick<OutboxBatch, 'resent' | 'rows'>, result: SendResult): number {
  if (result.stored === null) return 0;
  const missing = Math.max(0, batch.rows.length - result.stored);
  return batch.resent && result.stored === 0 ? 0 : missing;
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
  /** The last failure when it could not be written to the log (a full disk), so status still says why. */
  unrecordedError: { readonly message: string; readonly at: string } | null;
  /** Rows the target said it already held, since start. */
  alreadyPresent: number;
}

export interface UploaderOptions {
  /**
   * The rows themselves cannot be read (a corrupt moved-aside file): the lane stops and this is told.
   * Without it, the lane retries like after any other failure.
   */
  readonly onUnreadable?: (stream: Stream, err: RowsUnreadableError) => void;
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
    targets: readonly UploadTarget[],
    private readonly config: UploadConfig,
    private readonly batchSizeOf: (target: UploadTarget) => number,
    private readonly options: UploaderOptions = {},
  ) {
    this.lanes = targets.flatMap((target) =>
      STREAMS.map((stream): Lane => ({ target, stream, state: 'idle', failures: 0, unrecordedError: null, alreadyPresent: 0 })),
    );
  }

  start(): void {
    // run() catches what it awaits; this catch is for the unforeseen, since an unhandled rejection ends the log worker (Node 20).
    for (const lane of this.lanes)
      this.running.push(
        this.run(lane).catch((err: unknown) => {
          lane.state = 'idle';
          lane.unrecordedError = { message: `the upload lane stopped: ${err instanceof Error ? err.message : String(err)}`, at: new Date().toISOString() };
        }),
      );
  }

  /** Rows the targets said they already held, since start, over every lane. */
  get alreadyPresent(): number {
    return this.lanes.reduce((n, lane) => n + lane.alreadyPresent, 0);
  }

  /** New rows were committed: idle lanes look now rather than at their next poll. */
  poke(): void {
    for (const wake of [...this.wakers]) wake();
  }

  status(): UploadLaneStatus[] {
    return this.lanes.map((lane) => {
      const p = this.outbox.progress(lane.target.id, lane.stream);
      const local = lane.unrecordedError;
      const localNewer = local !== null && (p.lastErrorAt === null || local.at > p.lastErrorAt);
      return {
        target: lane.target.id,
        kind: lane.target.kind,
        stream: lane.stream,
        sent: p.sent,
        pending: Math.max(0, this.outbox.newest(lane.stream) - p.lastSeq),
        lastSeq: p.lastSeq,
        lastSuccessAt: p.lastSuccessAt,
        lastError: localNewer ? local.message : p.lastError,
        lastErrorAt: localNewer ? local.at : p.lastErrorAt,
        state: lane.state,
        failures: lane.failures,
        alreadyPresent: lane.alreadyPresent,
      };
    });
  }

  /** Ends every lane (a send in flight is awaited). The targets are the caller's to close: lanes of several databases share them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const end of [...this.waits]) end();
    await Promise.allSettled(this.running);
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
      let batch;
      try {
        batch = this.outbox.next(target.id, stream, this.batchSizeOf(target), new Date());
      } catch (err) {
        if (err instanceof RowsUnreadableError && this.options.onUnreadable) {
          lane.state = 'idle';
          this.options.onUnreadable(stream, err);
          return;
        }
        // Reading the rows or writing the batch's bounds failed (a full disk): try again later.
        await this.retryAfter(lane, `cannot prepare a batch: ${(err as Error).message}`);
        continue;
      }
      if (batch === null) {
        lane.state = 'idle';
        await this.sleep(this.config.idleMs, true);
        continue;
      }
      lane.state = 'sending';
      let result: SendResult;
      try {
        result = await target.send(batch);
      } catch (err) {
        await this.retryAfter(lane, (err as Error).message);
        continue;
      }
      lane.alreadyPresent += alreadyPresent(batch, result);
      try {
        this.outbox.acknowledged(target.id, batch, new Date());
        lane.failures = 0;
        lane.unrecordedError = null;
      } catch (err) {
        // The target holds the batch but the log cannot say so: the same batch goes again, under the same key.
        await this.retryAfter(lane, `sent, but the acknowledgement cannot be recorded: ${(err as Error).message}`);
      }
    }
  }

  private async retryAfter(lane: Lane, message: string): Promise<void> {
    lane.failures++;
    lane.state = 'retrying';
    const at = new Date();
    try {
      this.outbox.failed(lane.target.id, lane.stream, message, at);
      lane.unrecordedError = null;
    } catch {
      lane.unrecordedError = { message, at: at.toISOString() };
    }
    if (this.stopped) return;
    // Retries are not hurried by new rows: only the timer (or stop) ends the wait.
    await this.sleep(backoffDelay(lane.failures - 1, this.config.retryBaseMs, this.config.retryMaxMs), false);
  }
}
