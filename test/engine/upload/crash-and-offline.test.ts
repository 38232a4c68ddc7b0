/**
 * Nothing lost, nothing doubled:
 * - crash: a writer deciding items at a line's rate is killed with SIGKILL at
 *   random moments, many times, and started again; every row it reported
 *   committed is on disk, the database passes quick_check, the collector
 *   holds each row once, and the items decided but not yet committed when a
 *   kill came (the crash window) stay within what the batching allows:
 *   rate × (flushIntervalMs + one commit + one tick) with the default
 *   storage settings (README, Reliability);
 * - offline: the collector is away for what would be hours of production;
 *   when it is back the backlog drains in order, nothing lost or doubled.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { StorageConfigSchema, UploadConfigSchema } from '../../../src/shared/storage-config';
import { sourceWorkerEntries } from '../../../src/engine/rpc/worker-entry';
import { openCheckedDatabase } from '../../../src/engine/storage/database';
import { LogClient } from '../../../src/engine/log/log-client';
import { startIngestServer } from '../../helpers/ingest-server';
import { ROOT } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const WRITER = join(ROOT, 'test', 'fixtures', 'crash-writer.mts');
/** Items a second: a fast line (the demo runs at 10), so that a kill finds rows waiting for their commit. */
const RATE = 1000;
/** The writer's tick (crash-writer.mts) and what a commit of a batch (one fsync) may take on a loaded test machine. */
const TICK_MS = 5;
const COMMIT_ALLOWANCE_MS = 100;

