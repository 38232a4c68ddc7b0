/**
 * Starts a log worker and opens the log in it (log-worker.ts): the first at start, and each one started again
 * after a worker died (log-client.ts).
 */
import type { StorageConfig, UploadConfig } from '../../shared/storage-config';
import type { WorkerEntry } from '../rpc/worker-entry';
import { RpcError, WorkerLink } from '../rpc/worker-link';
import type { LogNote, LogProtocol } from './log-protocol';
import { messageOf } from '../error-message';

export class LogWorkerError extends Error {
  override readonly name = 'LogWorkerError';
}

/** What a worker needs to open the log. */
export interface LogWorkerOpen {
  readonly entry: WorkerEntry;
  readonly databasePath: string;
  readonly dataDir: string;
  readonly stationId: string;
  readonly storage: StorageConfig;
  readonly upload: UploadConfig;
}

type Link = WorkerLink<LogProtocol>;

/** A worker with the log open, or a LogWorkerError (the worker is ended). What it says and its death go to `hear`. */
export async function openLogWorker(
  opts: LogWorkerOpen,
  hear: { onNote: (link: Link, note: LogNote) => void; onDeath: (link: Link, reason: string) => void },
): Promise<{ worker: Link; databaseId: string }> {
  const { databasePath, dataDir, stationId, storage, upload } = opts;
  let link: Link | null = null;
  try {
    const opened = await WorkerLink.open<LogProtocol>(
      opts.entry,
      { databasePath, dataDir, stationId, storage, upload },
      {
        name: 'the log writer',
        exitWords: (code) => `the log writer stopped (exit code ${code})`,
        // Heard from the start: a worker that is no longer the one running is not heard (log-client.ts's heard() and lost() check).
        onNote: (note) => link && hear.onNote(link, note),
        onDeath: (reason) => link && hear.onDeath(link, reason),
      },
    );
    link = opened.link;
    return { worker: opened.link, databaseId: opened.opened.databaseId };
  } catch (err) {
    const answered = err instanceof RpcError && err.answered;
    throw new LogWorkerError(answered ? `the log worker cannot open ${databasePath}: ${messageOf(err)}` : messageOf(err));
  }
}
