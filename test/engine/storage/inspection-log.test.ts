import { renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDatabaseCap } from '../../../src/engine/storage/database-cap';
import { openCheckedDatabase, openDatabase } from '../../../src/engine/storage/database';
import { FileIdentity } from '../../../src/engine/storage/file-identity';
import { StorageConfigSchema, UploadConfigSchema } from '../../../src/shared/storage-config';
import { AlarmBoard } from '../../../src/engine/alarms/alarm-board';
import { sourceWorkerEntries } from '../../../src/engine/rpc/worker-entry';
import { silentLogger } from '../../../src/engine/logger';
import { EventLog } from '../../../src/engine/storage/event-log';
import { InspectionLog, type InspectionRow, type RejectedRow, type WriterRecovery, type WriterStatus } from '../../../src/engine/storage/inspection-log';
import { LogClient } from '../../../src/engine/log/log-client';
import type { RejectedRowInfo } from '../../../src/engine/log/log-protocol';
import { MainWrites } from '../../../src/engine/storage/main-writes';
import { StorageMonitor } from '../../../src/engine/log/storage-monitor';
import { reachedCap } from '../../../src/engine/storage/database-cap';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const row = (frameId: number): InspectionRow => ({
  frameId,
  capturedAt: new Date(1_700_000_000_000 + frameId).toISOString(),
  origin: `test:${frameId}`,
  modelName: 'demo-cherry',
  modelVersion: '1.0.0',
  rejectScore: 0.8,
  scores: { cherry_clean: 0.2, cherry_pit: 0.8 },
  decision: 'pit',
  failSafeReason: null,
  decodeMs: 1,
  preprocessMs: 0.1,
  inferenceMs: 2,
  decisionMs: 0.01,
  totalMs: 3.2,
});

