/**
 * A moved-aside database is one that failed its integrity check (issue 11, final review): its id or its own upload
 * progress may be on a damaged page. Guessing either sends rows twice: an id made up for a file that has one uploads
 * its rows again under another key, and a progress of 0 sends again what the plant holds. Such a file is reported
 * unreadable, with the reason, and nothing of it is sent; only a file from before a table (its schema version older
 * than the migration that made it) falls back.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageConfigSchema, UploadConfigSchema } from '../../../src/shared/storage-config';
import { sourceWorkerEntries } from '../../../src/engine/rpc/worker-entry';
import { LATEST_VERSION, openCheckedDatabase, openDatabase, readStoredDatabaseId } from '../../../src/engine/storage/database';
import { InspectionLog, type InspectionRow } from '../../../src/engine/storage/inspection-log';
import { LogClient } from '../../../src/engine/log/log-client';
import { MIGRATIONS } from '../../../src/engine/storage/migrations';
import { asideDatabaseId, AsideUnreadableError } from '../../../src/engine/upload/aside-drain';
import { startIngestServer, type IngestServer } from '../../helpers/ingest-server';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const row = (frameId: number): InspectionRow => ({
  frameId,
  capturedAt: new Date(1_763_000_000_000 + frameId * 100).toISOString(),
  origin: 'test',
  modelName: 'demo-cherry',
  modelVersion: '1.0.1',
  rejectScore: 0.2,
  scores: null,
  decision: 'clean',
  failSafeReason: null,
  decodeMs: null,
  preprocessMs: null,
  inferenceMs: null,
  decisionMs: null,
  totalMs: null,
});

/** A log of this version with 30 inspections, 20 of them acknowledged by the collector, then moved aside. */
function movedAside(dataDir: string, name: string): string {
  const file = join(dataDir, `linesight.corrupt-${name}.sqlite`);
  const db = openDatabase(file);
  const log = new InspectionLog(db, { flushIntervalMs: 10_000, flushRows: 10_000 });
  for (let i = 1; i <= 30; i++) log.append(row(i));
  log.close();
  db.prepare("INSERT INTO upload_progress (target, stream, last_seq, sent) VALUES ('collector', 'inspections', 20, 20)").run();
  // No WAL beside it: the damage below is the file's.
  db.pragma('journal_mode = DELETE');
  db.close();
  return file;
}

/** Overwrites the page that holds `table` (a one-page table: its root) with bytes that are no b-tree page. */
function damageTable(file: string, table: string): void {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const root = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(table) as number;
  db.close();
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (root - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

describe('a damaged moved-aside database', () => {
  const tempDir = useTempDirs();
  let collector: IngestServer;
  beforeAll(async () => {
    collector = await startIngestServer();
  });
  afterAll(async () => {
    await collector?.close();
  });

  it('whose upload progress or database id cannot be read is reported unreadable with the reason, and none of its rows is sent', async () => {
    const dataDir = tempDir();
    const progressDamaged = movedAside(dataDir, '2026-01-01T00-00-00-000Z');
    damageTable(progressDamaged, 'upload_progress');
    const idDamaged = movedAside(dataDir, '2026-01-02T00-00-00-000Z');
    damageTable(idDamaged, 'database_identity');
    const path = join(dataDir, 'linesight.sqlite');
    openCheckedDatabase(path).db.close();

    const log = await LogClient.start({
      entry: sourceWorkerEntries().log,
      databasePath: path,
      dataDir,
      stationId: 'line-3',
      storage: StorageConfigSchema.parse({ flushIntervalMs: 20 }),
      upload: UploadConfigSchema.parse({ retryBaseMs: 20, retryMaxMs: 100, idleMs: 20, targets: [{ kind: 'http', id: 'collector', url: collector.url }] }),
    });
    try {
      // The line's own rows are uploaded meanwhile: the uploader runs, the damaged files are left alone.
      for (let i = 1001; i <= 1005; i++) log.append(row(i));
      await waitFor('the line’s rows uploaded', () => log.uploadStatus().find((l) => l.stream === 'inspections' && l.sent === 5), 30_000);
      const asides = await waitFor('both files seen', () => (log.asideStatus().length === 2 ? log.asideStatus() : null));
      expect(asides).toEqual([
        expect.objectContaining({
          file: progressDamaged,
          state: 'unreadable',
          databaseId: null,
          unsent: null,
          sent: 0,
          problem: expect.stringMatching(/^cannot be read: its upload progress cannot be read \(upload_progress: database disk image is malformed\)$/),
        }),
        expect.objectContaining({
          file: idDamaged,
          state: 'unreadable',
          databaseId: null,
          unsent: null,
          sent: 0,
          problem: expect.stringMatching(/^cannot be read: its database id cannot be read \(database disk image is malformed\)$/),
        }),
      ]);
      // Only the line's five rows reached the collector: not 1–30 again from a progress of 0, nor under a made-up id.
      expect(collector.rows('inspections').map((r) => r['frameId'])).toEqual([1001, 1002, 1003, 1004, 1005]);
    } finally {
      await log.close();
    }
  });

  it('falls back only for a table the file never had: an id from its name before migration 7, none missing after it', () => {
    const dir = tempDir();
    const old = new Database(join(dir, 'old.sqlite'));
    for (const m of MIGRATIONS.slice(0, 6)) old.exec(m.sql);
    old.pragma('user_version = 6');
    expect(readStoredDatabaseId(old)).toBeNull();
    expect(asideDatabaseId(old, join(dir, 'linesight.corrupt-x.sqlite'))).toMatch(/^aside:[0-9a-f]{16}$/);
    old.close();

    const current = openDatabase(join(dir, 'current.sqlite'));
    const id = readStoredDatabaseId(current)!;
    expect(asideDatabaseId(current, 'any')).toBe(id);
    // A file of version 7 or later whose table is gone has lost its id: unreadable, not given one.
    current.exec('DROP TRIGGER database_identity_no_update; DROP TABLE database_identity');
    expect(readStoredDatabaseId(current)).toBeNull();
    expect(() => asideDatabaseId(current, 'any')).toThrow(AsideUnreadableError);
    expect(() => asideDatabaseId(current, 'any')).toThrow(`its database id is missing, though its schema version (${LATEST_VERSION}) has one (migration 7)`);
    current.close();
  });
});
