/**
 * The headless station as a user runs it: the built out/main/station.js in
 * its own process, on the demo default or a config file.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { StationStatus } from '../../src/shared/status';
import { DEMO_MODEL_DIR } from '../helpers/paths';
import { runStation, startStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

async function status(url: string): Promise<StationStatus> {
  const res = await fetch(`${url}/api/status`);
  expect(res.status).toBe(200);
  return (await res.json()) as StationStatus;
}

describe('npm run station', () => {
  const tempDir = useTempDirs();

  it('serves the UI and /api/status on 127.0.0.1, decisions rise, Ctrl-C flushes the log and exits 0', async () => {
    const dataDir = tempDir();
    const station = await startStation(['--port', '0', '--data-dir', dataDir]);
    try {
      expect(station.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await fetch(`${station.url}/`);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain('<div id="root"></div>');

      const first = await waitFor('a first decision', async () => {
        const s = await status(station.url);
        return s.frames.classified > 0 && s;
      });
      expect(first.model).toMatchObject({ name: 'demo-cherry', version: '1.0.1', provider: 'cpu', state: 'ready' });
      expect(first.database.path).toBe(join(dataDir, 'linesight.sqlite'));
      for (const stage of ['decode', 'preprocess', 'inference', 'decision', 'log', 'total'] as const) {
        expect(first.latencyMs[stage]).toHaveProperty('p99');
      }
      const later = await waitFor('decisions to rise', async () => {
        const s = await status(station.url);
        const sum = (x: StationStatus): number => x.decisions.clean + x.decisions.maybe + x.decisions.pit;
        return sum(s) > sum(first) + 5 && s;
      });
      expect(later.fps).toBeGreaterThan(0);
      const missing = await fetch(`${station.url}/api/nothing-here`);
      expect(missing.status).toBe(404);
    } finally {
      expect(await station.stop('SIGINT')).toBe(0);
    }
    expect(station.output()).toMatch(/stopping the line and flushing the log/);
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    const rows = (db.prepare('SELECT COUNT(*) AS n FROM inspections').get() as { n: number }).n;
    db.close();
    expect(rows).toBeGreaterThan(5);
  });

  it('writes exactly one row per decision once the line has run out and stopped', async () => {
    const dataDir = tempDir();
    const config = join(dataDir, 'station.json');
    writeFileSync(config, JSON.stringify({ source: { kind: 'replay', fps: 40, loop: false, limit: 30 }, storage: { flushIntervalMs: 5000, flushRows: 1000 } }));
    const station = await startStation(['--port', '0', '--data-dir', dataDir, '--config', config]);
    let final: StationStatus;
    try {
      final = await waitFor('the replay to finish', async () => {
        const s = await status(station.url);
        return s.source.state === 'finished' && s.frames.classified + s.frames.errors + s.frames.dropped === s.frames.seen && s;
      });
      // Commits wait up to 5 s in this config: the rows are still pending.
      expect(final.database.pendingRows).toBeGreaterThan(0);
    } finally {
      expect(await station.stop('SIGTERM')).toBe(0);
    }
    const db = new Database(join(dataDir, 'linesight.sqlite'), { readonly: true });
    const byDecision = db.prepare('SELECT decision, COUNT(*) AS n FROM inspections GROUP BY decision').all() as { decision: string; n: number }[];
    db.close();
    const counts = Object.fromEntries(byDecision.map((r) => [r.decision, r.n]));
    expect({ clean: counts['clean'] ?? 0, maybe: counts['maybe'] ?? 0, pit: counts['pit'] ?? 0 }).toEqual(final.decisions);
    expect(final.frames.seen).toBe(30);
  });

  it('prints its usage with --help', async () => {
    const run = await runStation(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--port N/);
    expect(run.stdout).toMatch(/--data-dir DIR/);
    expect(run.stdout).toMatch(/--config FILE/);
  });

  describe('refuses to start with a clear message and exit code 2', () => {
    it('on an unknown option or a bad port', async () => {
      const unknown = await runStation(['--frobnicate']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/linesight-station: .*--frobnicate/);
      expect(unknown.stderr).toMatch(/Usage:/);
      const port = await runStation(['--port', 'eighty']);
      expect(port.code).toBe(2);
      expect(port.stderr).toMatch(/--port must be a number from 0 to 65535, not "eighty"/);
    });

    it('on a config file that is missing, not JSON, or wrong', async () => {
      const dir = tempDir();
      const missing = await runStation(['--data-dir', dir, '--config', join(dir, 'none.json')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/cannot read config file .*none\.json: ENOENT/);
      const file = join(dir, 'station.json');
      writeFileSync(file, '{ port: 5780 }');
      const notJson = await runStation(['--data-dir', dir, '--config', file]);
      expect(notJson.code).toBe(2);
      expect(notJson.stderr).toMatch(/station\.json is not valid JSON/);
      writeFileSync(file, JSON.stringify({ server: { prot: 5780 } }));
      const typo = await runStation(['--data-dir', dir, '--config', file]);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(/station\.json is invalid: server: Unrecognized key: "prot"/);
    });

    it('on a missing model, a corrupt manifest or a model file that does not match it', async () => {
      const dir = tempDir();
      const file = join(dir, 'station.json');
      writeFileSync(file, JSON.stringify({ model: { dir: 'models/absent' } }));
      const absent = await runStation(['--data-dir', dir, '--config', file]);
      expect(absent.code).toBe(2);
      expect(absent.stderr).toMatch(/cannot read model manifest .*models\/absent\/manifest\.json: ENOENT/);

      const model = join(dir, 'model');
      cpSync(DEMO_MODEL_DIR, model, { recursive: true });
      writeFileSync(file, JSON.stringify({ model: { dir: 'model' } }));
      writeFileSync(join(model, 'manifest.json'), '{ "name": ');
      const corrupt = await runStation(['--data-dir', dir, '--config', file]);
      expect(corrupt.code).toBe(2);
      expect(corrupt.stderr).toMatch(/model manifest .*model\/manifest\.json is not valid JSON/);

      cpSync(join(DEMO_MODEL_DIR, 'manifest.json'), join(model, 'manifest.json'));
      writeFileSync(join(model, 'model.onnx'), readFileSync(join(DEMO_MODEL_DIR, 'model.onnx')).subarray(0, 4000));
      const truncated = await runStation(['--data-dir', dir, '--config', file]);
      expect(truncated.code).toBe(2);
      expect(truncated.stderr).toMatch(/model file .*model\.onnx does not match its manifest/);
    });

    it('on a port that is taken', async () => {
      const blocker = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
      const port = (blocker.address() as { port: number }).port;
      try {
        const run = await runStation(['--data-dir', tempDir(), '--port', String(port)]);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(/the port is already in use/);
      } finally {
        blocker.close();
      }
    });
  });
});
