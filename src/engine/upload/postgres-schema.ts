/**
 * The plant's PostgreSQL tables for LineSight's rows, and their upgrade in
 * place. A row is known by (station_id, database_id, seq): database_id is
 * the id of the station's log database (migration 7), so the rows of a
 * database started after a corrupt one was moved aside, whose seq restart at
 * 1, are new rows rather than conflicts dropped by ON CONFLICT (issue 11,
 * item 9). Tables made by the previous version (key (station_id, seq)) get
 * the column, '' for the rows they hold, and the new key.
 */
import type pg from 'pg';

export type PgStream = 'inspections' | 'audit';

/** The unique key each INSERT's ON CONFLICT names (a hypertable's unique key must hold its time column). */
export const CONFLICT_KEY: Record<PgStream, string> = {
  inspections: 'station_id, database_id, seq, captured_at',
  audit: 'station_id, database_id, seq',
};

export class PostgresSchemaError extends Error {
  override readonly name = 'PostgresSchemaError';
}

/** Creates the tables when missing (TimescaleDB hypertable where the extension is there) and upgrades those of the previous version. */
export async function createOrUpgradeTables(client: pg.Client, prefix: string): Promise<void> {
  const inspections = `${prefix}inspections`;
  await client.query(`CREATE TABLE IF NOT EXISTS ${inspections} (
    station_id text NOT NULL, database_id text NOT NULL DEFAULT '', seq bigint NOT NULL, captured_at timestamptz NOT NULL,
    frame_id bigint NOT NULL, origin text, model_name text NOT NULL, model_version text NOT NULL,
    reject_score double precision, scores jsonb, decision text NOT NULL, fail_safe_reason text,
    decode_ms real, preprocess_ms real, inference_ms real, decision_ms real, total_ms real,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (${CONFLICT_KEY.inspections}))`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${prefix}audit (
    station_id text NOT NULL, database_id text NOT NULL DEFAULT '', seq bigint NOT NULL, at timestamptz NOT NULL, actor text NOT NULL,
    subject text NOT NULL, old jsonb, new jsonb, reason text, PRIMARY KEY (${CONFLICT_KEY.audit}))`);
  const timescale = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  if (timescale.rowCount) await client.query(`SELECT create_hypertable('${inspections}', 'captured_at', if_not_exists => TRUE, migrate_data => TRUE)`);
  for (const stream of ['inspections', 'audit'] as const) await upgradeTable(client, `${prefix}${stream}`, stream);
}

/** The columns of the table's primary key, in order. */
async function primaryKey(client: pg.Client, table: string): Promise<{ name: string; columns: string[] } | null> {
  const rows = await client.query<{ name: string; columns: string[] }>(
    `SELECT c.conname AS name, array_agg(a.attname ORDER BY k.ord)::text[] AS columns
       FROM pg_constraint c
       CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
      WHERE c.conrelid = $1::regclass AND c.contype = 'p'
      GROUP BY c.conname`,
    [table],
  );
  return rows.rows[0] ?? null;
}

/** A table of the previous version: add database_id ('' for the rows it holds) and key rows by it, in one transaction. */
async function upgradeTable(client: pg.Client, table: string, stream: PgStream): Promise<void> {
  const key = await primaryKey(client, table);
  if (key?.columns.includes('database_id')) return;
  await client.query('BEGIN');
  try {
    // Another station may be upgrading the same table: the lock makes the second one see the first's result.
    await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const locked = await primaryKey(client, table);
    if (!locked?.columns.includes('database_id')) {
      await client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS database_id text NOT NULL DEFAULT ''`);
      const drop = locked ? `DROP CONSTRAINT ${locked.name}, ` : '';
      await client.query(`ALTER TABLE ${table} ${drop}ADD PRIMARY KEY (${CONFLICT_KEY[stream]})`);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new PostgresSchemaError(`cannot upgrade ${table} to rows keyed by database id: ${(err as Error).message}`);
  }
}

/** With createTables off, the plant owns the tables: refuse, with what to do, to write into a table without the key. */
export async function checkTables(client: pg.Client, prefix: string): Promise<void> {
  for (const stream of ['inspections', 'audit'] as const) {
    const table = `${prefix}${stream}`;
    const key = await primaryKey(client, table).catch(() => null);
    if (!key?.columns.includes('database_id')) {
      throw new PostgresSchemaError(
        `${table} has no primary key on (${CONFLICT_KEY[stream]}): rows of a new station database would be dropped as conflicts; ` +
          `add the column database_id text NOT NULL DEFAULT '' and that key, or set createTables: true to let LineSight do it`,
      );
    }
  }
}
