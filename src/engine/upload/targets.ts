/**
 * Upload targets: the plant's PostgreSQL / TimescaleDB (pg), or an HTTP(S)
 * endpoint taking NDJSON. Each send is idempotent, so a batch sent again after
 * a crash, a timeout or a lost answer is stored once: a batch is fixed once
 * formed (outbox.ts), and rows are known by (station, database id, seq) —
 * ON CONFLICT DO NOTHING on that key in PostgreSQL, and an Idempotency-Key
 * made of it and the batch's bounds over HTTP.
 */
import pg from 'pg';
import type { HttpTargetConfig, PostgresTargetConfig, UploadTargetConfig } from '../../shared/storage-config';
import type { AuditRecord, InspectionRecord, OutboxBatch } from './outbox';
import { CONFLICT_KEY, checkTables, createOrUpgradeTables } from './postgres-schema';

/** What a target said of a batch it acknowledged. */
export interface SendResult {
  /**
   * Rows it stored anew; the rest it already held (ON CONFLICT DO NOTHING). null when it does not say (HTTP): the
   * Idempotency-Key makes a resend safe there, but the collector's answer does not count rows.
   */
  readonly stored: number | null;
}

export interface UploadTarget {
  readonly id: string;
  readonly kind: string;
  /** Resolves once the target acknowledged every row of the batch. */
  send(batch: OutboxBatch): Promise<SendResult>;
  close(): Promise<void>;
}

class PostgresTarget implements UploadTarget {
  readonly kind = 'postgres';
  private client: pg.Client | null = null;
  /** Every lane (both streams, and those draining moved-aside databases) shares one connection; the first to need it makes it, the others wait. */
  private connecting: Promise<pg.Client> | null = null;
  /** One statement at a time on that connection (pg deprecates queries issued while one runs). */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: PostgresTargetConfig,
    private readonly stationId: string,
  ) {}

  get id(): string {
    return this.config.id;
  }

  private table(stream: 'inspections' | 'audit'): string {
    return `${this.config.tablePrefix}${stream}`;
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.config.connectionString, connectionTimeoutMillis: 10_000 });
    // A connection that breaks is dropped; the next send connects again.
    client.on('error', () => {
      if (this.client === client) this.client = null;
    });
    await client.connect();
    try {
      if (this.config.createTables) await createOrUpgradeTables(client, this.config.tablePrefix);
      else await checkTables(client, this.config.tablePrefix);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    return client;
  }

  send(batch: OutboxBatch): Promise<SendResult> {
    const sent = this.turn.then(() => this.sendNow(batch));
    this.turn = sent.then(
      () => undefined,
      () => undefined,
    );
    return sent;
  }

  private async sendNow(batch: OutboxBatch): Promise<SendResult> {
    const client = await this.connect();
    try {
      const stored =
        batch.stream === 'inspections'
          ? await this.insertInspections(client, batch.databaseId, batch.rows)
          : await this.insertAudit(client, batch.databaseId, batch.rows);
      return { stored };
    } catch (err) {
      // A failed statement may leave the connection in doubt: start afresh next time.
      this.client = null;
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** The rows stored anew (rowCount: those ON CONFLICT skipped are not counted). */
  private async insertInspections(client: pg.Client, databaseId: string, rows: readonly InspectionRecord[]): Promise<number | null> {
    const col = <K extends keyof InspectionRecord>(k: K): InspectionRecord[K][] => rows.map((r) => r[k]);
    const result = await client.query(
      `INSERT INTO ${this.table('inspections')} (station_id, database_id, seq, captured_at, frame_id, origin, model_name, model_version,
         reject_score, scores, decision, fail_safe_reason, decode_ms, preprocess_ms, inference_ms, decision_ms, total_ms)
       SELECT $1, $17, * FROM unnest($2::bigint[], $3::timestamptz[], $4::bigint[], $5::text[], $6::text[], $7::text[],
         $8::float8[], $9::jsonb[], $10::text[], $11::text[], $12::real[], $13::real[], $14::real[], $15::real[], $16::real[])
       ON CONFLICT (${CONFLICT_KEY.inspections}) DO NOTHING`,
      [
        this.stationId,
        col('seq'),
        col('capturedAt'),
        col('frameId'),
        col('origin'),
        col('modelName'),
        col('modelVersion'),
        col('rejectScore'),
        rows.map((r) => (r.scores === null ? null : JSON.stringify(r.scores))),
        col('decision'),
        col('failSafeReason'),
        col('decodeMs'),
        col('preprocessMs'),
        col('inferenceMs'),
        col('decisionMs'),
        col('totalMs'),
        databaseId,
      ],
    );
    return result.rowCount;
  }

  private async insertAudit(client: pg.Client, databaseId: string, rows: readonly AuditRecord[]): Promise<number | null> {
    const result = await client.query(
      `INSERT INTO ${this.table('audit')} (station_id, database_id, seq, at, actor, subject, old, new, reason)
       SELECT $1, $9, * FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[], $8::text[])
       ON CONFLICT (${CONFLICT_KEY.audit}) DO NOTHING`,
      [
        this.stationId,
        rows.map((r) => r.seq),
        rows.map((r) => r.at),
        rows.map((r) => r.actor),
        rows.map((r) => r.subject),
        rows.map((r) => JSON.stringify(r.old)),
        rows.map((r) => JSON.stringify(r.new)),
        rows.map((r) => r.reason),
        databaseId,
      ],
    );
    return result.rowCount;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

class HttpTarget implements UploadTarget {
  readonly kind = 'http';

  constructor(
    private readonly config: HttpTargetConfig,
    private readonly stationId: string,
  ) {}

  get id(): string {
    return this.config.id;
  }

  async send(batch: OutboxBatch): Promise<SendResult> {
    const station = this.stationId;
    const body = batch.rows.map((r) => JSON.stringify({ station, database: batch.databaseId, stream: batch.stream, ...r })).join('\n') + '\n';
    const res = await fetch(this.config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-ndjson',
        // The same batch always has the same key: the bounds are fixed once formed (outbox.ts).
        'idempotency-key': `${station}:${batch.databaseId}:${batch.stream}:${batch.firstSeq}-${batch.lastSeq}`,
        ...(this.config.token ? { authorization: `Bearer ${this.config.token}` } : {}),
      },
      body,
      signal: AbortSignal.timeout(this.config.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status >= 300) throw new Error(`${this.config.url} answered HTTP ${res.status}`);
    return { stored: null };
  }

  async close(): Promise<void> {}
}

export function createUploadTarget(config: UploadTargetConfig, stationId: string): UploadTarget {
  return config.kind === 'postgres' ? new PostgresTarget(config, stationId) : new HttpTarget(config, stationId);
}
