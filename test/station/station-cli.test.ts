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
import { DEMO_MODEL_DIR, ROOT } from '../helpers/paths';
import { runStation, startStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';
import { StationClient } from '../../src/station/station-client';

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
      expect(missing.stderr).toMatch(/cannot read config file .*none\.json: there is no "none\.json" in .* \(ENOENT\)/);
      const file = join(dir, 'station.json');
      writeFileSync(file, '{ port: 5780 }');
      const notJson = await runStation(['--data-dir', dir, '--config', file]);
      expect(notJson.code).toBe(2);
      expect(notJson.stderr).toMatch(/station\.json is not valid JSON/);
      writeFileSync(file, JSON.stringify({ server: { prot: 5780 } }));
      const typo = await runStation(['--data-dir', dir, '--config', file]);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(/station\.json is invalid: server: unknown key "prot": did you mean "port"\?/);
    });

    it('on a typo, with the key it most likely meant, and on a kind that does not exist, in words', async () => {
      const dir = tempDir();
      const file = join(dir, 'station.json');
      writeFileSync(file, JSON.stringify({ sever: { port: 5780 } }));
      const typo = await runStation(['--data-dir', dir, '--config', file]);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(
        /linesight-station: cannot start: config file .*station\.json is invalid: \(top level\): unknown key "sever": did you mean "server"\?/,
      );
      writeFileSync(file, JSON.stringify({ source: { kind: 'hot-folder' }, sensors: { sources: [{ kind: 'serail' }] } }));
      const words = await runStation(['--data-dir', dir, '--config', file]);
      expect(words.code).toBe(2);
      expect(words.stderr).toMatch(/source\.dir: missing: this key is needed \(text in double quotes\)/);
      expect(words.stderr).toMatch(
        /sensors\.sources\[0\]\.kind: the text "serail" is not one of "serial", "modbus", "csv-replay", "simulated": did you mean "serial"\?/,
      );
      expect(words.stderr).not.toMatch(/Invalid input|Invalid discriminator|received undefined/);
    });

    it('on a file saved with a byte order mark only for what is wrong in it, and on a key given twice', async () => {
      const dir = tempDir();
      const file = join(dir, 'station.json');
      writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ station: { id: 'line 3' } }))]));
      const bom = await runStation(['--data-dir', dir, '--config', file]);
      expect(bom.code).toBe(2);
      // The BOM is read past (Notepad writes one): the message is about the id, with no invisible character in it.
      expect(bom.stderr).toMatch(/station\.json is invalid: station\.id: letters, digits, "\.", "_" and "-" only/);
      expect(bom.stderr).not.toContain('\ufeff');
      writeFileSync(file, '{\n  "server": { "port": 5780 },\n  "server": { "port": 5781 }\n}');
      const twice = await runStation(['--data-dir', dir, '--config', file]);
      expect(twice.code).toBe(2);
      expect(twice.stderr).toMatch(/station\.json has a key twice: "server" twice at the top level \(line 2, column 3 and line 3, column 3\)/);
    });

    it('on a missing model, a corrupt manifest or a model file that does not match it', async () => {
      const dir = tempDir();
      const file = join(dir, 'station.json');
      writeFileSync(file, JSON.stringify({ model: { dir: 'models/absent' } }));
      const absent = await runStation(['--data-dir', dir, '--config', file]);
      expect(absent.code).toBe(2);
      // The key is named, and where the path was taken from.
      expect(absent.stderr).toMatch(/station\.json: model\.dir: no model package at .*models\/absent: there is no "models" in .* \(ENOENT\)/);
      expect(absent.stderr).toMatch(/a relative path is taken from the config file's folder/);

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
        expect(run.stderr).toMatch(
          new RegExp(`cannot serve: port ${port} \\(--port\\) is already in use on 127\\.0\\.0\\.1: .*choose another with --port N or server\\.port`),
        );
        // Taken from the config file, it says so.
        const dir = tempDir();
        const file = join(dir, 'station.json');
        writeFileSync(file, JSON.stringify({ server: { port } }));
        const fromFile = await runStation(['--data-dir', dir, '--config', file]);
        expect(fromFile.code).toBe(2);
        expect(fromFile.stderr).toMatch(new RegExp(`port ${port} \\(server\\.port in the config file, or the default\\) is already in use`));
      } finally {
        blocker.close();
      }
    });
  });

  it('takes pit alone in model.thresholds, the maybe from the model', async () => {
    const dataDir = tempDir();
    const config = join(dataDir, 'station.json');
    writeFileSync(config, JSON.stringify({ model: { thresholds: { pit: 0.8 } }, sensors: { sources: [] } }));
    const station = await startStation(['--port', '0', '--data-dir', dataDir, '--config', config]);
    try {
      const model = JSON.parse(readFileSync(join(DEMO_MODEL_DIR, 'manifest.json'), 'utf8')) as { thresholds: { maybe: number } };
      expect((await status(station.url)).thresholds).toEqual({ pit: 0.8, maybe: model.thresholds.maybe });
    } finally {
      expect(await station.stop()).toBe(0);
    }
  });

  it('starts on the example config shipped in resources/, as it is', async () => {
    const dataDir = tempDir();
    const station = await startStation(['--port', '0', '--data-dir', dataDir, '--config', join(ROOT, 'resources', 'station.example.json')]);
    try {
      const s = await waitFor('a first decision on the example config', async () => {
        const st = await status(station.url);
        return st.frames.classified > 0 && st;
      });
      expect(s.station).toMatchObject({ id: 'line-3', name: 'Line 3 cherries' });
      expect(s.model).toMatchObject({ name: 'demo-cherry', provider: 'cpu' });
      // Its technician signs in with the PIN README gives for it.
      const client = await StationClient.connect(`${station.url.replace('http:', 'ws:')}/ws`);
      try {
        expect(await client.ok('signIn', { name: 'Ana Ruiz', pin: '1234' })).toMatchObject({ role: 'technician' });
      } finally {
        await client.close();
      }
    } finally {
      expect(await station.stop()).toBe(0);
    }
  });
});