describe('InspectionLog', () => {
  const tempDir = useTempDirs();

  it('writes in batches of flushRows, not one transaction per row', () => {
    const db = openDatabase(join(tempDir(), 'log.sqlite'));
    const log = new InspectionLog(db, { flushIntervalMs: 60_000, flushRows: 10 });
    const count = (): number => (db.prepare('SELECT COUNT(*) AS n FROM inspections').get() as { n: number }).n;
    for (let i = 1; i <= 9; i++) log.append(row(i));
    expect(count()).toBe(0);
    expect(log.pendingRows).toBe(9);
    log.append(row(10));
    expect(count()).toBe(10);
    log.append(row(11));
    log.close();
    expect(count()).toBe(11);
    const stored = db.prepare('SELECT * FROM inspections WHERE frame_id = 11').get() as Record<string, unknown>;
    expect(stored['decision']).toBe('pit');
    expect(JSON.parse(stored['scores_json'] as string)).toEqual({ cherry_clean: 0.2, cherry_pit: 0.8 });
    expect(stored['model_version']).toBe('1.0.0');
    expect(stored['inference_ms']).toBe(2);
    db.close();
  });

  it('commits what waits after flushIntervalMs', async () => {
    const db = openDatabase(join(tempDir(), 'log.sqlite'));
    const log = new InspectionLog(db, { flushIntervalMs: 20, flushRows: 1000 });
    log.append(row(1));
    log.append(row(2));
    await new Promise((r) => setTimeout(r, 80));
    expect(log.rowsWritten).toBe(2);
    log.close();
    db.close();
  });

  it('keeps rows when a commit fails, and writes them once it can', () => {
    const db = openDatabase(join(tempDir(), 'log.sqlite'));
    const errors: string[] = [];
    const log = new InspectionLog(db, { flushIntervalMs: 60_000, flushRows: 1000, onError: (e) => errors.push(e.message) });
    log.append(row(1));
    // The storage refuses (SQLITE_READONLY), not the row: a trigger's RAISE would refuse the row itself, for good.
    db.pragma('query_only = 1');
    log.flush();
    expect(errors).toEqual(['attempt to write a readonly database']);
    expect(log.pendingRows).toBe(1);
    expect(log.rowsRejected).toBe(0);
    log.append(row(2));
    db.pragma('query_only = 0');
    log.close();
    expect((db.prepare('SELECT group_concat(frame_id) AS ids FROM inspections').get() as { ids: string }).ids).toBe('1,2');
    db.close();
  });

  it('on a full file keeps at most maxWaitingRows, counts the rest, and commits what waited once there is room', async () => {
    const path = join(tempDir(), 'log.sqlite');
    const db = openDatabase(path);
    const changes: { status: WriterStatus; recovery?: WriterRecovery }[] = [];
    const log = new InspectionLog(db, {
      flushIntervalMs: 5,
      flushRows: 1000,
      maxWaitingRows: 100,
      retryMs: 20,
      file: { path, identity: new FileIdentity(path), capped: () => reachedCap(db) },
      onHealth: (status, recovery) => changes.push({ status, ...(recovery ? { recovery } : {}) }),
    });
    applyDatabaseCap(db, 1); // SQLite keeps it at the current size: full now
    for (let i = 1; i <= 150; i++) log.append(row(i));
    await new Promise((r) => setTimeout(r, 60));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.status.health).toMatchObject({ state: 'failing', fault: { kind: 'full', code: 'SQLITE_FULL' } });
    expect(changes[0]!.status.health.fault!.message).toMatch(/log file is full: .*reached its cap \(storage\.maxDatabaseBytes\)/);
    expect(log.status()).toMatchObject({ waitingRows: 100, maxWaitingRows: 100, notRecorded: 50 });

    applyDatabaseCap(db, null);
    await new Promise((r) => setTimeout(r, 80));
    expect(log.status()).toMatchObject({ waitingRows: 0, notRecorded: 50, health: { state: 'ok' } });
    expect(changes).toHaveLength(2);
    expect(changes[1]!.recovery).toMatchObject({
      committedAfterWait: 100,
      notRecorded: { count: 50, firstFrameId: 101, lastFrameId: 150 },
      episode: { fault: { kind: 'full' } },
    });
    expect(changes[1]!.recovery!.episode.failures).toBeGreaterThan(1); // retried on its interval
    const ids = (db.prepare('SELECT frame_id FROM inspections ORDER BY seq').all() as { frame_id: number }[]).map((r) => r.frame_id);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => i + 1)); // each once, in order
    log.close();
    db.close();
  });

  it('stops committing into a log file that was moved away under it, and says so', () => {
    const dir = tempDir();
    const path = join(dir, 'log.sqlite');
    const db = openDatabase(path);
    const log = new InspectionLog(db, { flushIntervalMs: 60_000, flushRows: 1000, retryMs: 60_000, file: { path, identity: new FileIdentity(path) } });
    log.append(row(1));
    log.flush();
    renameSync(path, join(dir, 'elsewhere.sqlite'));
    log.append(row(2));
    log.flush();
    expect(log.status()).toMatchObject({ waitingRows: 1, health: { state: 'failing', fault: { kind: 'gone' } } });
    expect(log.status().health.fault!.message).toMatch(/was removed, replaced or cannot be opened/);
    log.close();
    db.close();
  });

  describe('a row refused for what it holds (issue 11, final review)', () => {
    /** Rows the log cannot store, each for another reason: a CHECK constraint, data JSON cannot hold, a value SQLite cannot bind. */
    const badRows = (): Record<number, InspectionRow> => ({
      2: { ...row(2), decision: 'bogus' as InspectionRow['decision'] },
      4: { ...row(4), scores: { cherry_clean: 1n as unknown as number } },
      6: { ...row(6), frameId: { not: 'a number' } as unknown as number },
    });
    const framesIn = (db: ReturnType<typeof openDatabase>): number[] => db.prepare('SELECT frame_id FROM inspections ORDER BY seq').pluck().all() as number[];

    it('is refused and counted; the rest of its batch is committed, and the writer stays ok', () => {
      const db = openDatabase(join(tempDir(), 'log.sqlite'));
      const rejected: RejectedRow[] = [];
      const committed: number[][] = [];
      const health: WriterStatus[] = [];
      const log = new InspectionLog(db, {
        flushIntervalMs: 60_000,
        flushRows: 1000,
        onRejected: (rows) => rejected.push(...rows),
        onCommitted: (_c, rows) => committed.push(rows.map((r) => r.frameId)),
        onHealth: (status) => health.push(status),
      });
      const bad = badRows();
      for (let i = 1; i <= 7; i++) log.append(bad[i] ?? row(i));
      log.flush();
      expect(framesIn(db)).toEqual([1, 3, 5, 7]);
      expect(committed).toEqual([[1, 3, 5, 7]]);
      expect(rejected.map((r) => r.row)).toEqual([bad[2], bad[4], bad[6]]);
      expect(rejected[0]!.reason).toMatch(/CHECK constraint failed/);
      expect(rejected[1]!.reason).toMatch(/BigInt/);
      expect(rejected[2]!.reason).toMatch(/bind|type/i);
      expect(log.rowsRejected).toBe(3);
      expect(log.rowsWritten).toBe(4);
      // Not retried, and nothing waits: the rows after it are written at once.
      expect(log.pendingRows).toBe(0);
      expect(log.status().health).toMatchObject({ state: 'ok', failures: 0 });
      expect(health).toEqual([]);
      for (let i = 8; i <= 10; i++) log.append(row(i));
      log.flush();
      expect(framesIn(db)).toEqual([1, 3, 5, 7, 8, 9, 10]);
      log.close();
      db.close();
    });

    it('through the log worker: counted in status ("rows refused for their content") and told as an event, the line\'s rows after it written', async () => {
      const dataDir = tempDir();
      const databasePath = join(dataDir, 'linesight.sqlite');
      const db = openCheckedDatabase(databasePath).db;
      const writes = new MainWrites(db, { path: databasePath });
      const events = new EventLog(db, writes);
      const log = await LogClient.start({
        entry: sourceWorkerEntries().log,
        databasePath,
        dataDir,
        stationId: 'line-3',
        storage: StorageConfigSchema.parse({ flushIntervalMs: 20 }),
        upload: UploadConfigSchema.parse({}),
      });
      const told: RejectedRowInfo[] = [];
      log.onRowsRejected((rows) => told.push(...rows));
      const monitor = new StorageMonitor({
        config: StorageConfigSchema.parse({}),
        databasePath,
        log,
        writes,
        events,
        alarms: new AlarmBoard(() => {}),
        logger: silentLogger,
      });
      try {
        const bad = badRows();
        for (let i = 1; i <= 3; i++) log.append(bad[i] ?? row(i));
        await log.flush();
        for (let i = 4; i <= 5; i++) log.append(row(i));
        await log.flush();
        expect(log.rowsWritten).toBe(4);
        expect(log.rowsRejected).toBe(1);
        expect(log.pendingRows).toBe(0);
        expect(log.notRecorded).toBe(0);
        expect(log.writerStatus().health.state).toBe('ok');
        expect(told).toEqual([{ ticket: 2, frameId: 2, capturedAt: row(2).capturedAt, reason: expect.stringMatching(/CHECK constraint failed/) }]);
        expect(monitor.databaseStatus()).toMatchObject({ rowsRejected: 1, rowsNotRecorded: 0, writes: 'ok' });
        const event = await waitFor('the event', () => events.recent(5).find((e) => e.kind === 'storage'));
        expect(event.severity).toBe('warning');
        expect(event.message).toMatch(
          /^1 decided row\(s\) were refused by the log for their content and not recorded \(frame 2, captured .*\): CHECK constraint failed.*; the rest of their batch was committed \(1 refused since start\)$/,
        );
      } finally {
        await log.close();
        events.close();
        db.close();
      }
      const file = new Database(databasePath, { readonly: true });
      try {
        expect(framesIn(file)).toEqual([1, 3, 4, 5]);
      } finally {
        file.close();
      }
    });
  });
});