function runWriter(dataDir: string, url: string, mode: 'drain' | number) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, url, String(mode)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let committed = 0;
  let decided = 0;
  let start: number | null = null;
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    const text = partial + d.toString();
    out += d.toString();
    // Whole lines only: a number cut between two chunks must not be read short.
    const end = text.lastIndexOf('\n') + 1;
    partial = text.slice(end);
    for (const m of text.slice(0, end).matchAll(/^(start|decided|committed) (\d+)$/gm)) {
      const n = Number(m[2]);
      if (m[1] === 'start') start = n;
      else if (m[1] === 'decided') decided = Math.max(decided, n);
      else committed = Math.max(committed, n);
    }
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // 'close', not 'exit': only then has every line it wrote before the kill been read.
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, committed: () => committed, decided: () => decided, start: () => start, output: () => out, errors: () => err, exited };
}
describe('crash and offline', () => {
  const tempDir = useTempDirs();

  it('survives SIGKILL at random moments: what was reported committed is there, uploaded once, and a kill loses at most the crash window', async () => {
    const dataDir = tempDir();
    const collector = await startIngestServer({ flakyAcceptRate: 0.7 });
    collector.behave('flaky');
    const rng = seedrandom('crash-test');
    const { flushIntervalMs } = StorageConfigSchema.parse({});
    let reported = 0;
    /** Per kill: frames decided before it and not on disk after it. */
    const losses: number[] = [];
    let decidedBeforeKill = 0;
    const lostSince = (start: number | null): void => {
      if (start === null) throw new Error('the writer did not say where it starts');
      losses.push(decidedBeforeKill - (start - 1));
    };
    try {
      for (let round = 0; round < 8; round++) {
        const writer = runWriter(dataDir, collector.url, RATE);
        await waitFor('the writer to commit', () => writer.committed() > reported || writer.errors().length > 0, 20_000, 10);
        expect(writer.errors()).toBe('');
        if (round > 0) lostSince(writer.start());
        await new Promise((r) => setTimeout(r, 150 + rng() * 900));
        writer.child.kill('SIGKILL');
        await writer.exited;
        expect(writer.committed()).toBeGreaterThan(reported);
        reported = writer.committed();
        decidedBeforeKill = writer.decided();
      }
      collector.behave('ok');
      const drain = runWriter(dataDir, collector.url, 'drain');
      expect(await drain.exited).toBe(0);
      expect(drain.output()).toMatch(/drained/);
      lostSince(drain.start());

      // The crash window: a kill loses the items decided since the last commit began, never more than the batching allows.
      const bound = Math.ceil((RATE * (flushIntervalMs + COMMIT_ALLOWANCE_MS + TICK_MS)) / 1000);
      console.info(
        `crash window at ${RATE} items/s, flushIntervalMs ${flushIntervalMs}: lost per kill ${losses.join(', ')}; largest ${Math.max(...losses)}; bound ${bound}`,
      );
      expect(losses).toHaveLength(8);
      for (const lost of losses) expect(lost).toBeGreaterThanOrEqual(0);
      expect(Math.max(...losses)).toBeLessThanOrEqual(bound);

      const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
      expect(db.pragma('quick_check', { simple: true })).toBe('ok');
      const {
        n,
        max,
        min,
        d: distinct,
      } = db.prepare('SELECT COUNT(*) AS n, MAX(frame_id) AS max, MIN(frame_id) AS min, COUNT(DISTINCT frame_id) AS d FROM inspections').get() as Record<
        string,
        number
      >;
      const seqs = (db.prepare('SELECT seq FROM inspections ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
      db.close();
      // Every row the writer reported committed is on disk; the frames on disk run without a gap.
      expect(max).toBeGreaterThanOrEqual(reported);
      expect([min, distinct]).toEqual([1, n]);
      expect(max).toBe(n);
      // The collector holds each row exactly once.
      const held = collector.rows('inspections').map((r) => r.seq);
      expect(held.length).toBe(n);
      expect(new Set(held).size).toBe(n);
      expect([...held].sort((a, b) => a - b)).toEqual(seqs);
      expect(collector.stats.replays + collector.stats.refused).toBeGreaterThan(0); // the chaos happened
    } finally {
      await collector.close();
    }
  });

  it('drains a backlog of hours of production, in order, after the collector was away', async () => {
    const dataDir = tempDir();
    const collector = await startIngestServer();
    const url = collector.url;
    await collector.close(); // the plant network is down: connections are refused
    const databasePath = join(dataDir, 'linesight.sqlite');
    openCheckedDatabase(databasePath).db.close();
    const log = await LogClient.start({
      entry: sourceWorkerEntries().log,
      databasePath,
      dataDir,
      stationId: 'line-3',
      storage: StorageConfigSchema.parse({}),
      upload: UploadConfigSchema.parse({ targets: [{ kind: 'http', id: 'collector', url, batchSize: 2000 }], retryBaseMs: 50, retryMaxMs: 300, idleMs: 50 }),
    });
    try {
      // 60,000 items: an hour and forty minutes of a line at 10 items a second.
      const rows = 60_000;
      for (let i = 1; i <= rows; i++) {
        log.append({
          frameId: i,
          capturedAt: new Date(1_763_000_000_000 + i * 100).toISOString(),
          origin: 'offline-test',
          modelName: 'demo-cherry',
          modelVersion: '1.0.1',
          rejectScore: 0.1,
          scores: { cherry_clean: 0.9, cherry_pit: 0.1 },
          decision: 'clean',
          failSafeReason: null,
          decodeMs: null,
          preprocessMs: null,
          inferenceMs: null,
          decisionMs: null,
          totalMs: null,
        });
      }
      await log.flush();
      await waitFor('the upload to fail and wait', () => log.uploadStatus().some((l) => l.stream === 'inspections' && l.failures >= 2), 10_000);
      const lane = log.uploadStatus().find((l) => l.stream === 'inspections')!;
      expect(lane.pending).toBe(rows);
      expect(lane.lastError).toMatch(/fetch failed|ECONNREFUSED/);

      // The collector comes back on the same address.
      const revived = await startIngestServer({ port: Number(new URL(url).port) });
      try {
        await waitFor('the backlog drained', () => log.uploadStatus().find((l) => l.stream === 'inspections')?.pending === 0, 60_000, 50);
        const held = revived.rows('inspections').map((r) => r.seq);
        expect(held).toEqual(Array.from({ length: rows }, (_, i) => i + 1)); // in order, each once
        expect(revived.stats.replays).toBe(0);
      } finally {
        await revived.close();
      }
    } finally {
      await log.close();
    }
  });
});
