/** Messages between the engine and its log worker (the inspections' writer and the uploader). */
import type { StorageConfig, UploadConfig } from '../../../shared/storage-config';
import type { AsideStatus } from '../upload/aside-drain';
import type { UploadLaneStatus } from '../upload/uploader';
import type { InspectionRow, WriterRecovery, WriterStatus } from '../storage/inspection-log';

export type ToLogWorker =
  | {
      readonly type: 'open';
      readonly databasePath: string;
      readonly dataDir: string;
      readonly stationId: string;
      readonly storage: StorageConfig;
      readonly upload: UploadConfig;
    }
  /**
   * Rows to commit, each with its ticket. resent: rows a worker that died held uncommitted, sent to the next: one it committed
   * before dying (its word lost with it) is found in the file and reported 'present' rather than written twice.
   */
  | { readonly type: 'append'; readonly rows: readonly InspectionRow[]; readonly resent?: boolean }
  /**
   * Kept images whose write failed (image-keeper.ts): their rows must not name them. resent: the client's record of recent
   * ones, sent again to a worker started after one died (which held them): bytes this worker never counted are not forgotten.
   */
  | { readonly type: 'image-not-kept'; readonly images: readonly NotKeptImage[]; readonly resent?: boolean }
  /** Commit what waits now (the audit trail or a test wants it on disk). */
  | { readonly type: 'flush' }
  /** The log file's cap changed (storage.maxDatabaseBytes; null: none). */
  | { readonly type: 'cap'; readonly maxBytes: number | null }
  | { readonly type: 'close' };

export interface NotKeptImage {
  /** Relative to the data dir, as the row names it. */
  readonly path: string;
  /** The row's capturedAt (ISO 8601): how its row is found. */
  readonly capturedAt: string;
  readonly bytes: number;
}

/** A row refused for what it holds, as the engine is told of it. */
export interface RejectedRowInfo {
  readonly ticket: number;
  readonly frameId: number;
  readonly capturedAt: string;
  readonly reason: string;
}

export interface StorageSweep {
  readonly imagesBytes: number;
  readonly databaseBytes: number;
  readonly imagesRemoved: number;
  readonly overCap: boolean;
}

export type FromLogWorker =
  | { readonly type: 'opened'; readonly databaseId: string }
  | { readonly type: 'open-failed'; readonly message: string }
  /** A batch is on disk; throughTicket: the ticket of its last row (every row with a ticket up to it is settled). */
  | { readonly type: 'committed'; readonly rows: number; readonly lastSeq: number; readonly flushMs: number; readonly throughTicket: number }
  /** Rows refused (the queue was full while commits failed, or the worker closed with them waiting): counted as not recorded. */
  | { readonly type: 'refused'; readonly tickets: readonly number[] }
  /** Rows the log refused for what they hold (inspection-log.ts onRejected): not written, never retried; the rest of their batch was. */
  | { readonly type: 'rejected'; readonly rows: readonly RejectedRowInfo[] }
  /** Rows sent again after a worker died that were in the file already. */
  | { readonly type: 'present'; readonly tickets: readonly number[] }
  | { readonly type: 'commit-failed'; readonly message: string }
  /** The writer's state: on every change (with the recovery when commits land again) and with each status tick. */
  | { readonly type: 'writer'; readonly status: WriterStatus; readonly recovery?: WriterRecovery }
  | { readonly type: 'flushed' }
  | { readonly type: 'upload'; readonly lanes: readonly UploadLaneStatus[]; readonly asides: readonly AsideStatus[] }
  | ({ readonly type: 'storage' } & StorageSweep)
  | { readonly type: 'closed' };
