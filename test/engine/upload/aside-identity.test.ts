/**
 * Moved-aside databases from before migration 7 (issue 11, review): migration 7 gives '' to the database it finds
 * holding rows, and a file moved aside by an earlier version has no id at all. Both under (station, '', seq)
 * collide: PostgreSQL drops one's rows through ON CONFLICT DO NOTHING and an HTTP collector sees the same
 * Idempotency-Key. Such a file is uploaded under an id made from its name; and rows a target says it already
 * held are counted ("already at the target"), so a silent drop is at least visible.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageConfigSchema, UploadConfigSchema, type UploadConfigInput } from '../../../src/shared/storage-config';
import { sourceWorkerEntries } from '../../../src/engine/rpc/worker-entry';
import { AuditTrail } from '../../../src/engine/storage/audit-trail';
import { openCheckedDatabase, openDatabase } from '../../../src/engine/storage/database';
import type { InspectionRow } from '../../../src/engine/storage/inspection-log';
import { LogClient } from '../../../src/engine/log/log-client';
import { MIGRATIONS } from '../../../src/engine/storage/migrations';
import { alreadyPresent } from '../../../src/engine/upload/uploader';
import { startIngestServer, type IngestServer } from '../../helpers/ingest-server';
import { startPostgres, type Postgres } from '../../helpers/postgres';
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

/** A log as the version before database ids left it (migrations 1–6): `rows` inspections and one audit entry. */
function logBeforeIds(path: string, firstFrame: number, rows: number): void {
  const db = openDatabase(path, MIGRATIONS.slice(0, 6));
  // Written as that version wrote them: its columns only (today's log writes columns later migrations added).
  const insert = db.prepare(`
    INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, reject_score, scores_json,
      decision, fail_safe_reason, decode_ms, preprocess_ms, inference_ms, decision_ms, total_ms, image_path)
    VALUES (@frameId, @capturedAt, @origin, @modelName, @modelVersion, @rejectScore, NULL,
      @decision, @failSafeReason, @decodeMs, @preprocessMs, @inferenceMs, @decisionMs, @totalMs, NULL)`);
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const { scores: _scores, ...r } = row(firstFrame + i);
      insert.run(r);
    }
  })();
  new AuditTrail(db).record({
    at: new Date(),
    actor: 'tech-old',
    subject: 'thresholds',
    old: null,
    new: { pit: 0.7, maybe: 0.4 },
    reason: `frame ${firstFrame}`,
  });
  db.close();
}

