/**
 * The log worker: its own SQLite connection for the inspections (batched
 * commits with synchronous=FULL, an fsync each), the uploader that drains
 * the outbox to the plant's databases (and what moved-aside databases had
 * not sent), and the image retention. All of it synchronous I/O or CPU work
 * that must never hold up the thread serving the UI; here it holds up only
 * this thread.
 *
 * Nothing that fails here may end the worker: a full disk fails the commit,
 * the batch bookkeeping and the retention alike, and each is reported and
 * tried again (issue 11, item 3).
 */
import { parentPort } from 'node:worker_threads';
import { AsideDrain } from '../upload/aside-drain';
import { Outbox } from '../upload/outbox';
import { ProgressStore } from '../upload/progress-store';
import { RowReader } from '../upload/row-reader';
import { createUploadTarget, type UploadTarget } from '../upload/targets';
import { Uploader } from '../upload/uploader';
import { applyDatabaseCap, reachedCap } from './database-cap';
import { connectDatabase, findMovedAside, readDatabaseId, type SqliteDatabase } from './database';
import { FileIdentity } from './file-identity';
import { ImageRetention } from './image-retention';
import { InspectionLog } from './inspection-log';
import type { FromLogWorker, ToLogWorker } from './log-protocol';

if (!parentPort) throw new Error('log-worker must run as a worker thread');
const port = parentPort;
const send = (m: FromLogWorker): void => port.postMessage(m);

const STATUS_EVERY_MS = 500;
const SWEEP_EVERY_MS = 10_000;

let db: SqliteDatabase | null = null;
let log: InspectionLog | null = null;
let uploader: Uploader | null = null;
let retention: ImageRetention | null = null;
let outbox: Outbox | null = null;
let targets: UploadTarget[] = [];
let asides: AsideDrain[] = [];
const timers: NodeJS.Timeout[] = [];

function sweep(): void {
  if (!retention || !outbox) return;
  try {
    const ids = targets.map((t) => t.id);
    const result = retention.sweep(outbox.uploadedThrough('inspections', ids), new Date());
    send({ type: 'storage', imagesBytes: result.imagesBytes, databaseBytes: result.databaseBytes, imagesRemoved: result.removed, overCap: result.overCap });
  } catch (err) {
    send({ type: 'commit-failed', message: `image retention failed: ${(err as Error).message}` });
  }
}

function tellStatus(): void {
  if (log) send({ type: 'writer', status: log.status() });
  if (!uploader) return;
  try {
    send({ type: 'upload', lanes: uploader.status(), asides: asides.map((a) => a.status()) });
  } catch (err) {
    send({ type: 'commit-failed', message: `upload status cannot be read: ${(err as Error).message}` });
  }
}

function open(m: Extract<ToLogWorker, { type: 'open' }>): void {
  try {
    const database = connectDatabase(m.databasePath);
    db = database;
    applyDatabaseCap(database, m.storage.maxDatabaseBytes);
    const images = new ImageRetention(database, m.dataDir, m.databasePath, m.storage);
    retention = images;
    log = new InspectionLog(database, {
      flushIntervalMs: m.storage.flushIntervalMs,
      flushRows: m.storage.flushRows,
      maxWaitingRows: m.storage.maxWaitingRows,
      file: { path: m.databasePath, identity: new FileIdentity(m.databasePath), capped: () => reachedCap(database) },
      onError: (err) => send({ type: 'commit-failed', message: err.message }),
      onCommitted: (c, rows) => {
        for (const r of rows) if (r.imageBytes) images.added(r.imageBytes);
        send({ type: 'committed', rows: c.rows, lastSeq: c.lastSeq, flushMs: c.flushMs });
        uploader?.poke();
      },
      onHealth: (status, recovery) => send({ type: 'writer', status, ...(recovery ? { recovery } : {}) }),
    });
    const databaseId = readDatabaseId(database);
    outbox = new Outbox(new RowReader(database), new ProgressStore(database, ''), databaseId);
    targets = m.upload.targets.map((t) => createUploadTarget(t, m.stationId));
    const batchSizes = new Map(m.upload.targets.map((t) => [t.id, t.batchSize]));
    const batchSizeOf = (t: UploadTarget): number => batchSizes.get(t.id) ?? 1000;
    uploader = new Uploader(outbox, targets, m.upload, batchSizeOf);
    uploader.start();
    asides = findMovedAside(m.databasePath).map((file) => AsideDrain.start(file, database, targets, m.upload, batchSizeOf));
    timers.push(setInterval(tellStatus, STATUS_EVERY_MS));
    timers.push(setInterval(sweep, SWEEP_EVERY_MS));
    sweep();
    send({ type: 'opened', databaseId });
  } catch (err) {
    send({ type: 'open-failed', message: (err as Error).message });
  }
}

async function close(): Promise<void> {
  for (const t of timers) clearInterval(t);
  log?.close();
  if (log) send({ type: 'writer', status: log.status() });
  await uploader?.stop();
  await Promise.allSettled(asides.map((a) => a.stop()));
  await Promise.allSettled(targets.map((t) => t.close()));
  db?.close();
  send({ type: 'closed' });
  port.close();
}

port.on('message', (m: ToLogWorker) => {
  switch (m.type) {
    case 'open':
      return open(m);
    case 'append':
      for (const row of m.rows) log?.append(row);
      return;
    case 'flush':
      log?.flush();
      return send({ type: 'flushed' });
    case 'cap':
      if (db) applyDatabaseCap(db, m.maxBytes);
      // Room may have been made: what waits is tried now rather than at the next retry.
      log?.flush();
      return;
    case 'close':
      void close();
  }
});
