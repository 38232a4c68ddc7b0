/**
 * A log worker that dies is started again (issue 11, review): the rows it held uncommitted and those decided
 * while none ran are committed by the next, each once; the writer says it is failing while none runs and ok
 * after; each stop and return is told; a resent row the dead worker had committed is found, not written twice;
 * the next worker is told again which kept images were never written (issue 11, final review).
 *
 * Nothing here depends on how fast this machine is: what happens "while no worker runs" happens in the
 * listener told of the stop, synchronously, before any restart can come (the restart waits 100 ms, which a
 * loaded 2-core machine may spend before a test polling for the stop even looks).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StorageConfigSchema, UploadConfigSchema } from '../../../src/shared/storage-config';
import { sourceWorkerEntries } from '../../../src/engine/rpc/worker-entry';
import { openCheckedDatabase } from '../../../src/engine/storage/database';
import type { InspectionRow, WriterStatus } from '../../../src/engine/storage/inspection-log';
import { LogClient, NOT_KEPT_RESENT, type LogWorkerChange } from '../../../src/engine/log/log-client';
import type { LogNote, LogProtocol } from '../../../src/engine/log/log-protocol';
import { WorkerLink } from '../../../src/engine/rpc/worker-link';
import { ROOT } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';
/** The file that ends the worker (exiting-log-worker.ts). */
const EXIT_TRIGGER = 'exit-log-worker';

const EXITING_WORKER = { file: join(ROOT, 'test', 'engine', 'storage', 'exiting-log-worker.ts'), execArgv: ['--require', 'tsx/cjs'] };

const row = (frameId: number, image?: { path: string; bytes: number }): InspectionRow => ({
  frameId,
  capturedAt: new Date(1_763_000_000_000 + frameId * 100).toISOString(),
  origin: 'test',
  modelName: 'demo-cherry',
  modelVersion: '1.0.1',
  rejectScore: 0.1,
  scores: { cherry_clean: 0.9, cherry_pit: 0.1 },
  decision: 'clean',
  failSafeReason: null,
  decodeMs: 1,
  preprocessMs: 0.1,
  inferenceMs: 2,
  decisionMs: 0.01,
  totalMs: 3,
  ...(image ? { imagePath: image.path, imageBytes: image.bytes } : {}),
});

function framesOnDisk(path: string): { frame_id: number; n: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT frame_id, COUNT(*) AS n FROM inspections GROUP BY frame_id ORDER BY frame_id').all() as { frame_id: number; n: number }[];
  } finally {
    db.close();
  }
}

