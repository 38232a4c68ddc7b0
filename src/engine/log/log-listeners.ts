/**
 * Who is told what the log does (log-client.ts): commits, the writer failing and recovering, rows refused for
 * what they held, and the worker stopping and coming back. A listener that throws is skipped: its failure must
 * not end the thread that serves the line.
 */
import type { WriterRecovery, WriterStatus } from '../storage/inspection-log';
import type { RejectedRowInfo } from './log-protocol';

/** The log worker stopped (down) or runs again (back). */
export interface LogWorkerChange {
  readonly state: 'down' | 'back';
  /** Why it stopped (for back: the stop it is back from). */
  readonly reason: string;
  /** When it stopped, ISO 8601. */
  readonly since: string;
  readonly at: string;
  /** Workers started again since start (back: this one included). */
  readonly restarts: number;
  /** down: the wait before the next start. */
  readonly retryInMs: number | null;
  /** down: decided rows kept for the next worker; back: rows sent to it. */
  readonly waitingRows: number;
  /** Rows counted as not recorded since it stopped (past storage.maxWaitingRows while it was down). */
  readonly notRecorded: number;
}

class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();

  add(listener: (...args: A) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  tell(...args: A): void {
    for (const l of this.set) {
      try {
        l(...args);
      } catch {
        // see the file's comment
      }
    }
  }
}

export class LogListeners {
  readonly committed = new Listeners<[rows: number, lastSeq: number]>();
  readonly writer = new Listeners<[status: WriterStatus, recovery?: WriterRecovery]>();
  readonly rejected = new Listeners<[rows: readonly RejectedRowInfo[]]>();
  readonly worker = new Listeners<[change: LogWorkerChange]>();
}
