/**
 * The upload targets against real servers: an embedded PostgreSQL, and an
 * HTTP collector that answers 500, hangs or cuts the connection. Rows reach
 * each once, in order, and the counters say what happened.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageConfigSchema, UploadConfigSchema, type UploadConfigInput } from '../../../src/shared/storage-config';
import { sourceWorkerEntries } from '../../../src/main/engine/inference/worker-entry';
import { AuditTrail } from '../../../src/main/engine/storage/audit-trail';
import { openCheckedDatabase } from '../../../src/main/engine/storage/database';
import type { InspectionRow } from '../../../src/main/engine/storage/inspection-log';
import { LogClient } from '../../../src/main/engine/storage/log-client';
import { backoffDelay } from '../../../src/main/engine/upload/uploader';
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
    });
    expect((await pg.query<{ n: string }>('SELECT COUNT(*) AS n FROM linesight_inspections'))[0]!.n).toBe('5000');
    const stored = await pg.query<{ station_id: string; seq: string; decision: string; scores: Record<string, number> }>(
      'SELECT station_id, seq, decision, scores FROM linesight_inspections WHERE seq = 7',
    );
    expect(stored[0]).toMatchObject({ station_id: 'line-3', seq: '7', decision: 'pit', scores: { cherry_clean: 0.1, cherry_pit: 0.9 } });
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
    await log.close();
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
      expect(collector.rows('inspections')[0]).toMatchObject({ station: 'line-3', stream: 'inspections', seq: 1, decision: 'pit' });
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

  it('backs off with full jitter, capped', () => {
    const max = (attempt: number): number => backoffDelay(attempt, 500, 60_000, () => 0.999_999);
    expect([0, 1, 2, 3].map(max).map(Math.round)).toEqual([500, 1000, 2000, 4000]);
    expect(Math.round(max(20))).toBe(60_000);
    expect(backoffDelay(5, 500, 60_000, () => 0)).toBe(0);
  });
});
