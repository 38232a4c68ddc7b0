/**
 * `npm run support-bundle` as support asks for it: one JSON file with the
 * configuration (secrets masked), the running station's status, the recent
 * events and versions — read while the station runs, changing nothing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPin } from '../../src/engine/auth/pin-hash';
import { maskSecrets, scrubSecrets, secretsIn } from '../../src/engine/support/mask-secrets';
import { ROOT } from '../helpers/paths';
import { startStation, type RunningStation } from '../helpers/station-process';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

/** The parts of a bundle read here. */
interface Bundle {
  readonly config: {
    readonly file: string;
    readonly asWritten: { server: { token: string }; auth: { technicians: { name: string; pinHash: string }[] } };
    readonly asRead: { upload: { targets: { connectionString: string }[] } };
  };
  readonly status: { station: { id: string } };
  readonly events: unknown[] | { unavailable: string };
  readonly versions: Record<string, string>;
  readonly dataFolder: { files: { name: string }[] };
}

const tempDir = useTempDirs();

function eventsIn(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
const TOKEN = 'station-token-0123456789';
const DB_PASSWORD = 'pg-s3cret-pw';
let station: RunningStation;
let dir: string;
let config: string;
let pinHash: string;

beforeAll(async () => {
  dir = tempDir('support-');
  config = join(dir, 'station.json');
  pinHash = await hashPin('4711');
  writeFileSync(
    config,
    JSON.stringify({
      station: { id: 'line-9', name: 'Line 9' },
      server: { port: 5780, host: '127.0.0.1', token: TOKEN },
      auth: { technicians: [{ name: 'Ana Ruiz', pinHash }] },
      upload: { targets: [{ id: 'plant-db', kind: 'postgres', connectionString: `postgres://qa:${DB_PASSWORD}@127.0.0.1:1/qa` }] },
    }),
  );
  station = await startStation(['--config', config, '--data-dir', join(dir, 'data'), '--port', '0']);
}, 60_000);
afterAll(() => station?.stop());

describe('npm run support-bundle', () => {
  it('writes the config with its secrets masked, the status, recent events and versions, while the station runs', async () => {
    // The demo's first event (machine health known) comes a few seconds after the start.
    await waitFor('an event in the log', () => eventsIn(join(dir, 'data', 'linesight.sqlite')) > 0, 30_000);
    // The bundle asks the station on the config's port: the one it really listens on.
    const port = new URL(station.url).port;
    const cfg = JSON.parse(readFileSync(config, 'utf8')) as { server: { port: number } };
    cfg.server.port = Number(port);
    writeFileSync(config, JSON.stringify(cfg));
    const out = join(dir, 'bundle.json');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli', 'support-bundle.ts'), '--config', config, '--data-dir', join(dir, 'data'), '--out', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    for (const secret of [TOKEN, DB_PASSWORD, pinHash]) expect(text).not.toContain(secret);
    const bundle = JSON.parse(text) as Bundle;
    expect(bundle.config.asWritten.server.token).toBe('••••••');
    expect(bundle.config.asWritten.auth.technicians[0]).toEqual({ name: 'Ana Ruiz', pinHash: '••••••' });
    expect(bundle.config.asRead.upload.targets.at(0)?.connectionString).toBe('postgres://qa:••••••@127.0.0.1:1/qa');
    expect(bundle.status.station.id).toBe('line-9');
    expect(Array.isArray(bundle.events) ? bundle.events.length : bundle.events.unavailable).toBeGreaterThan(0);
    expect(bundle.versions.node).toBe(process.versions.node);
    expect(bundle.versions['onnxruntime-node']).toMatch(/^\d+\.\d+/);
    expect(bundle.dataFolder.files.map((f) => f.name)).toContain('linesight.sqlite');
  });

  it('says what it could not read instead of failing: no config, no log', () => {
    const out = join(dir, 'empty.json');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli', 'support-bundle.ts'), '--data-dir', tempDir('nodata-'), '--out', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as Bundle;
    expect(Array.isArray(bundle.events) ? 'events read' : bundle.events.unavailable).toMatch(/no log at/);
    expect(bundle.config.file).toBe('(the demo default)');
  });
});

describe('a config that does not parse', () => {
  it('is named, never quoted: the text near the error may be a secret', () => {
    const dir = tempDir('badconf-');
    const config = join(dir, 'station.json');
    writeFileSync(config, '{ "server": { "token": "tok-secret-0123456789" ,, } }');
    const out = join(dir, 'bundle.json');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli', 'support-bundle.ts'), '--config', config, '--data-dir', dir, '--out', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain('tok-secret');
    expect(text).toMatch(/not valid JSON/);
  });
});

describe('maskSecrets', () => {
  it('masks secret keys at any depth and a password inside a URL, keeping the shape', () => {
    expect(maskSecrets({ a: { token: 'x', list: [{ password: 'y', keep: 'z' }] }, url: 'https://u:p@h/x', plain: 'http://h/x', n: null })).toEqual({
      a: { token: '••••••', list: [{ password: '••••••', keep: 'z' }] },
      url: 'https://u:••••••@h/x',
      plain: 'http://h/x',
      n: null,
    });
  });

  it('finds every secret a config holds and masks it wherever it appears: a camera address in the status, a header, a query', () => {
    const config = {
      server: { token: 'tok-0123456789abcdef' },
      source: { kind: 'ffmpeg', input: ['-headers', 'Authorization: Basic dXNlcjpwdw==', '-i', 'rtsp://cam:c@mPw123@10.0.0.5/stream?token=qq11'] },
    };
    const secrets = secretsIn(config);
    expect(secrets).toEqual(expect.arrayContaining(['tok-0123456789abcdef', 'Authorization: Basic dXNlcjpwdw==', 'c@mPw123', 'qq11']));
    const text = JSON.stringify({
      status: { source: { description: `ffmpeg ${config.source.input.join(' ')}` } },
      events: ['camera: rtsp://cam:c@mPw123@10.0.0.5 refused'],
    });
    const out = scrubSecrets(text, secrets);
    for (const s of secrets) expect(out).not.toContain(s);
    expect(out).toContain('rtsp://cam:••••••@10.0.0.5');
    expect(maskSecrets(config.source.input)).toEqual(['-headers', '••••••', '-i', 'rtsp://cam:••••••@10.0.0.5/stream?token=••••••']);
  });
});
