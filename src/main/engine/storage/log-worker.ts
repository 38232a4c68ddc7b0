/**
 * The log worker: its own SQLite connection for the inspections (batched
 * commits with synchronous=FULL, an fsync each), the uploader that drains
 * the outbox to the plant's databases, and the image retention. All of it
 * synchronous I/O or CPU work that must never hold up the thread serving the
 * UI; here it holds up only this thread.
 */
import { parentPort } from 'node:worker_threads';
import { Outbox } from '../upload/outbox';
import { createUploadTarget } from '../upload/targets';
import { Uploader } from '../upload/uploader';
import { connectDatabase, type SqliteDatabase } from './database';
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
let targetIds: string[] = [];
const timers: NodeJS.Timeout[] = [];

function sweep(): void {
  if (!retention || !outbox) return;
  try {
    const result = retention.sweep(outbox.uploadedThrough('inspections', targetIds), new Date());
    send({ type: 'storage', imagesBytes: result.imagesBytes, databaseBytes: result.databaseBytes, imagesRemoved: result.removed, overCap: result.overCap });
  } catch (err) {
    send({ type: 'commit-failed', message: `image retention failed: ${(err as Error).message}` });
  }
}

function open(m: Extract<ToLogWorker, { type: 'open' }>): void {
  try {
    db = connectDatabase(m.databasePath);
    const images = new ImageRetention(db, m.dataDir, m.databasePath, m.storage);
    retention = images;
    log = new InspectionLog(db, {
      flushIntervalMs: m.storage.flushIntervalMs,
      flushRows: m.storage.flushRows,
      onError: (err) => send({ type: 'commit-failed', message: err.message }),
      onCommitted: (c, rows) => {
        for (const r of rows) if (r.imageBytes) images.added(r.imageBytes);
        send({ type: 'committed', rows: c.rows, lastSeq: c.lastSeq, flushMs: c.flushMs });
        uploader?.poke();
      },
    });
    outbox = new Outbox(db);
    const targets = m.upload.targets.map((t) => createUploadTarget(t, m.stationId));
    const batchSizes = new Map(m.upload.targets.map((t) => [t.id, t.batchSize]));
    targetIds = targets.map((t) => t.id);
    uploader = new Uploader(outbox, targets, m.upload, (t) => batchSizes.get(t.id) ?? 1000);
    uploader.start();
    timers.push(setInterval(() => uploader && send({ type: 'upload', lanes: uploader.status() }), STATUS_EVERY_MS));
    timers.push(setInterval(sweep, SWEEP_EVERY_MS));
    sweep();
    send({ type: 'opened' });
  } catch (err) {
    send({ type: 'open-failed', message: (err as Error).message });
  }
}

async function close(): Promise<void> {
  for (const t of timers) clearInterval(t);
  log?.close();
  await uploader?.stop();
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
    case 'close':
      void close();
  }
});