describe('a moved-aside database from before ids', () => {
  const tempDir = useTempDirs();
  let pg: Postgres;
  let collector: IngestServer;
  beforeAll(async () => {
    pg = await startPostgres();
    collector = await startIngestServer();
  }, 120_000);
  afterAll(async () => {
    await collector?.close();
    await pg?.stop();
  });

  async function startLog(dataDir: string, upload: UploadConfigInput): Promise<LogClient> {
    return LogClient.start({
      entry: sourceWorkerEntries().log,
      databasePath: join(dataDir, 'linesight.sqlite'),
      dataDir,
      stationId: 'line-3',
      storage: StorageConfigSchema.parse({ flushIntervalMs: 20 }),
      upload: UploadConfigSchema.parse({ retryBaseMs: 20, retryMaxMs: 100, idleMs: 20, ...upload }),
    });
  }

  it('is uploaded under an id of its own, beside the database migration 7 gave the empty id: no row of either is dropped', async () => {
    const dataDir = tempDir();
    const path = join(dataDir, 'linesight.sqlite');
    // An earlier version moved a corrupt log aside and started a new one, whose seqs restarted at 1.
    logBeforeIds(path, 1, 30);
    const asideFile = join(dataDir, 'linesight.corrupt-2025-11-02T08-00-00-000Z.sqlite');
    renameSync(path, asideFile);
    logBeforeIds(path, 1001, 20);
    // This version opens the new one: migration 7 finds rows in it and gives it ''.
    openCheckedDatabase(path).db.close();

    const log = await startLog(dataDir, {
      targets: [
        { kind: 'postgres', id: 'plant-db', connectionString: pg.connectionString, tablePrefix: 'aside_id_' },
        { kind: 'http', id: 'collector', url: collector.url, batchSize: 7 },
      ],
    });
    try {
      expect(log.databaseId).toBe('');
      const aside = await waitFor(
        'both databases uploaded',
        () => {
          const a = log.asideStatus()[0];
          return a?.state === 'drained' && log.uploadStatus().every((l) => l.pending === 0 && l.lastSuccessAt !== null) && a;
        },
        30_000,
      );
      expect(aside).toMatchObject({ file: asideFile, state: 'drained', unsent: 0, alreadyPresent: 0, problem: null });
      expect(aside.databaseId).toMatch(/^aside:[0-9a-f]{16}$/);
      expect(log.uploadStatus().map((l) => l.alreadyPresent)).toEqual([0, 0, 0, 0]);

      const byId = await pg.query<{ database_id: string; n: string; frames: string }>(
        `SELECT database_id, COUNT(*) AS n, MIN(frame_id) || '-' || MAX(frame_id) AS frames FROM aside_id_inspections GROUP BY database_id ORDER BY database_id`,
      );
      expect(byId).toEqual([
        { database_id: '', n: '20', frames: '1001-1020' },
        { database_id: aside.databaseId, n: '30', frames: '1-30' },
      ]);
      expect(await pg.query('SELECT database_id, reason FROM aside_id_audit ORDER BY reason')).toEqual([
        { database_id: aside.databaseId, reason: 'frame 1' },
        { database_id: '', reason: 'frame 1001' },
      ]);
      const held = collector.rows('inspections');
      expect(held).toHaveLength(50);
      expect(new Set(held.map((r) => `${String(r['database'])}:${r.seq}`)).size).toBe(50);
      expect(new Set(collector.received.map((r) => r.key)).size).toBe(collector.received.length);
    } finally {
      await log.close();
    }
    // The id is the file's for good: the next start uses the same one (its progress and batches are kept under it).
    const again = await startLog(dataDir, { targets: [{ kind: 'http', id: 'collector', url: collector.url }] });
    try {
      const a = await waitFor('the file seen again', () => again.asideStatus()[0]);
      expect(a.databaseId).toBe((await pg.query<{ id: string }>("SELECT DISTINCT database_id AS id FROM aside_id_inspections WHERE database_id <> ''"))[0]!.id);
    } finally {
      await again.close();
    }
  });

  it('rows PostgreSQL already held under the same key are counted as already at the target, not reported as stored', async () => {
    const dataDir = tempDir();
    const path = join(dataDir, 'linesight.sqlite');
    logBeforeIds(path, 1, 20);
    openCheckedDatabase(path).db.close(); // id ''
    // The plant holds seq 1–5 under (line-3, '') already: rows an earlier database of this station sent.
    const targets = [{ kind: 'postgres' as const, id: 'plant-db', connectionString: pg.connectionString, tablePrefix: 'dup_' }];
    let log = await startLog(dataDir, { targets });
    try {
      await waitFor('the tables made', () => log.uploadStatus().some((l) => l.lastSuccessAt !== null), 30_000);
    } finally {
      await log.close();
    }
    await pg.query('DELETE FROM dup_inspections');
    await pg.query(
      `INSERT INTO dup_inspections (station_id, database_id, seq, captured_at, frame_id, model_name, model_version, decision)
       SELECT 'line-3', '', s, to_timestamp((1763000000000 + s * 100) / 1000.0), 90000 + s, 'other', '0', 'clean' FROM generate_series(1, 5) s`,
    );
    const db = openDatabase(path);
    db.prepare("UPDATE upload_progress SET last_seq = 0, sent = 0 WHERE stream = 'inspections'").run();
    db.close();
    log = await startLog(dataDir, { targets });
    try {
      const lane = await waitFor(
        'uploaded again',
        () => log.uploadStatus().find((l) => l.stream === 'inspections' && l.pending === 0 && l.sent === 20),
        30_000,
      );
      expect(lane.alreadyPresent).toBe(5);
      expect((await pg.query<{ n: string }>("SELECT COUNT(*) AS n FROM dup_inspections WHERE model_name = 'other'"))[0]!.n).toBe('5');
    } finally {
      await log.close();
    }
  });

  it('a batch sent again that stores nothing is no news (an earlier try stored it); a new one that stores less is', () => {
    const rows = [{}, {}, {}] as never[];
    expect(alreadyPresent({ resent: false, rows }, { stored: 3 })).toBe(0);
    expect(alreadyPresent({ resent: false, rows }, { stored: 1 })).toBe(2);
    expect(alreadyPresent({ resent: true, rows }, { stored: 0 })).toBe(0);
    expect(alreadyPresent({ resent: true, rows }, { stored: 2 })).toBe(1);
    expect(alreadyPresent({ resent: false, rows }, { stored: null })).toBe(0);
  });
});
