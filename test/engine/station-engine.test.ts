/**
 * The whole engine path with real parts: replayed JPEGs → sharp → ONNX Runtime
 * in a worker → decision → SQLite (WAL, batched) → events.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StationConfigSchema } from '../../src/shared/config';
import type { Inspection } from '../../src/shared/inspection';
import { resolvePaths } from '../../src/engine/config-loader';
import { sourceWorkerEntries } from '../../src/engine/rpc/worker-entry';
import { silentLogger } from '../../src/engine/logger';
import { StationEngine } from '../../src/engine/station-engine';
import { DEMO_FRAMES_DIR, DEMO_MODEL_DIR, LAYOUT } from '../helpers/paths';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

describe('StationEngine on the demo model', () => {
  const tempDir = useTempDirs();

  it('classifies every frame, logs each one, and rejects an unreadable frame fail-safe without stopping', async () => {
    const dir = tempDir();
    const frames = join(dir, 'frames');
    mkdirSync(frames);
    const names = readdirSync(DEMO_FRAMES_DIR)
      .filter((n) => n.endsWith('.jpg'))
      .sort()
      .slice(0, 24);
    for (const n of names) copyFileSync(join(DEMO_FRAMES_DIR, n), join(frames, n));
    // Sorted between the good ones: the line must carry on after it. 25 fps leaves the
    // pipeline (about 10 ms a frame here) idle time, so no frame is dropped.
    writeFileSync(join(frames, '00010-broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    const databasePath = join(dir, 'data', 'linesight.sqlite');
    const config = resolvePaths(
      StationConfigSchema.parse({ source: { kind: 'replay', dir: frames, fps: 25, loop: false }, storage: { flushIntervalMs: 50, flushRows: 8 } }),
      dir,
      LAYOUT,
    );
    const engine = await StationEngine.start({
      config,
      modelDir: DEMO_MODEL_DIR,
      databasePath,
      dataDir: dir,
      logger: silentLogger,
      workers: sourceWorkerEntries(),
      app: LAYOUT,
    });
    const events: Inspection[] = [];
    engine.on('inspection', (i) => events.push(i));
    try {
      const total = names.length + 1;
      await waitFor('every frame decided', () => {
        const s = engine.getStatus();
        return s.source.state === 'finished' && s.frames.classified + s.frames.errors + s.frames.dropped === total && s;
      });
      const status = engine.getStatus();
      expect(status.frames.seen).toBe(total);
      expect(status.frames.errors).toBe(1);
      expect(status.model).toMatchObject({ name: 'demo-cherry', version: '1.0.1', state: 'ready', provider: 'cpu' });
      expect(status.latencyMs.inference.count).toBe(status.frames.classified);
      expect(status.latencyMs.total.p99).toBeGreaterThan(0);
      const decided = status.decisions.clean + status.decisions.maybe + status.decisions.pit;
      expect(decided).toBe(total - status.frames.dropped);
      expect(status.database.path).toBe(databasePath);

      const broken = events.find((e) => e.origin.includes('broken'));
      expect(broken?.decision).toBe('pit');
      expect(broken?.failSafeReason).toMatch(/decode failed: frame is not a readable image/);
      expect(engine.getRecentInspections(5)).toHaveLength(5);
      expect(engine.getFrameImage(events.at(-1)!.frameId)?.length).toBeGreaterThan(100);
    } finally {
      await engine.stop();
    }

    // After stop() the log is flushed: the file holds one row per decision, with everything the issue asks for.
    const db = new Database(databasePath, { readonly: true });
    const rows = db.prepare('SELECT * FROM inspections ORDER BY seq').all() as Record<string, unknown>[];
    db.close();
    expect(rows).toHaveLength(events.length);
    const byDecision = (d: string): number => rows.filter((r) => r['decision'] === d).length;
    expect(byDecision('pit')).toBe(events.filter((e) => e.decision === 'pit').length);
    const good = rows.find((r) => r['fail_safe_reason'] === null)!;
    expect(good).toMatchObject({ model_name: 'demo-cherry', model_version: '1.0.1' });
    for (const column of ['frame_id', 'captured_at', 'reject_score', 'scores_json', 'decode_ms', 'preprocess_ms', 'inference_ms', 'decision_ms', 'total_ms']) {
      expect(good[column], column).not.toBeNull();
    }
    const failed = rows.find((r) => String(r['origin']).includes('broken'))!;
    expect(failed).toMatchObject({ decision: 'pit', reject_score: null, inference_ms: null });
  });

  it('refuses to start on a model that ONNX Runtime cannot run, naming the file, and leaves nothing open', async () => {
    const dir = tempDir();
    const modelDir = join(dir, 'model');
    mkdirSync(modelDir);
    const bytes = Buffer.from('definitely not onnx');
    writeFileSync(join(modelDir, 'model.onnx'), bytes);
    const manifest = JSON.parse((await import('node:fs')).readFileSync(join(DEMO_MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    manifest['sha256'] = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(modelDir, 'manifest.json'), JSON.stringify(manifest));
    const config = resolvePaths(StationConfigSchema.parse({}), dir, LAYOUT);
    await expect(
      StationEngine.start({
        config,
        modelDir,
        databasePath: join(dir, 'db.sqlite'),
        dataDir: dir,
        logger: silentLogger,
        workers: sourceWorkerEntries(),
        app: LAYOUT,
      }),
    ).rejects.toThrow(/model file .*model\.onnx cannot be run: the file is not an ONNX model/);
  });
});
