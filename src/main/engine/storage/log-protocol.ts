/** Messages between the engine and its log worker (the inspections' writer and the uploader). */
import type { StorageConfig, UploadConfig } from '../../../shared/storage-config';
import type { AsideStatus } from '../upload/aside-drain';
import type { UploadLaneStatus } from '../upload/uploader';
import type { InspectionRow, WriterRecovery, WriterStatus } from './inspection-log';

export type ToLogWorker =
  | {
      readonly type: 'open';
      readonly databasePath: string;
      readonly dataDir: string;
      readonly stationId: string;
      readonly storage: StorageConfig;
      readonly upload: UploadConfig;
    }
  | { readonly type: 'append'; readonly rows: readonly InspectionRow[] }
  /** Commit what waits now (the audit trail or a test wants it on disk). */
  | { readonly type: 'flush' }
  /** The log file's cap changed (storage.maxDatabaseBytes; null: none). */
  | { readonly type: 'cap'; readonly maxBytes: number | null }
  | { readonly type: 'close' };

export interface StorageSweep {
  readonly imagesBytes: number;
  readonly databaseBytes: number;
  readonly imagesRemoved: number;
  readonly overCap: boolean;
}

export type FromLogWorker =
  | { readonly type: 'opened'; readonly databaseId: string }
  | { readonly type: 'open-failed'; readonly message: string }
  | { readonly type: 'committed'; readonly rows: number; readonly lastSeq: number; readonly flushMs: number }
  | { readonly type: 'commit-failed'; readonly message: string }
  /** The writer's state: on every change (with the recovery when commits land again) and with each status tick. */
  | { readonly type: 'writer'; readonly status: WriterStatus; readonly recovery?: WriterRecovery }
  | { readonly type: 'flushed' }
  | { readonly type: 'upload'; readonly lanes: readonly UploadLaneStatus[]; readonly asides: readonly AsideStatus[] }
  | ({ readonly type: 'storage' } & StorageSweep)
  | { readonly type: 'closed' };