describe('the log worker started again', () => {
  const tempDir = useTempDirs();

  async function startLog(dataDir: string, storage: Record<string, unknown> = {}): Promise<LogClient> {
    const databasePath = join(dataDir, 'linesight.sqlite');
    openCheckedDatabase(databasePath).db.close();
    return LogClient.start({
      entry: EXITING_WORKER,
      databasePath,
      dataDir,
      stationId: 'line-3',
      storage: StorageConfigSchema.parse(storage),
      upload: UploadConfigSchema.parse({}),
      restartDelaysMs: [100, 200],
    });
  }

  it('commits what the dead worker held and what was decided meanwhile, each row once, and says so', async () => {
    const dataDir = tempDir();
    // Commits only on flush (or 1,000 rows): the rows appended wait in the worker's queue when it dies.
    const log = await startLog(dataDir, { flushIntervalMs: 10_000, flushRows: 1000, maxWaitingRows: 500 });
    const changes: LogWorkerChange[] = [];
    let atStop: WriterStatus | null = null;
    log.onWorkerChange((c) => {
      changes.push(c);
      if (c.state !== 'down') return;
      atStop = log.writerStatus();
      for (let i = 121; i <= 150; i++) log.append(row(i)); // decided while no worker runs
    });
    try {
      for (let i = 1; i <= 50; i++) log.append(row(i));
      await log.flush();
      expect(log.rowsWritten).toBe(50);
      for (let i = 51; i <= 120; i++) log.append(row(i)); // posted, not committed
      // Queued by the worker, not committed (its status says how many wait in its queue).
      await waitFor('the rows in the worker’s queue', () => log.writerStatus().waitingRows === 70);
      expect(log.pendingRows).toBe(70);
      writeFileSync(join(dataDir, EXIT_TRIGGER), '');
      const down = await waitFor('the worker down', () => changes.find((c) => c.state === 'down'));
      expect(down).toMatchObject({ reason: 'the log writer stopped (exit code 7)', restarts: 0, retryInMs: 100, waitingRows: 70 });
      expect(atStop).toMatchObject({ health: { state: 'failing', fault: { code: 'LOG_WORKER' } }, waitingRows: 70 });
      expect(atStop!.health.fault!.message).toMatch(/^the log writer stopped \(exit code 7\); it is started again/);
      const back = await waitFor('the worker back', () => changes.find((c) => c.state === 'back'), 30_000);
      expect(back).toMatchObject({ restarts: 1, waitingRows: 100, notRecorded: 0 });
      expect(log.restarts).toBe(1);
      expect(log.writerStatus().health.state).toBe('ok');
      for (let i = 151; i <= 200; i++) log.append(row(i));
      await log.flush();
      expect(log.rowsWritten).toBe(200);
      expect(log.pendingRows).toBe(0);
      expect(log.notRecorded).toBe(0);
    } finally {
      await log.close();
    }
    const frames = framesOnDisk(join(dataDir, 'linesight.sqlite'));
    expect(frames.map((f) => f.frame_id)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(frames.filter((f) => f.n > 1)).toEqual([]);
  });

  it('keeps at most maxWaitingRows while no worker runs and counts the rest as not recorded', async () => {
    const dataDir = tempDir();
    const log = await startLog(dataDir, { flushIntervalMs: 20, maxWaitingRows: 100 });
    const changes: LogWorkerChange[] = [];
    let whileDown: WriterStatus | null = null;
    log.onWorkerChange((c) => {
      changes.push(c);
      if (c.state !== 'down') return;
      for (let i = 1; i <= 130; i++) log.append(row(i)); // decided while no worker runs
      whileDown = log.writerStatus();
    });
    try {
      writeFileSync(join(dataDir, EXIT_TRIGGER), '');
      await waitFor('the worker down', () => changes.find((c) => c.state === 'down'));
      expect(whileDown).toMatchObject({ waitingRows: 100, notRecorded: 30 });
      const back = await waitFor('the worker back', () => changes.find((c) => c.state === 'back'), 30_000);
      expect(back).toMatchObject({ waitingRows: 100, notRecorded: 30 });
      await log.flush();
      expect(log.rowsWritten).toBe(100);
      expect(log.pendingRows).toBe(0);
    } finally {
      await log.close();
    }
    expect(framesOnDisk(join(dataDir, 'linesight.sqlite')).map((f) => f.frame_id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('tells the next worker which kept images were never written: a row sent to it again names no such image', async () => {
    const dataDir = tempDir();
    // Commits only on flush: both rows wait in the worker's queue when it dies.
    const log = await startLog(dataDir, { flushIntervalMs: 10_000, flushRows: 1000 });
    const changes: LogWorkerChange[] = [];
    log.onWorkerChange((c) => changes.push(c));
    try {
      const failed = { path: 'images/2026-01-01/1.jpg', bytes: 5000 };
      const kept = { path: 'images/2026-01-01/2.jpg', bytes: 6000 };
      log.append(row(1, failed));
      log.append(row(2, kept));
      // The first image's write failed (image-keeper.ts tells the log); the worker holds that with the rows.
      log.imageNotKept({ path: failed.path, capturedAt: row(1).capturedAt, bytes: failed.bytes });
      await waitFor('the rows in the worker’s queue', () => log.writerStatus().waitingRows === 2);
      writeFileSync(join(dataDir, EXIT_TRIGGER), '');
      await waitFor('the worker back', () => changes.find((c) => c.state === 'back'), 30_000);
      await log.flush();
      expect(log.rowsWritten).toBe(2);
    } finally {
      await log.close();
    }
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    try {
      // Written without the image never written (retention counts only a row's image that is there).
      expect(db.prepare('SELECT frame_id, image_path FROM inspections ORDER BY frame_id').all()).toEqual([
        { frame_id: 1, image_path: null },
        { frame_id: 2, image_path: 'images/2026-01-01/2.jpg' },
      ]);
    } finally {
      db.close();
    }
  });

  it(`keeps the last ${NOT_KEPT_RESENT} failed image writes for the next worker, and no more`, async () => {
    const dataDir = tempDir();
    const log = await startLog(dataDir, { flushIntervalMs: 10_000, flushRows: 100_000, maxWaitingRows: 5000 });
    const changes: LogWorkerChange[] = [];
    log.onWorkerChange((c) => changes.push(c));
    const total = NOT_KEPT_RESENT + 500;
    try {
      for (let i = 1; i <= total; i++) {
        const image = { path: `images/x/${i}.jpg`, bytes: 100 };
        log.append(row(i, image));
        log.imageNotKept({ ...image, capturedAt: row(i).capturedAt });
      }
      await waitFor('the rows in the worker’s queue', () => log.writerStatus().waitingRows === total);
      writeFileSync(join(dataDir, EXIT_TRIGGER), '');
      await waitFor('the worker back', () => changes.find((c) => c.state === 'back'), 30_000);
      await log.flush();
      expect(log.rowsWritten).toBe(total);
    } finally {
      await log.close();
    }
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    try {
      const named = db.prepare('SELECT frame_id FROM inspections WHERE image_path IS NOT NULL ORDER BY frame_id').pluck().all() as number[];
      // The oldest 500 records were not kept for the next worker: those rows keep their path (a read finds no file).
      expect(named).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    } finally {
      db.close();
    }
  });

  it('a worker given rows again finds those already in the file and does not write them twice', async () => {
    const dataDir = tempDir();
    const databasePath = join(dataDir, 'linesight.sqlite');
    openCheckedDatabase(databasePath).db.close();
    const entry = sourceWorkerEntries().log;
    const messages: LogNote[] = [];
    const { link } = await WorkerLink.open<LogProtocol>(
      entry,
      {
        databasePath,
        dataDir,
        stationId: 'line-3',
        storage: StorageConfigSchema.parse({ flushIntervalMs: 10_000 }),
        upload: UploadConfigSchema.parse({}),
      },
      { name: 'the log writer', onNote: (m) => messages.push(m) },
    );
    try {
      const ticketed = (i: number): InspectionRow => ({ ...row(i), ticket: i });
      link.tell('append', { rows: [1, 2, 3].map(ticketed) });
      await link.call('flush', null);
      await waitFor('committed', () => messages.find((m) => m.type === 'committed'));
      expect(messages.find((m) => m.type === 'committed')).toMatchObject({ rows: 3, throughTicket: 3 });
      // As a client sends them after a worker died without saying it had committed 2 and 3.
      link.tell('append', { rows: [2, 3, 4].map(ticketed), resent: true });
      await link.call('flush', null);
      expect(messages.filter((m) => m.type === 'present')).toEqual([{ type: 'present', tickets: [2, 3] }]);
      expect(messages.filter((m) => m.type === 'committed').at(-1)).toMatchObject({ rows: 1, throughTicket: 4 });
    } finally {
      await link.end();
    }
    expect(framesOnDisk(databasePath)).toEqual([1, 2, 3, 4].map((frame_id) => ({ frame_id, n: 1 })));
  });
});
