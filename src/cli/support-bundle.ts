/**
 * npm run support-bundle -- [--config FILE] [--data-dir DIR] [--out FILE] [--events N]
 * (installed: `linesight-station support-bundle [--out FILE]`, docs/INSTALL.md)
 *
 * One JSON file for whoever supports the station: the configuration with its
 * secrets masked (server.token, PIN hashes, upload passwords and tokens), the
 * recent events from the log (read-only: the station may be running), the
 * running station's status when it answers, versions, and the data folder's
 * files and free space. It never changes the data folder and never fails for
 * a missing part: what could not be read is said in its place.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { arch, cpus, hostname, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../engine/boot';
import { loadConfig } from '../engine/config-loader';
import { maskSecrets, scrubSecrets, secretsIn } from '../engine/support/mask-secrets';
import { stationLayout, defaultDataDir } from '../station/app-paths';
import { messageOf } from '../engine/error-message';

const USAGE = 'Usage: npm run support-bundle -- [--config FILE] [--data-dir DIR] [--out FILE] [--events N]';

function fail(message: string): never {
  process.stderr.write(`support-bundle: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** A part of the bundle, or why it is missing. */
async function part<T>(read: () => T | Promise<T>): Promise<T | { readonly unavailable: string }> {
  try {
    return await read();
  } catch (err) {
    return { unavailable: messageOf(err) };
  }
}

function versionOf(pkg: string): string {
  const root = stationLayout().root;
  const file = join(root, 'node_modules', pkg, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : 'not found';
}

function recentEvents(dataDir: string, limit: number): unknown[] {
  const path = join(dataDir, DATABASE_FILE);
  if (!existsSync(path)) throw new Error(`no log at ${path}`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT seq, at, kind, severity, message FROM events ORDER BY seq DESC LIMIT ?').all(limit);
  } finally {
    db.close();
  }
}

function dataFolder(dataDir: string): unknown {
  const fs = statfsSync(dataDir);
  return {
    path: dataDir,
    freeBytes: fs.bavail * fs.bsize,
    files: readdirSync(dataDir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? { name: `${e.name}/` } : { name: e.name, bytes: statSync(join(dataDir, e.name)).size },
    ),
  };
}

/** The running station's status, over its own API on this PC. */
async function stationStatus(port: number, host: string, token: string | undefined): Promise<unknown> {
  const address = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const res = await fetch(`http://${address.includes(':') ? `[${address}]` : address}:${port}/api/status`, {
    signal: AbortSignal.timeout(3000),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!res.ok) throw new Error(`the station answered ${res.status}`);
  return res.json();
}

/** The service's recent log lines, where systemd keeps them. */
function journal(): string[] {
  return execFileSync('journalctl', ['-u', 'linesight', '-n', '300', '--no-pager', '-o', 'short-iso'], { encoding: 'utf8', timeout: 5000 }).split('\n');
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        out: { type: 'string' },
        events: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    fail(messageOf(err));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const events = values.events === undefined ? 500 : Number(values.events);
  if (!Number.isInteger(events) || events < 1 || events > 100_000) fail('--events must be a whole number from 1 to 100000');
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const layout = stationLayout();
  const configFile = values.config;
  const resolved = await part(() => loadConfig(configFile, layout));
  // A file that does not parse is not quoted: the words near the error may be a token or a password.
  const raw =
    configFile !== undefined
      ? await part(() => {
          try {
            return JSON.parse(readFileSync(configFile, 'utf8')) as unknown;
          } catch (err) {
            // Not quoted: JSON.parse's message shows the text near the error.
            return { unavailable: err instanceof SyntaxError ? "the file is not valid JSON (the station's own message names the line)" : messageOf(err) };
          }
        })
      : null;
  const server = 'config' in resolved ? resolved.config.server : null;
  const stationId = 'config' in resolved ? resolved.config.station.id : 'station';
  const bundle = {
    bundle: { madeAt: new Date().toISOString(), by: 'linesight support-bundle', secrets: 'masked' },
    versions: {
      linesight: (JSON.parse(readFileSync(join(layout.root, 'package.json'), 'utf8')) as { version: string }).version,
      node: process.versions.node,
      'onnxruntime-node': versionOf('onnxruntime-node'),
      sharp: versionOf('sharp'),
      'better-sqlite3': versionOf('better-sqlite3'),
      os: `${platform()} ${release()} ${arch()}`,
      host: hostname(),
      cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
      memoryBytes: totalmem(),
    },
    config: {
      file: configFile !== undefined ? resolve(configFile) : '(the demo default)',
      // As written in the file, and as the station reads it (defaults filled in): a typo shows in the first.
      asWritten: raw === null ? null : maskSecrets(raw),
      asRead: 'config' in resolved ? maskSecrets(resolved.config) : { unavailable: resolved.unavailable.replace(/ \(at "[^"]*"\)/g, '') },
    },
    status: server ? await part(() => stationStatus(server.port, server.host, server.token)) : { unavailable: 'the config could not be read' },
    events: await part(() => recentEvents(dataDir, events)),
    dataFolder: await part(() => dataFolder(dataDir)),
    journal: await part(journal),
  };
  const stamp = bundle.bundle.madeAt.replace(/[:.]/g, '-');
  const out = resolve(values.out ?? `linesight-support-${stationId}-${stamp}.json`);
  // The status, the events and the journal may quote a secret too (a camera's address with its password):
  // every secret value the config holds is masked wherever it appears.
  const secrets = [
    ...secretsIn(raw !== null && !(raw instanceof Object && 'unavailable' in raw) ? raw : {}),
    ...('config' in resolved ? secretsIn(resolved.config) : []),
  ];
  writeFileSync(out, `${scrubSecrets(JSON.stringify(bundle, null, 2), secrets)}\n`, { mode: 0o600 });
  process.stdout.write(`${out}\n`);
}

void main();
