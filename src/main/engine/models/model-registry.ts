/**
 * The model registry: models imported into the data dir, each in its own
 * folder (models/<name>/<version>/model.onnx + manifest.json) with a row in
 * SQLite, and the append-only history of activations. The active model is the
 * newest activation; a rollback activates the one active before it.
 *
 * The registry stores and remembers; the engine decides (it loads and warms
 * a model before recording its activation). It hashes nothing itself: a
 * package's sha256 is its manifest's, checked as the file was read
 * (model-package.ts), and a stored model's is the probe's.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ModelManifest } from '../../../shared/manifest';
import type { ModelActivation, ModelRecord } from '../../../shared/models';
import { DEFAULT_MODEL_MAX_FILE_BYTES } from '../../../shared/config';
import { loadModelPackage, MANIFEST_FILE, MODEL_FILE, type ModelPackage } from '../model-package';
import type { SqliteDatabase } from '../storage/database';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

interface ModelRow {
  id: number;
  name: string;
  version: string;
  task: ModelRecord['task'];
  sha256: string;
  source_sha256: string;
  dir: string;
  source: string;
  imported_at: string;
  imported_by: string;
  notes_json: string;
}

export interface StoreRequest {
  readonly pkg: ModelPackage;
  /** The model as the engine prepared it (repairs applied). */
  readonly preparedBytes: Uint8Array;
  readonly notes: readonly string[];
  /** The manifest to store beside it: labels inline, the hash of `preparedBytes` (as the probe gave it). */
  readonly manifest: ModelManifest;
  readonly actor: string;
  readonly at: Date;
}

export class ModelRegistry {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly dataDir: string,
    /** model.maxFileBytes: a stored model file larger than this is refused before it is read. */
    private readonly maxFileBytes = DEFAULT_MODEL_MAX_FILE_BYTES,
  ) {}

  private toRecord(row: ModelRow, activeId: number | null): ModelRecord {
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      task: row.task,
      sha256: row.sha256,
      sourceSha256: row.source_sha256,
      source: row.source,
      importedAt: row.imported_at,
      importedBy: row.imported_by,
      notes: JSON.parse(row.notes_json) as string[],
      active: row.id === activeId,
    };
  }

  private activeId(): number | null {
    const row = this.db.prepare('SELECT model_id FROM model_activations ORDER BY seq DESC LIMIT 1').get() as { model_id: number } | undefined;
    return row?.model_id ?? null;
  }

  list(): ModelRecord[] {
    const active = this.activeId();
    return (this.db.prepare('SELECT * FROM models ORDER BY id DESC').all() as ModelRow[]).map((r) => this.toRecord(r, active));
  }

  get(id: number): ModelRecord | null {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
    return row ? this.toRecord(row, this.activeId()) : null;
  }

  find(name: string, version: string): ModelRecord | null {
    const row = this.db.prepare('SELECT * FROM models WHERE name = ? AND version = ?').get(name, version) as ModelRow | undefined;
    return row ? this.toRecord(row, this.activeId()) : null;
  }

  active(): ModelRecord | null {
    const id = this.activeId();
    return id === null ? null : this.get(id);
  }

  /** The model that was active before the current one, for a rollback. */
  previous(): ModelRecord | null {
    const rows = this.db.prepare('SELECT model_id FROM model_activations ORDER BY seq DESC').all() as { model_id: number }[];
    const current = rows[0]?.model_id;
    const before = rows.find((r) => r.model_id !== current);
    return before ? this.get(before.model_id) : null;
  }

  history(limit = 100): ModelActivation[] {
    const rows = this.db
      .prepare(
        `SELECT a.seq, a.model_id, m.name, m.version, a.action, a.at, a.actor, a.reason
         FROM model_activations a JOIN models m ON m.id = a.model_id ORDER BY a.seq DESC LIMIT ?`,
      )
      .all(limit) as { seq: number; model_id: number; name: string; version: string; action: 'activate' | 'rollback'; at: string; actor: string; reason: string | null }[];
    return rows.map((r) => ({ seq: r.seq, modelId: r.model_id, name: r.name, version: r.version, action: r.action, at: r.at, actor: r.actor, reason: r.reason }));
  }

  /** Copies a checked, prepared model into the data dir and records it. */
  async store(req: StoreRequest): Promise<ModelRecord> {
    const { name, version } = req.manifest;
    if (this.find(name, version)) throw new RegistryError(`model ${name} ${version} is already in the registry`);
    const dir = join(this.dataDir, 'models', name, version);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(join(dir, MODEL_FILE), req.preparedBytes);
      await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(req.manifest, null, 2) + '\n');
      const info = this.db
        .prepare(
          `INSERT INTO models (name, version, task, sha256, source_sha256, dir, source, imported_at, imported_by, notes_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          name,
          version,
          req.manifest.task,
          req.manifest.sha256,
          req.pkg.manifest.sha256,
          relative(this.dataDir, dir),
          req.pkg.manifestPath,
          req.at.toISOString(),
          req.actor,
          JSON.stringify(req.notes),
        );
      return this.get(Number(info.lastInsertRowid))!;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Loads a registered model's package; its hash is checked against the registry and its manifest. */
  async loadPackage(id: number): Promise<ModelPackage> {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
    if (!row) throw new RegistryError(`no model with id ${id} in the registry`);
    // Read and hashed once; the hash checked against the stored manifest there is compared with the registry's here.
    const pkg = await loadModelPackage(join(this.dataDir, row.dir), { maxFileBytes: this.maxFileBytes });
    const sha = pkg.manifest.sha256;
    if (sha !== row.sha256) {
      throw new RegistryError(`stored model ${row.name} ${row.version} (${pkg.modelPath}) was changed since it was imported (sha256 ${sha.slice(0, 12)}…, registry says ${row.sha256.slice(0, 12)}…)`);
    }
    return pkg;
  }

  recordActivation(id: number, action: 'activate' | 'rollback', actor: string, reason: string | null, at: Date): void {
    this.db.prepare('INSERT INTO model_activations (model_id, action, at, actor, reason) VALUES (?, ?, ?, ?, ?)').run(id, action, at.toISOString(), actor, reason);
  }
}
