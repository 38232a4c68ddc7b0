/** What the engine and its log worker (the inspections' writer and the uploader) say to each other. */
import type { StorageConfig, UploadConfig } from '../../shared/storage-config';
import type { AsideStatus } from '../upload/aside-drain';
import type { UploadLaneStatus } from '../upload/uploader';
import type { InspectionRow, WriterRecovery, WriterStatus } from '../storage/inspection-log';

/** What the log worker is opened with. */
export interface LogOpen {
  readonly databasePath: string;
  readonly dataDir: string;
  readonly stationId: string;
  readonly storage: StorageConfig;
  readonly upload: UploadConfig;
}

/** The log worker's protocol (rpc/rpc-protocol.ts). */
export type LogProtocol = {
  open: { args: LogOpen; result: { readonly databaseId: string } };
  calls: {
    /** Commit what waits now (the audit trail or a test wants it on disk); answered once it was tried. */
    flush: { args: null; result: null };
  };
  tells: {
    /**
     * Rows to commit, each with its ticket. resent: rows a worker that died held uncommitted, sent to the next: one it committed
     * before dying (its word lost with it) is found in the file and reported 'present' rather than written twice.
     */
    append: { readonly rows: readonly InspectionRow[]; readonly resent?: boolean };
    /**
     * Kept images whose write failed (image-keeper.ts): their rows must not name them. resent: the client's record of recent
     * ones, sent again to a worker started after one died (which held them): bytes this worker never counted are not forgotten.
     */
    imageNotKept: { readonly images: readonly NotKeptImage[]; readonly resent?: boolean };
    /** The log file's cap changed (storage.maxDatabaseBytes; null: none). */
    cap: { readonly maxBytes: number | null };
  };
  notes: LogNote;
};

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

/** What the log worker says unasked. */
export type LogNote =
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
  | { readonly type: 'upload'; readonly lanes: readonly UploadLaneStatus[]; readonly asides: readonly AsideStatus[] }
  | ({ readonly type: 'storage' } & StorageSweep);
