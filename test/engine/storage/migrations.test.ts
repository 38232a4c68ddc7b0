import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DatabaseError, LATEST_VERSION, migrate, openDatabase, readDatabaseId, schemaVersion } from '../../../src/engine/storage/database';
import { MIGRATIONS } from '../../../src/engine/storage/migrations';
import { useTempDirs } from '../../helpers/temp-dir';

describe('migrations', () => {
  const tempDir = useTempDirs();

  it('are numbered 1, 2, 3… with no gap', () => {
    MIGRATIONS.forEach((m, i) => expect(m.version).toBe(i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  // Each migration is applied to a database made by the version before it.
  for (const migration of MIGRATIONS) {
    it(`${migration.version} (${migration.name}) migrates a database of version ${migration.version - 1}`, () => {
      const path = join(tempDir(), 'old.sqlite');
      const old = new Database(path);
      migrate(old, MIGRATIONS.slice(0, migration.version - 1));
      expect(schemaVersion(old)).toBe(migration.version - 1);
      old.close();
      const db = openDatabase(path);
      expect(schemaVersion(db)).toBe(LATEST_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    });
  }

  it('1 keeps rows of the inspections table usable', () => {
    const db = openDatabase(join(tempDir(), 'a.sqlite'));
    db.prepare(
      `INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, decision) VALUES (1, '2026-01-01T00:00:00Z', 'x', 'm', '1', 'clean')`,
    ).run();
    expect(() =>
      db
        .prepare(`INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, decision) VALUES (1, 't', 'x', 'm', '1', 'maybe-not')`)
        .run(),
    ).toThrow(/CHECK/);
    db.close();
  });

  /** A database at `version` with one inspection (every migration since 1 must keep the log's rows). */
  function seeded(version: number): { path: string; db: Database.Database } {
    const path = join(tempDir(), `v${version}.sqlite`);
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, version));
    db.prepare(
      `INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, reject_score, decision) VALUES (7, '2026-01-01T00:00:00Z', 'replay:7.jpg', 'm', '1', 0.9, 'pit')`,
    ).run();
    return { path, db };
  }
  const upTo = (path: string, version: number): Database.Database => {
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, version));
    expect(schemaVersion(db)).toBe(version);
    return db;
  };
  const inspections = (db: Database.Database): unknown[] => db.prepare('SELECT frame_id, origin, reject_score, decision FROM inspections').all();
  const ONE_INSPECTION = [{ frame_id: 7, origin: 'replay:7.jpg', reject_score: 0.9, decision: 'pit' }];

  it('2 adds the model registry beside a log of version 1, one record per name and version, its history append-only', () => {
    const { path, db: old } = seeded(1);
    old.close();
    const db = upTo(path, 2);
    expect(inspections(db)).toEqual(ONE_INSPECTION);
    const put = db.prepare(
      `INSERT INTO models (name, version, task, sha256, source_sha256, dir, source, imported_at, imported_by) VALUES ('m', ?, 't', 'a', 'a', 'd', 's', 't', 'x')`,
    );
    const id = Number(put.run('1').lastInsertRowid);
    expect(() => put.run('1')).toThrow(/UNIQUE/);
    db.prepare(`INSERT INTO model_activations (model_id, action, at, actor) VALUES (?, 'activate', 't', 'x')`).run(id);
    expect(() => db.prepare('DELETE FROM model_activations').run()).toThrow(/append-only/);
    db.close();
  });

  it('3 adds the event log beside a log of version 2 with its registry, append-only', () => {
    const { path, db: old } = seeded(2);
    old
      .prepare(
        `INSERT INTO models (name, version, task, sha256, source_sha256, dir, source, imported_at, imported_by) VALUES ('m', '1', 't', 'a', 'a', 'd', 's', 't', 'x')`,
      )
      .run();
    old.close();
    const db = upTo(path, 3);
    expect(inspections(db)).toEqual(ONE_INSPECTION);
    expect(db.prepare('SELECT name, version FROM models').all()).toEqual([{ name: 'm', version: '1' }]);
    db.prepare(`INSERT INTO events (at, kind, severity, message) VALUES ('t', 'camera', 'alarm', 'down')`).run();
    expect(() => db.prepare(`INSERT INTO events (at, kind, severity, message) VALUES ('t', 'camera', 'loud', 'x')`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE events SET message = 'fine'`).run()).toThrow(/append-only/);
    db.close();
  });

  it('4 gives inspections of version 3 no kept image (never guessed), and adds the audit trail and upload progress', () => {
    const { path, db: old } = seeded(3);
    old.prepare(`INSERT INTO events (at, kind, severity, message) VALUES ('t', 'camera', 'alarm', 'down')`).run();
    old.close();
    const db = upTo(path, 4);
    expect(db.prepare('SELECT frame_id, image_path, image_removed_at FROM inspections').all()).toEqual([
      { frame_id: 7, image_path: null, image_removed_at: null },
    ]);
    expect(db.prepare('SELECT message FROM events').all()).toEqual([{ message: 'down' }]);
    db.prepare(`INSERT INTO audit (at, actor, subject, old_json, new_json, reason) VALUES ('t', 'x', 'thresholds', '{}', '{}', 'r')`).run();
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    db.prepare(`INSERT INTO upload_progress (target, stream) VALUES ('pg', 'inspections')`).run();
    expect(db.prepare('SELECT last_seq, sent FROM upload_progress').get()).toEqual({ last_seq: 0, sent: 0 });
    db.close();
  });

  it('8 adds model load probes beside a log of version 7, one pass per file', () => {
    const { path, db: old } = seeded(7);
    old.close();
    const db = upTo(path, 8);
    expect(inspections(db)).toEqual(ONE_INSPECTION);
    const put = db.prepare(`INSERT INTO model_probes (sha256, peak_mib, cap_mib, model, probed_at) VALUES (?, 100, 2048, 'm', 't')`);
    put.run('a'.repeat(64));
    expect(() => put.run('a'.repeat(64))).toThrow(/UNIQUE|PRIMARY KEY/);
    db.close();
  });

  it('11 indexes the events of version 10 by kind, keeping them and their order', () => {
    const { path, db: old } = seeded(10);
    const put = old.prepare(`INSERT INTO events (at, kind, severity, message) VALUES ('t', ?, 'info', ?)`);
    put.run('auth', 'signed in');
    put.run('health', 'ok');
    put.run('auth', 'signed out');
    old.close();
    const db = upTo(path, 11);
    expect(inspections(db)).toEqual(ONE_INSPECTION);
    expect(db.prepare(`SELECT message FROM events WHERE kind = 'auth' ORDER BY seq DESC`).all()).toEqual([{ message: 'signed out' }, { message: 'signed in' }]);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'events_by_kind'`).get()).toEqual({ name: 'events_by_kind' });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('5 keeps an existing log and adds one settings row per key', () => {
    const path = join(tempDir(), 'v4.sqlite');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 4));
    old
      .prepare(
        `INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, decision) VALUES (1, '2026-01-01T00:00:00Z', 'x', 'm', '1', 'pit')`,
      )
      .run();
    old.close();
    const db = openDatabase(path);
    expect((db.prepare('SELECT COUNT(*) AS n FROM inspections').get() as { n: number }).n).toBe(1);
    const put = db.prepare(
      `INSERT INTO settings (key, value_json, updated_at, updated_by) VALUES ('thresholds', ?, 't', 'a')
       ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json`,
    );
    put.run('{"pit":0.7,"maybe":0.4}');
    put.run('{"pit":0.8,"maybe":0.4}');
    expect(db.prepare('SELECT key, value_json FROM settings').all()).toEqual([{ key: 'thresholds', value_json: '{"pit":0.8,"maybe":0.4}' }]);
    db.close();
  });

  it('6 adds benchmark runs beside a log of version 5, and refuses a result of an unknown scenario', () => {
    const path = join(tempDir(), 'v5.sqlite');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 5));
    old.prepare(`INSERT INTO settings (key, value_json, updated_at, updated_by) VALUES ('thresholds', '{"pit":0.7,"maybe":0.4}', 't', 'a')`).run();
    old.close();
    const db = openDatabase(path);
    expect(db.prepare('SELECT value_json FROM settings').get()).toEqual({ value_json: '{"pit":0.7,"maybe":0.4}' });
    const run = db
      .prepare(
        `INSERT INTO bench_runs (started_at, state, actor, plan_json, machine_json, line_rate_fps, deadline_ms, line_running, cases) VALUES ('t', 'running', 'a', '{}', '{}', 10, 1000, 0, 1)`,
      )
      .run();
    const result = `INSERT INTO bench_results (run_id, model, model_label, provider, threads, scenario, mode, batch, status) VALUES (?, 'active', 'm 1', 'cpu', 1, ?, 'latency', 1, 'done')`;
    db.prepare(result).run(run.lastInsertRowid, 'offline');
    expect(() => db.prepare(result).run(run.lastInsertRowid, 'burst')).toThrow(/CHECK/);
    db.close();
  });

  it('7 gives a new database an id of its own, keeps the empty id for a log that already held rows, and fixes one open batch per lane', () => {
    const fresh = (name: string): string => {
      const path = join(tempDir(), name);
      const old = new Database(path);
      migrate(old, MIGRATIONS.slice(0, 6));
      old.close();
      return path;
    };
    const ids = ['a.sqlite', 'b.sqlite'].map((name) => {
      const db = openDatabase(fresh(name));
      const id = readDatabaseId(db);
      db.close();
      return id;
    });
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[1]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);

    // A log of version 6 with rows: they were uploaded as (station, seq), which the plant's upgraded tables keep under ''.
    const path = fresh('v6.sqlite');
    const old = new Database(path);
    old.prepare(`INSERT INTO audit (at, actor, subject, old_json, new_json, reason) VALUES ('t', 'a', 'thresholds', '{}', '{}', 'r')`).run();
    old.prepare(`INSERT INTO upload_progress (target, stream, last_seq, sent) VALUES ('plant-db', 'audit', 1, 1)`).run();
    old.close();
    const db = openDatabase(path);
    expect(readDatabaseId(db)).toBe('');
    expect(db.prepare('SELECT last_seq FROM upload_progress').get()).toEqual({ last_seq: 1 });
    expect(() => db.prepare("UPDATE database_identity SET id = 'x'").run()).toThrow(/never changes/);
    const form = db.prepare(
      `INSERT INTO upload_batches (source, target, stream, first_seq, last_seq, rows, formed_at) VALUES ('', 'plant-db', 'audit', ?, ?, 1, 't')`,
    );
    form.run(2, 2);
    expect(() => form.run(3, 3)).toThrow(/UNIQUE/);
    db.close();
  });

  it('9 keys model load probes by file and settings, keeping the passes of version 8 under a key no load asks for', () => {
    const path = join(tempDir(), 'v8.sqlite');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 8));
    old
      .prepare(`INSERT INTO model_probes (sha256, peak_mib, cap_mib, model, probed_at) VALUES (?, 110.5, 2048, 'demo 1 (model.onnx)', 't')`)
      .run('a'.repeat(64));
    old.close();
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 9));
    expect(schemaVersion(db)).toBe(9);
    expect(db.prepare('SELECT * FROM model_probes').all()).toEqual([
      { sha256: 'a'.repeat(64), settings_key: '', peak_mib: 110.5, cap_mib: 2048, model: 'demo 1 (model.onnx)', probed_at: 't' },
    ]);
    // One pass per file and settings: the same file probed with other settings is a row of its own.
    const put = db.prepare(`INSERT INTO model_probes (sha256, settings_key, peak_mib, cap_mib, model, probed_at) VALUES (?, ?, 120, 2048, 'm', 't')`);
    put.run('a'.repeat(64), 'v2 batch=1');
    put.run('a'.repeat(64), 'v2 batch=8');
    expect(() => put.run('a'.repeat(64), 'v2 batch=8')).toThrow(/UNIQUE/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM model_probes').get()).toEqual({ n: 3 });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('10 keeps rows of version 9 with no thresholds recorded (never guessed), and marks every registered model as imported', () => {
    const path = join(tempDir(), 'v9.sqlite');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 9));
    old
      .prepare(
        `INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, decision) VALUES (1, '2026-01-01T00:00:00Z', 'x', 'm', '1', 'pit')`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO models (name, version, task, sha256, source_sha256, dir, source, imported_at, imported_by)
         VALUES ('m', '1', 'image-classification', 'a', 'a', 'models/m/1', '/media/m/manifest.json', 't', 'tech')`,
      )
      .run();
    old.close();
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 10));
    expect(schemaVersion(db)).toBe(10);
    expect(db.prepare('SELECT frame_id, pit_threshold, maybe_threshold FROM inspections').all()).toEqual([
      { frame_id: 1, pit_threshold: null, maybe_threshold: null },
    ]);
    expect(db.prepare('SELECT name, configured FROM models').all()).toEqual([{ name: 'm', configured: 0 }]);
    // A row written now carries its thresholds; the configured flag is 0 or 1.
    db.prepare(
      `INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, decision, pit_threshold, maybe_threshold)
       VALUES (2, '2026-01-01T00:00:01Z', 'x', 'm', '1', 'maybe', 0.8, 0.5)`,
    ).run();
    expect(db.prepare('SELECT pit_threshold, maybe_threshold FROM inspections WHERE frame_id = 2').get()).toEqual({ pit_threshold: 0.8, maybe_threshold: 0.5 });
    expect(() => db.prepare('UPDATE models SET configured = 2').run()).toThrow(/CHECK/);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('12 keeps what version 11 held and stores calibrations per model version, newest last, as valid JSON only', () => {
    const path = join(tempDir(), 'v11.sqlite');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 11));
    old
      .prepare(
        `INSERT INTO inspections (frame_id, captured_at, origin, model_name, model_version, decision) VALUES (1, '2026-01-01T00:00:00Z', 'x', 'm', '1', 'pit')`,
      )
      .run();
    old.close();
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 12));
    expect(schemaVersion(db)).toBe(12);
    expect(db.prepare('SELECT frame_id FROM inspections').all()).toEqual([{ frame_id: 1 }]);
    const put = db.prepare(
      `INSERT INTO model_calibrations (model_name, model_version, model_sha256, at, actor, calibration_json) VALUES ('m', '1', 's', 't', 'tech', ?)`,
    );
    put.run('{"a":1}');
    put.run('{"a":2}');
    expect(() => put.run('not json')).toThrow(/CHECK/);
    expect(db.prepare(`SELECT calibration_json FROM model_calibrations WHERE model_name = 'm' ORDER BY id DESC LIMIT 1`).get()).toEqual({
      calibration_json: '{"a":2}',
    });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('13 keeps what version 12 held and keeps parity results per registered model, passed as 0 or 1 only', () => {
    const path = join(tempDir(), 'v12.sqlite');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 12));
    old
      .prepare(
        `INSERT INTO models (name, version, task, sha256, source_sha256, dir, source, imported_at, imported_by)
         VALUES ('m', '1', 'image-classification', 'a', 'a', 'models/m/1', '/media/m/manifest.json', 't', 'tech')`,
      )
      .run();
    old.close();
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 13));
    expect(schemaVersion(db)).toBe(13);
    const put = db.prepare('INSERT INTO model_parity_results (model_id, at, provider, passed, message) VALUES (1, ?, ?, ?, ?)');
    put.run('t1', 'cpu', 1, 'parity on cpu');
    expect(() => put.run('t2', 'cpu', 2, 'x')).toThrow(/CHECK/);
    expect(db.prepare('SELECT provider, passed FROM model_parity_results').all()).toEqual([{ provider: 'cpu', passed: 1 }]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('14 keeps what version 13 held and keeps shadow trials and captures, refusing a state, reason or label it does not know', () => {
    const path = join(tempDir(), 'v13.sqlite');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 13));
    old
      .prepare(
        `INSERT INTO models (name, version, task, sha256, source_sha256, dir, source, imported_at, imported_by)
         VALUES ('m', '1', 'image-classification', 'a', 'a', 'models/m/1', '/media/m/manifest.json', 't', 'tech')`,
      )
      .run();
    old.prepare(`INSERT INTO model_parity_results (model_id, at, provider, passed, message) VALUES (1, 't', 'cpu', 1, 'ok')`).run();
    old.close();
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 14));
    expect(schemaVersion(db)).toBe(14);
    expect(db.prepare('SELECT message FROM model_parity_results').all()).toEqual([{ message: 'ok' }]);
    const trial = db.prepare(
      `INSERT INTO shadow_trials (model_id, model_name, model_version, live_name, live_version, thresholds_json, state, started_at, started_by,
         stop_items, stop_until, share, figures_json) VALUES (1, 'm', '1', 'l', '1', '{"pit":0.7,"maybe":0.4}', ?, 't', 'tech', 100, 't', 1, '{}')`,
    );
    trial.run('running');
    expect(() => trial.run('paused')).toThrow(/CHECK/);
    const capture = db.prepare(
      `INSERT INTO captures (at, frame_id, reason, model_name, model_version, decision, reject_score, image_path, trial_id, label)
       VALUES ('t', 1, ?, 'm', '1', 'pit', 0.9, 'captures/x.jpg', 1, ?)`,
    );
    capture.run('disagreement', 'defective');
    expect(() => capture.run('whim', null)).toThrow(/CHECK/);
    expect(() => capture.run('random', 'maybe')).toThrow(/CHECK/);
    const seq = db.prepare(
      `INSERT INTO captures (at, frame_id, reason, model_name, model_version, decision, image_path, inspection_seq) VALUES ('t', 2, 'person', 'm', '1', 'clean', 'c', 5)`,
    );
    seq.run();
    // One capture per logged item: a second label of it updates the first.
    expect(() => seq.run()).toThrow(/UNIQUE/);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('refuses a database written by a newer LineSight instead of touching it', () => {
    const path = join(tempDir(), 'new.sqlite');
    const newer = new Database(path);
    newer.pragma(`user_version = ${LATEST_VERSION + 5}`);
    newer.close();
    expect(() => openDatabase(path)).toThrow(DatabaseError);
    expect(() => openDatabase(path)).toThrow(/newer than this LineSight knows/);
  });
});
