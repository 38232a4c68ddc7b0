/**
 * Settings a technician changed from the UI, in force across restarts (the
 * audit trail keeps their history). Each value is checked against its schema
 * when read back: a row that no longer parses is ignored with a warning, and
 * the station runs on its configured value.
 */
import type { z } from 'zod';
import { describeZodError } from '../../shared/zod-errors';
import type { SqliteDatabase } from './database';

export interface StoredSetting<T> {
  readonly value: T;
  readonly at: string;
  readonly actor: string;
  readonly reason: string | null;
}

export class SettingsStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly warn: (message: string) => void,
  ) {}

  get<S extends z.ZodType>(key: string, schema: S): StoredSetting<z.infer<S>> | null {
    const row = this.db.prepare('SELECT value_json, updated_at, updated_by, reason FROM settings WHERE key = ?').get(key) as
      { value_json: string; updated_at: string; updated_by: string; reason: string | null } | undefined;
    if (!row) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(row.value_json);
    } catch {
      this.warn(`stored setting ${key} is not JSON; using the configured value`);
      return null;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      this.warn(`stored setting ${key} is invalid (${describeZodError(parsed.error)}); using the configured value`);
      return null;
    }
    return { value: parsed.data, at: row.updated_at, actor: row.updated_by, reason: row.reason };
  }

  set(key: string, value: unknown, actor: string, reason: string | null, at: Date): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value_json, updated_at, updated_by, reason) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by, reason = excluded.reason`,
      )
      .run(key, JSON.stringify(value), at.toISOString(), actor, reason);
  }
}
