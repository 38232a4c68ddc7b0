/**
 * The query worker: a read-only connection to the log for what the UI asks
 * of it (history pages, the what-if sample, CSV exports of up to 200,000
 * rows). better-sqlite3 is synchronous, so these reads run here and never
 * on the thread that serves the UI and feeds the line.
 */
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from './database';
import { exportCsv, imagePathOf, queryPage, scoreSample } from './inspection-queries';
import type { FromQueryWorker, QueryCalls, QueryKind, ToQueryWorker } from './query-protocol';

if (!parentPort) throw new Error('query-worker must run as a worker thread');
const port = parentPort;
const send = (m: FromQueryWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

let db: SqliteDatabase | null = null;

type Handlers = { [K in QueryKind]: (db: SqliteDatabase, args: QueryCalls[K]['args']) => QueryCalls[K]['result'] };

const handlers: Handlers = {
  page: (d, a) => queryPage(d, a.filter, a.limit, a.beforeSeq),
  sample: (d, a) => scoreSample(d, a.window, a.model, a.thresholds, new Date(a.now)),
  export: (d, a) => exportCsv(d, a.filter, a.stationId, new Date(a.now)),
  imagePath: (d, a) => imagePathOf(d, a.seq),
};

port.on('message', (m: ToQueryWorker) => {
  switch (m.type) {
    case 'open':
      try {
        db = new Database(m.databasePath, { readonly: true, fileMustExist: true });
        db.pragma('busy_timeout = 5000');
        send({ type: 'opened' });
      } catch (err) {
        send({ type: 'open-failed', message: (err as Error).message });
      }
      return;
    case 'call': {
      if (!db) return send({ type: 'failed', id: m.id, message: 'the log is not open' });
      try {
        const handler = handlers[m.kind] as (d: SqliteDatabase, args: unknown) => unknown;
        const value = handler(db, m.args);
        const transfer = m.kind === 'export' ? [(value as QueryCalls['export']['result']).csv.buffer as ArrayBuffer] : [];
        send({ type: 'result', id: m.id, value }, transfer);
      } catch (err) {
        send({ type: 'failed', id: m.id, message: (err as Error).message });
      }
      return;
    }
    case 'close':
      db?.close();
      db = null;
      port.close();
      return;
  }
});
