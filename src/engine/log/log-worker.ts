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
 * tried again (issue 11, item 3). Should it end all the same, the client
 * starts another and sends it what this one held (log-client.ts).
 */
import { AsideDrain } from '../upload/aside-drain';
import { Outbox } from '../upload/outbox';
import { ProgressStore } from '../upload/progress-store';
import { RowReader } from '../upload/row-reader';
import { createUploadTarget, type UploadTarget } from '../upload/targets';
import { Uploader } from '../upload/uploader';
import { applyDatabaseCap, reachedCap } from '../storage/database-cap';
import { connectDatabase, findMovedAside, readDatabaseId, type SqliteDatabase } from '../storage/database';
import { FileIdentity } from '../storage/file-identity';
import { ImageRetention } from '../storage/image-retention';
import { InspectionLog, type InspectionRow } from '../storage/inspection-log';
import { serveWorker } from '../rpc/serve-worker';
import type { LogNote, LogOpen, LogProtocol, NotKeptImage } from './log-protocol';

/** Says what happened: the client hears it (log-client.ts); set once the worker serves. */
let send: (note: LogNote) => void = () => {};

const STATUS_EVERY_MS = 500;
const SWEEP_EVERY_MS = 10_000;
/** Kept images whose write failed and whose row is not yet in the file; past this, the oldest keep their path (a read finds none). */
const MAX_NOT_KEPT = 10_000;

let db: SqliteDatabase | null = null;
let log: InspectionLog | null = null;
let uploader: Uploader | null = null;
let retention: ImageRetention | null = null;
let outbox: Outbox | null = null;
let targets: UploadTarget[] = [];
let asides: AsideDrain[] = [];
const timers: NodeJS.Timeout[] = [];
/** Failed image writes whose row is not in the file yet, by path: the row is written without it (InspectionLog imageNotKept). */
const notKept = new Map<string, NotKeptImage>();
let dropImage: ((image: NotKeptImage, counted: boolean) => boolean) | null = null;
let isInFile: ((row: { capturedAt: string; frameId: number; origin: string }) => boolean) | null = null;
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * An image whose write failed: its row, if in the file, forgets it now; else the row is written without it when it comes.
 * resent: a record a worker that died had been told (log-client.ts): a row of it in the file was committed by that worker,
 * whose count of image bytes died with it; this one counted the images folder as it is, without the file never written.
 */
function imageNotKept(image: NotKeptImage, resent: boolean): void {
  try {
    if (dropImage?.(image, !resent)) return;
  } catch (err) {
    send({ type: 'commit-failed', message: `cannot mark the image ${image.path} as not kept: ${message(err)}` });
  }
  notKept.set(image.path, image);
  if (notKept.size > MAX_NOT_KEPT) notKept.delete(notKept.keys().next().value!);
}

/** Rows sent again after a worker died: those already in the file (committed by it, its word lost) are reported, not written twice. */
function append(rows: readonly InspectionRow[], resent: boolean): void {
  const refused: number[] = [];
  const present: number[] = [];
  for (const row of rows) {
    let found = false;
    if (resent) {
      try {
        found = isInFile?.(row) ?? false;
      } catch {
        found = false; // cannot tell: written (a row twice is better than a row lost)
      }
    }
    if (found) present.push(row.ticket ?? 0);
    else if (log && !log.append(row)) refused.push(row.ticket ?? 0);
  }
  if (present.length > 0) send({ type: 'present', tickets: present });
  if (refused.length > 0) send({ type: 'refused', tickets: refused });
}

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

/** Opens the log, the uploader and the retention; throws (the open fails with the reason) when the file cannot be used. */
function open(m: LogOpen): { databaseId: string } {
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
      // A row whose image failed was written without it (imageNotKept below): its bytes are not on disk.
      for (const r of rows) if (r.imageBytes && !(r.imagePath && notKept.delete(r.imagePath))) images.added(r.imageBytes);
      send({ type: 'committed', rows: c.rows, lastSeq: c.lastSeq, flushMs: c.flushMs, throughTicket: rows.at(-1)?.ticket ?? 0 });
      uploader?.poke();
    },
    imageNotKept: (path) => notKept.has(path),
    // Refused for what they hold (issue 11, final review): the engine counts them and says so; the rest of the batch is on disk.
    onRejected: (rejected) =>
      send({
        type: 'rejected',
        rows: rejected.map(({ row, reason }) => ({ ticket: row.ticket ?? 0, frameId: row.frameId, capturedAt: String(row.capturedAt), reason })),
      }),
    onHealth: (status, recovery) => send({ type: 'writer', status, ...(recovery ? { recovery } : {}) }),
  });
  const forget = database.prepare('UPDATE inspections SET image_path = NULL WHERE captured_at = ? AND image_path = ?');
  dropImage = (image, counted) => {
    if (forget.run(image.capturedAt, image.path).changes === 0) return false;
    if (counted) images.forget(image.bytes);
    return true;
  };
  const find = database.prepare('SELECT 1 FROM inspections WHERE captured_at = ? AND frame_id = ? AND origin = ? LIMIT 1');
  isInFile = (row) => find.get(row.capturedAt, row.frameId, row.origin) !== undefined;
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
  return { databaseId };
}

async function close(): Promise<void> {
  for (const t of timers) clearInterval(t);
  if (log) {
    const lost = log.close();
    if (lost.length > 0) send({ type: 'refused', tickets: lost.map((r) => r.ticket ?? 0) });
    send({ type: 'writer', status: log.status() });
  }
  await uploader?.stop();
  await Promise.allSettled(asides.map((a) => a.stop()));
  await Promise.allSettled(targets.map((t) => t.close()));
  db?.close();
}

const voice = serveWorker<LogProtocol>('log-worker', {
  open,
  calls: {
    flush: () => {
      log?.flush();
      return null;
    },
  },
  tells: {
    append: (m) => append(m.rows, m.resent === true),
    imageNotKept: (m) => {
      for (const image of m.images) imageNotKept(image, m.resent === true);
    },
    cap: (m) => {
      if (db) applyDatabaseCap(db, m.maxBytes);
      // Room may have been made: what waits is tried now rather than at the next retry.
      log?.flush();
    },
  },
  // Whatever fails in closing, the worker says so and still ends: an unhandled rejection would end it without a word.
  close: () => close().catch((err: unknown) => send({ type: 'commit-failed', message: `closing the log failed: ${message(err)}` })),
});
send = (note) => voice.note(note);
