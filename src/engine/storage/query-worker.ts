/**
 * The query worker: a read-only connection to the log for what the UI asks
 * of it (history pages, the what-if sample, CSV exports of up to 200,000
 * rows). better-sqlite3 is synchronous, so these reads run here and never
 * on the thread that serves the UI and feeds the line.
 */
import Database from 'better-sqlite3';
import { serveWorker } from '../rpc/serve-worker';
import { transferring } from '../rpc/rpc-protocol';
import type { SqliteDatabase } from './database';
import { exportCsv, imagePathOf, queryPage, scoreSample } from './inspection-queries';
import type { QueryProtocol } from './query-protocol';

let db: SqliteDatabase | null = null;

function open(): SqliteDatabase {
  if (!db) throw new Error('the log is not open');
  return db;
}

serveWorker<QueryProtocol>('query-worker', {
  open: ({ databasePath }) => {
    db = new Database(databasePath, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return null;
  },
  calls: {
    page: (a) => queryPage(open(), a.filter, a.limit, a.beforeSeq),
    sample: (a) => scoreSample(open(), a.window, a.model, a.thresholds, new Date(a.now)),
    // The CSV's bytes move to the engine rather than being copied.
    export: (a) => {
      const file = exportCsv(open(), a.filter, a.stationId, new Date(a.now));
      return transferring(file, [file.csv.buffer as ArrayBuffer]);
    },
    imagePath: (a) => imagePathOf(open(), a.seq),
  },
  close: () => {
    db?.close();
    db = null;
  },
});
