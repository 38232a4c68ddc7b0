/**
 * The upload targets against real servers: an embedded PostgreSQL, and an
 * HTTP collector that answers 500, hangs or cuts the connection. Rows reach
 * each once, in order, and the counters say what happened.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageConfigSchema, UploadConfigSchema, type UploadConfigInput } from '../../../src/shared/storage-config';
import { sourceWorkerEntries } from '../../../src/engine/rpc/worker-entry';
import { AuditTrail } from '../../../src/engine/storage/audit-trail';
import { openCheckedDatabase } from '../../../src/engine/storage/database';
import type { InspectionRow } from '../../../src/engine/storage/inspection-log';
import { LogClient } from '../../../src/engine/log/log-client';
import { backoffDelay } from '../../../src/engine/upload/uploader';
import { startIngestServer } from '../../helpers/ingest-server';
import { startPostgres, type Postgres } from '../../helpers/postgres';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const row = (frameId: number): InspectionRow => ({
  frameId,
  capturedAt: new Date(1_763_000_000_000 + frameId * 100).toISOString(),
  origin: 'test',
  modelName: 'demo-cherry',
  modelVersion: '1.0.1',
  rejectScore: frameId % 2 ? 0.9 : 0.1,
  scores: { cherry_clean: frameId % 2 ? 0.1 : 0.9, cherry_pit: frameId % 2 ? 0.9 : 0.1 },
  decision: frameId % 2 ? 'pit' : 'clean',
  failSafeReason: null,
  decodeMs: 1.5,
  preprocessMs: 0.2,
  inferenceMs: 3.1,
  decisionMs: 0.01,
  totalMs: 5,
});

async function startLog(dataDir: string, upload: UploadConfigInput): Promise<LogClient> {
  const databasePath = join(dataDir, 'linesight.sqlite');
  openCheckedDatabase(databasePath).db.close();
  return LogClient.start({
    entry: sourceWorkerEntries().log,
    databasePath,
    dataDir,
    stationId: 'line-3',
    storage: StorageConfigSchema.parse({ flushIntervalMs: 20 }),
    upload: UploadConfigSchema.parse({ retryBaseMs: 20, retryMaxMs: 100, idleMs: 20, ...upload }),
  });
}

const drained = (log: LogClient): boolean => log.uploadStatus().length > 0 && log.uploadStatus().every((l) => l.pending === 0);

describe('upload to PostgreSQL', () => {
  const tempDir = useTempDirs();
  let pg: Postgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('creates its tables, stores every inspection and audit entry once, and a batch sent again changes nothing', async () => {
    const dataDir = tempDir();
    const targets = [{ kind: 'postgres' as const, id: 'plant-db', connectionString: pg.connectionString, batchSize: 700 }];
    let log = await startLog(dataDir, { targets });
    const main = new Database(join(dataDir, 'linesight.sqlite'));
    const audit = new AuditTrail(main);
    audit.record({
      at: new Date(),
      actor: 'tech-anna',
      subject: 'thresholds',
      old: { pit: 0.75, maybe: 0.5 },
      new: { pit: 0.7, maybe: 0.45 },
      reason: 'more recall',
    });
    for (let i = 1; i <= 5000; i++) log.append(row(i));
    await log.flush();
    await waitFor('drained to PostgreSQL', () => drained(log), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(log.uploadStatus())}`);
    });
    const lanes = log.uploadStatus();
    expect(lanes.find((l) => l.stream === 'inspections')).toMatchObject({
      target: 'plant-db',
      kind: 'postgres',
      sent: 5000,
      pending: 0,
      lastSeq: 5000,
      lastError: null,
      alreadyPresent: 0,
    });
    expect((await pg.query<{ n: string }>('SELECT COUNT(*) AS n FROM linesight_inspections'))[0]!.n).toBe('5000');
    const stored = await pg.query<{ station_id: string; database_id: string; seq: string; decision: string; scores: Record<string, number> }>(
      'SELECT station_id, database_id, seq, decision, scores FROM linesight_inspections WHERE seq = 7',
    );
    expect(log.databaseId).toMatch(/^[0-9a-f]{32}$/);
    expect(stored[0]).toMatchObject({
      station_id: 'line-3',
      database_id: log.databaseId,
      seq: '7',
      decision: 'pit',
      scores: { cherry_clean: 0.1, cherry_pit: 0.9 },
    });
    expect(await pg.query('SELECT actor, subject, new, reason FROM linesight_audit')).toEqual([
      { actor: 'tech-anna', subject: 'thresholds', new: { pit: 0.7, maybe: 0.45 }, reason: 'more recall' },
    ]);
    await log.close();

    // As if the acknowledgement had been lost: everything goes again, and is stored once.
    main.prepare('UPDATE upload_progress SET last_seq = 0').run();
    main.close();
    log = await startLog(dataDir, { targets });
    await waitFor('sent again', () => log.uploadStatus().find((l) => l.stream === 'inspections')?.sent === 10_000, 30_000);
    expect((await pg.query<{ n: string }>('SELECT COUNT(*) AS n FROM linesight_inspections'))[0]!.n).toBe('5000');
    // New batches that stored nothing: status says the rows were already at the target, rather than stored.
    expect(log.uploadStatus().find((l) => l.stream === 'inspections')!.alreadyPresent).toBe(5000);
    await log.close();
  });

  // The tables as the previous version made them: rows keyed by (station_id, seq), no database id.
  const createOldTables = async (prefix: string): Promise<void> => {
    await pg.query(`CREATE TABLE ${prefix}inspections (
      station_id text NOT NULL, seq bigint NOT NULL, captured_at timestamptz NOT NULL,
      frame_id bigint NOT NULL, origin text, model_name text NOT NULL, model_version text NOT NULL,
      reject_score double precision, scores jsonb, decision text NOT NULL, fail_safe_reason text,
      decode_ms real, preprocess_ms real, inference_ms real, decision_ms real, total_ms real,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (station_id, seq, captured_at))`);
    await pg.query(`CREATE TABLE ${prefix}audit (
      station_id text NOT NULL, seq bigint NOT NULL, at timestamptz NOT NULL, actor text NOT NULL,
      subject text NOT NULL, old jsonb, new jsonb, reason text, PRIMARY KEY (station_id, seq))`);
    for (let seq = 1; seq <= 3; seq++) {
      await pg.query(
        `INSERT INTO ${prefix}inspections (station_id, seq, captured_at, frame_id, model_name, model_version, decision) VALUES ('line-3', $1, now(), $1, 'm', '1', 'clean')`,
        [seq],
      );
    }
    await pg.query(`INSERT INTO ${prefix}audit (station_id, seq, at, actor, subject) VALUES ('line-3', 1, now(), 'tech-old', 'thresholds')`);
  };

  it('upgrades tables of the previous version in place: the rows they held stay, and a new database with the same seqs is stored beside them', async () => {
    await createOldTables('old_');
    const dataDir = tempDir();
    const log = await startLog(dataDir, { targets: [{ kind: 'postgres', id: 'plant-db', connectionString: pg.connectionString, tablePrefix: 'old_' }] });
    try {
      const main = new Database(join(dataDir, 'linesight.sqlite'));
      new AuditTrail(main).record({ at: new Date(), actor: 'tech-new', subject: 'thresholds', old: null, new: { pit: 0.7, maybe: 0.4 }, reason: 'r' });
      main.close();
      for (let i = 1; i <= 5; i++) log.append(row(i));
      await log.flush();
      await waitFor('drained to the upgraded tables', () => drained(log) && log.uploadStatus().every((l) => l.lastSuccessAt !== null), 30_000);
      const byDatabase = await pg.query<{ database_id: string; n: string; seqs: string }>(
        `SELECT database_id, COUNT(*) AS n, string_agg(seq::text, ',' ORDER BY seq) AS seqs FROM old_inspections GROUP BY database_id ORDER BY database_id`,
      );
      expect(byDatabase).toEqual([
        { database_id: '', n: '3', seqs: '1,2,3' },
        { database_id: log.databaseId, n: '5', seqs: '1,2,3,4,5' },
      ]);
      expect(await pg.query('SELECT database_id, actor FROM old_audit ORDER BY actor')).toEqual([
        { database_id: log.databaseId, actor: 'tech-new' },
        { database_id: '', actor: 'tech-old' },
      ]);
      const keys = await pg.query<{ table: string; key: string }>(
        `SELECT conrelid::regclass::text AS table, pg_get_constraintdef(oid) AS key FROM pg_constraint WHERE contype = 'p' AND conrelid::regclass::text LIKE 'old_%' ORDER BY 1`,
      );
      expect(keys).toEqual([
        { table: 'old_audit', key: 'PRIMARY KEY (station_id, database_id, seq)' },
        { table: 'old_inspections', key: 'PRIMARY KEY (station_id, database_id, seq, captured_at)' },
      ]);
    } finally {
      await log.close();
    }
  });

  it('refuses, with what to do, to write into tables of the previous version that it may not upgrade (createTables: false)', async () => {
    await createOldTables('kept_');
    const dataDir = tempDir();
    const targets = [{ kind: 'postgres' as const, id: 'plant-db', connectionString: pg.connectionString, tablePrefix: 'kept_', createTables: false }];
    const log = await startLog(dataDir, { targets });
    try {
      log.append(row(1));
      const lane = await waitFor('a refusal', () => log.uploadStatus().find((l) => l.stream === 'inspections' && l.failures >= 1 && l.lastError), 20_000);
      expect(lane.lastError).toMatch(/kept_inspections has no primary key on \(station_id, database_id, seq, captured_at\).*createTables: true/);
      expect((await pg.query<{ n: string }>('SELECT COUNT(*) AS n FROM kept_inspections'))[0]!.n).toBe('3');
    } finally {
      await log.close();
    }
  });

  it('waits and retries while the database refuses, and says why', async () => {
    const dataDir = tempDir();
    const bad = pg.connectionString.replace(':linesight@', ':wrong-password@');
    const log = await startLog(dataDir, { targets: [{ kind: 'postgres', id: 'plant-db', connectionString: bad, batchSize: 100 }] });
    try {
      log.append(row(1));
      // Between two attempts the lane waits ("retrying"); status read during an attempt says "sending".
      const lane = await waitFor(
        'two failures, then a wait before the next try',
        () => {
          const l = log.uploadStatus().find((x) => x.stream === 'inspections');
          return l && l.failures >= 2 && l.state === 'retrying' && l;
        },
        20_000,
      );
      expect(lane).toMatchObject({ state: 'retrying', pending: 1, sent: 0 });
      expect(lane.lastError).toMatch(/password authentication failed/);
    } finally {
      await log.close();
    }
  });
});

describe('upload over HTTP', () => {
  const tempDir = useTempDirs();

  it('posts NDJSON with a bearer token and an idempotency key, and rides out 500s, hangs and cut connections in order', async () => {
    const collector = await startIngestServer();
    const dataDir = tempDir();
    const log = await startLog(dataDir, { targets: [{ kind: 'http', id: 'collector', url: collector.url, token: 's3cret', batchSize: 50, timeoutMs: 300 }] });
    try {
      for (const behaviour of ['error', 'hang', 'cut'] as const) {
        collector.behave(behaviour);
        for (let i = 0; i < 120; i++) log.append(row(collector.rows('inspections').length + log.pendingRows + i + 1));
        await waitFor(
          `failures while the collector ${behaviour}s`,
          () => (log.uploadStatus().find((l) => l.stream === 'inspections')?.failures ?? 0) >= 2,
          20_000,
        );
        collector.behave('ok');
        await waitFor('drained', () => drained(log), 20_000);
      }
      const seqs = collector.rows('inspections').map((r) => r.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect(collector.rows('inspections')[0]).toMatchObject({ station: 'line-3', database: log.databaseId, stream: 'inspections', seq: 1, decision: 'pit' });
      expect(collector.received[0]!.key).toBe(`line-3:${log.databaseId}:inspections:1-50`);
      expect(new Set(collector.tokens)).toEqual(new Set(['Bearer s3cret']));
      expect(collector.stats.refused).toBeGreaterThan(0);
      const lane = log.uploadStatus().find((l) => l.stream === 'inspections')!;
      expect(lane.lastError).toMatch(/HTTP 500|aborted|timeout|fetch failed|other side closed/i);
      expect(lane.lastSuccessAt).not.toBeNull();
    } finally {
      await log.close();
      await collector.close();
    }
  });

  it('sends a batch, once formed, again with the same rows and key until it is acknowledged, across a restart with another batch size', async () => {
    const collector = await startIngestServer();
    const dataDir = tempDir();
    collector.behave('error');
    let log = await startLog(dataDir, { targets: [{ kind: 'http', id: 'collector', url: collector.url, batchSize: 50, timeoutMs: 300 }] });
    try {
      for (let i = 1; i <= 20; i++) log.append(row(i));
      await waitFor('two refusals', () => (log.uploadStatus().find((l) => l.stream === 'inspections')?.failures ?? 0) >= 2, 20_000);
      // More rows arrive while the batch waits: it does not grow.
      for (let i = 21; i <= 120; i++) log.append(row(i));
      await log.flush();
      await waitFor('a third refusal', () => (log.uploadStatus().find((l) => l.stream === 'inspections')?.failures ?? 0) >= 3, 20_000);
      await log.close();
      collector.behave('ok');
      log = await startLog(dataDir, { targets: [{ kind: 'http', id: 'collector', url: collector.url, batchSize: 500, timeoutMs: 300 }] });
      await waitFor('drained', () => drained(log) && collector.rows('inspections').length === 120, 20_000);
      const key = `line-3:${log.databaseId}:inspections:1-20`;
      const sends = collector.received.filter((r) => r.key.includes(':inspections:'));
      expect(sends.length).toBeGreaterThanOrEqual(5);
      expect(sends.slice(0, -1).map((r) => r.key)).toEqual(sends.slice(0, -1).map(() => key));
      expect(new Set(sends.slice(0, -1).map((r) => r.body)).size).toBe(1); // the very same body each time
      expect(sends.at(-1)!.key).toBe(`line-3:${log.databaseId}:inspections:21-120`);
      expect(collector.rows('inspections').map((r) => r.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    } finally {
      await log.close();
      await collector.close();
    }
  });

  it('backs off with full jitter, capped', () => {
    const max = (attempt: number): number => backoffDelay(attempt, 500, 60_000, () => 0.999_999);
    expect([0, 1, 2, 3].map(max).map(Math.round)).toEqual([500, 1000, 2000, 4000]);
    expect(Math.round(max(20))).toBe(60_000);
    expect(backoffDelay(5, 500, 60_000, () => 0)).toBe(0);
  });
});
