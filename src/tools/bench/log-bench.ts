/**
 * The bench's figures for the log and the upload:
 *   log.write        inspections committed per second through the log worker
 *                    (batched transactions, synchronous=FULL);
 *   upload.postgres  a backlog drained to a real PostgreSQL, rows per second.
 * Each with the main thread's event-loop delay p99 while it ran: the log and
 * the upload live in the log worker, so the UI's thread must not feel them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageConfigSchema, UploadConfigSchema } from '../../shared/storage-config';
import type { WorkerEntry } from '../../engine/rpc/worker-entry';
import { LoopDelayMonitor } from '../../engine/metrics/loop-delay';
import { openCheckedDatabase } from '../../engine/storage/database';
import type { InspectionRow } from '../../engine/storage/inspection-log';
import { LogClient } from '../../engine/log/log-client';
import type { BenchResult } from './bench-report';
import { round } from '../../engine/bench/stats';

const row = (frameId: number): InspectionRow => ({
  frameId,
  capturedAt: new Date(1_763_000_000_000 + frameId * 100).toISOString(),
  origin: 'bench',
  modelName: 'demo-cherry',
  modelVersion: '1.0.1',
  rejectScore: (frameId % 100) / 100,
  scores: { cherry_clean: 1 - (frameId % 100) / 100, cherry_pit: (frameId % 100) / 100 },
  decision: frameId % 5 === 0 ? 'pit' : 'clean',
  failSafeReason: null,
  decodeMs: 2.1,
  preprocessMs: 0.3,
  inferenceMs: 9.8,
  decisionMs: 0.01,
  totalMs: 12.4,
});

async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 5));
}

/** Appends `rows` as fast as the thread can hand them over and times them onto disk. */
export async function benchLogWrite(entry: WorkerEntry, rows: number): Promise<BenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-bench-log-'));
  const databasePath = join(dataDir, 'linesight.sqlite');
  openCheckedDatabase(databasePath).db.close();
  const storage = StorageConfigSchema.parse({});
  const log = await LogClient.start({ entry, databasePath, dataDir, stationId: 'bench', storage, upload: UploadConfigSchema.parse({}) });
  const loop = new LoopDelayMonitor();
  try {
    loop.start();
    const t0 = performance.now();
    for (let i = 1; i <= rows; i += 1000) {
      for (let j = i; j < Math.min(i + 1000, rows + 1); j++) log.append(row(j));
      // Hand the thread back between chunks, as a line does between frames.
      await new Promise((r) => setImmediate(r));
    }
    await waitUntil(() => log.rowsWritten >= rows);
    const seconds = (performance.now() - t0) / 1000;
    loop.stop();
    return {
      name: 'log.write',
      rows_per_s: round(rows / seconds, 0),
      frames: rows,
      synchronous: 'FULL',
      flush_rows: storage.flushRows,
      flush_interval_ms: storage.flushIntervalMs,
      loop_delay_p99_ms: loop.percentileMs(99),
    };
  } finally {
    await log.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Fills a log with `rows` while the target is away, then times the drain to PostgreSQL. */
export async function benchUploadPostgres(entry: WorkerEntry, connectionString: string, rows: number): Promise<BenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-bench-upload-'));
  const databasePath = join(dataDir, 'linesight.sqlite');
  openCheckedDatabase(databasePath).db.close();
  const storage = StorageConfigSchema.parse({});
  const filler = await LogClient.start({ entry, databasePath, dataDir, stationId: 'bench', storage, upload: UploadConfigSchema.parse({}) });
  for (let i = 1; i <= rows; i++) filler.append(row(i));
  await filler.flush();
  await filler.close();
  const upload = UploadConfigSchema.parse({
    targets: [{ kind: 'postgres', id: 'bench-db', connectionString, tablePrefix: `bench_${Date.now()}_` }],
    idleMs: 10,
  });
  const loop = new LoopDelayMonitor();
  const t0 = performance.now();
  const log = await LogClient.start({ entry, databasePath, dataDir, stationId: 'bench', storage, upload });
  try {
    loop.start();
    await waitUntil(() => log.uploadStatus().some((l) => l.stream === 'inspections' && l.pending === 0 && l.sent >= rows));
    const seconds = (performance.now() - t0) / 1000;
    loop.stop();
    const lane = log.uploadStatus().find((l) => l.stream === 'inspections')!;
    return {
      name: 'upload.postgres',
      rows_per_s: round(rows / seconds, 0),
      frames: lane.sent,
      batch: upload.targets[0]!.batchSize,
      loop_delay_p99_ms: loop.percentileMs(99),
    };
  } finally {
    await log.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
