import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDatabaseCap } from '../../../src/main/engine/storage/database-cap';
import { openDatabase } from '../../../src/main/engine/storage/database';
import { FileIdentity } from '../../../src/main/engine/storage/file-identity';
import { InspectionLog, type InspectionRow, type WriterRecovery, type WriterStatus } from '../../../src/main/engine/storage/inspection-log';
import { reachedCap } from '../../../src/main/engine/storage/database-cap';
import { useTempDirs } from '../../helpers/temp-dir';

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
    db.exec(`CREATE TRIGGER no_writes BEFORE INSERT ON inspections BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    log.flush();
    expect(errors).toEqual(['disk says no']);
    expect(log.pendingRows).toBe(1);
    log.append(row(2));
    db.exec('DROP TRIGGER no_writes');
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
});
