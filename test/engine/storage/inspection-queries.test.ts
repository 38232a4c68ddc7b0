/**
 * The UI's reads of a real SQLite log: filtered pages, the what-if sample,
 * CSV exports parsed back, kept images, counts since a moment; and the same
 * through the query worker thread.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { decisionForScore, type Decision } from '../../../src/shared/decision';
import { sourceWorkerEntries } from '../../../src/engine/rpc/worker-entry';
import { openDatabase, type SqliteDatabase } from '../../../src/engine/storage/database';
import { decisionCountsSince, exportCsv, imagePathOf, minuteCountsSince, queryPage, scoreSample } from '../../../src/engine/storage/inspection-queries';
import { readKeptImage } from '../../../src/engine/storage/kept-images';
import { QueryClient } from '../../../src/engine/storage/query-client';
import { useTempDirs } from '../../helpers/temp-dir';

const T0 = Date.parse('2026-06-10T08:00:00.000Z');
const THRESHOLDS = { pit: 0.75, maybe: 0.5 };

interface Seeded {
  db: SqliteDatabase;
  path: string;
  dataDir: string;
}

/** 120 rows a second apart: scores on a ramp, decided with THRESHOLDS; every 10th fail-safe; rows 100+ from model 2.0.0. */
function seed(dataDir: string): Seeded {
  const path = join(dataDir, 'linesight.sqlite');
  const db = openDatabase(path);
  const insert = db.prepare(`INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, reject_score, scores_json, decision,
      fail_safe_reason, total_ms, image_path, image_removed_at) VALUES (?, ?, ?, 'demo-cherry', ?, ?, ?, ?, ?, 5.5, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < 120; i++) {
      const failSafe = i % 10 === 9;
      const score = failSafe ? null : (i % 50) / 49;
      const decision: Decision = score === null ? 'pit' : decisionForScore(score, THRESHOLDS);
      const image = decision !== 'clean' ? `images/2026-06-10/s-${i}.jpg` : null;
      insert.run(
        i,
        new Date(T0 + i * 1000).toISOString(),
        `replay:${i}.jpg`,
        i >= 100 ? '2.0.0' : '1.0.0',
        score,
        score === null ? null : JSON.stringify({ cherry_clean: 1 - score, cherry_pit: score }),
        decision,
        failSafe ? 'inference failed: worker died' : null,
        image,
        i === 26 ? '2026-06-11T00:00:00Z' : null,
      );
    }
  })();
  return { db, path, dataDir };
}

describe('inspection queries', () => {
  const tempDir = useTempDirs();
  let opened: SqliteDatabase | null = null;
  let client: QueryClient | null = null;
  afterEach(async () => {
    opened?.close();
    opened = null;
    await client?.close();
    client = null;
  });
  const setup = (): Seeded => {
    const s = seed(tempDir());
    opened = s.db;
    return s;
  };

  it('pages newest first through rows that match a time window and decisions', () => {
    const { db } = setup();
    const filter = { from: new Date(T0 + 10_000).toISOString(), to: new Date(T0 + 70_000).toISOString(), decisions: ['pit' as const] };
    const expected = db
      .prepare("SELECT seq FROM inspections WHERE captured_at >= ? AND captured_at < ? AND decision = 'pit' ORDER BY seq DESC")
      .all(filter.from, filter.to)
      .map((r) => (r as { seq: number }).seq);
    expect(expected.length).toBeGreaterThan(12);
    const first = queryPage(db, filter, 10);
    expect(first.total).toBe(expected.length);
    expect(first.hasMore).toBe(true);
    const second = queryPage(db, filter, 10, first.rows.at(-1)!.seq);
    expect([...first.rows, ...second.rows].map((r) => r.seq)).toEqual(expected.slice(0, 20));
    expect(first.rows.every((r) => r.decision === 'pit')).toBe(true);
    expect(queryPage(db, {}, 500).rows.find((r) => r.seq === 27)?.hasImage).toBe(false);
    expect(queryPage(db, {}, 500).rows.find((r) => r.seq === 31)?.hasImage).toBe(true);
    expect(queryPage(db, { failSafeOnly: true }, 500).rows.every((r) => r.failSafeReason !== null && r.rejectScore === null)).toBe(true);
  });

  it('accepts instants with an offset and compares them as UTC', () => {
    const { db } = setup();
    const local = queryPage(db, { from: '2026-06-10T10:01:00+02:00' }, 500);
    const utc = queryPage(db, { from: '2026-06-10T08:01:00Z' }, 500);
    expect(local.total).toBe(60);
    expect(local.total).toBe(utc.total);
  });

  it("samples the running model's scored items, leaving out fail-safe rejects and other models", () => {
    const { db } = setup();
    const sample = scoreSample(db, { last: 50 }, { name: 'demo-cherry', version: '1.0.0' }, THRESHOLDS, new Date(T0 + 200_000));
    // Rows 70..119: 5 fail-safe, 20 rows of 2.0.0 (four of them fail-safe).
    expect(sample.failSafe).toBe(5);
    expect(sample.otherModels).toBe(18);
    expect(sample.scores).toHaveLength(27);
    expect(sample.from).toBe(new Date(T0 + 70_000).toISOString());
    expect(sample.decisions.every((d, i) => d === decisionForScore(sample.scores[i]!, THRESHOLDS))).toBe(true);
    const lastMinute = scoreSample(db, { sinceMinutes: 1 }, { name: 'demo-cherry', version: '2.0.0' }, THRESHOLDS, new Date(T0 + 120_000));
    expect(lastMinute.scores.length + lastMinute.failSafe + lastMinute.otherModels).toBe(60);
  });

  it('exports the filtered rows as CSV that parses back to the same rows', () => {
    const { db } = setup();
    const file = exportCsv(db, { decisions: ['maybe'] }, 'line-3', new Date('2026-06-10T12:34:56.789Z'));
    expect(file.filename).toBe('linesight-line-3-inspections-2026-06-10T12-34-56.csv');
    const rows = parse(Buffer.from(file.csv), { columns: true }) as Record<string, string>[];
    const inDb = db.prepare("SELECT * FROM inspections WHERE decision = 'maybe' ORDER BY seq").all() as {
      seq: number;
      reject_score: number;
      total_ms: number;
    }[];
    expect(file.rows).toBe(inDb.length);
    expect(rows.map((r) => Number(r['seq']))).toEqual(inDb.map((r) => r.seq));
    // The station on every row; scores to 4 decimals, times to 2, never 16 digits (issue 12).
    expect(rows.every((r) => r['station_id'] === 'line-3')).toBe(true);
    expect(rows.map((r) => Number(r['reject_score']))).toEqual(inDb.map((r) => Number(r.reject_score.toFixed(4))));
    expect(rows.every((r) => /^\d\.\d{1,4}$|^[01]$/.test(r['reject_score']!))).toBe(true);
    const scores = JSON.parse(rows[0]!['scores_json']!) as Record<string, number>;
    expect(Object.values(scores).every((v) => String(v).replace(/^0\./, '').length <= 4)).toBe(true);
    expect(scores['cherry_pit']).toBe(Number(inDb[0]!.reject_score.toFixed(4)));
    expect(rows[0]!['total_ms']).toBe('5.5');
    // Rows logged before thresholds were recorded say nothing rather than a guess.
    expect(rows[0]!['pit_threshold']).toBe('');
    expect(Object.keys(rows[0]!).slice(0, 3)).toEqual(['station_id', 'seq', 'captured_at']);
    expect(file.truncated).toBe(false);
    const capped = exportCsv(db, {}, 'line-3', new Date(), 50);
    expect(capped).toMatchObject({ rows: 50, truncated: true });
    // The newest 50, oldest first.
    expect((parse(Buffer.from(capped.csv), { columns: true }) as Record<string, string>[])[0]!['seq']).toBe('71');
  });

  it('finds a kept image, not one retention removed, and never reads outside the images folder', async () => {
    const { db, dataDir } = setup();
    const path = imagePathOf(db, 31);
    expect(path).toBe(join('images', '2026-06-10', 's-30.jpg'));
    mkdirSync(join(dataDir, 'images', '2026-06-10'), { recursive: true });
    writeFileSync(join(dataDir, path!), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    expect([...(await readKeptImage(dataDir, path!))!]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    expect(imagePathOf(db, 27)).toBeNull(); // removed by retention
    expect(imagePathOf(db, 1)).toBeNull(); // clean, none kept
    expect(await readKeptImage(dataDir, join('images', 'gone.jpg'))).toBeNull();
    await expect(readKeptImage(dataDir, '../../etc/passwd')).rejects.toThrow(/outside/);
  });

  it('counts decisions since a moment, and per minute', () => {
    const { db } = setup();
    const since = new Date(T0 + 60_000);
    const all = db.prepare('SELECT decision, COUNT(*) AS n FROM inspections WHERE captured_at >= ? GROUP BY decision').all(since.toISOString()) as {
      decision: Decision;
      n: number;
    }[];
    expect(decisionCountsSince(db, since)).toEqual({ clean: 0, maybe: 0, pit: 0, ...Object.fromEntries(all.map((r) => [r.decision, r.n])) });
    const minutes = minuteCountsSince(db, new Date(T0));
    expect(new Set(minutes.map((m) => m.minute))).toEqual(new Set([T0 / 60_000, T0 / 60_000 + 1]));
    expect(minutes.reduce((n, m) => n + m.n, 0)).toBe(120);
  });

  it('runs the same queries in the query worker, off the main thread', async () => {
    const { db, path } = setup();
    client = new QueryClient(sourceWorkerEntries().query, path);
    const page = await client.call('page', { filter: { decisions: ['maybe'] }, limit: 5 });
    expect(page).toEqual(queryPage(db, { decisions: ['maybe'] }, 5));
    const file = await client.call('export', { filter: {}, stationId: 's', now: new Date(T0).toISOString() });
    expect(file.csv).toBeInstanceOf(Uint8Array);
    expect(file.rows).toBe(120);
    await expect(client.call('page', { filter: { from: 'not a date' }, limit: 5 })).rejects.toThrow(/Invalid time value/);
    // One bad query does not take the worker with it.
    expect((await client.call('page', { filter: { decisions: ['pit'] }, limit: 5 })).total).toBeGreaterThan(0);
  });
});
