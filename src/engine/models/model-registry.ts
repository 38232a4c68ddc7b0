/**
 * The model registry: models imported into the data dir, each in its own
 * folder (models/<name>/<version>/model.onnx + manifest.json) with a row in
 * SQLite, and the append-only history of activations. The active model is the
 * newest activation; a rollback activates the one active before it.
 *
 * The configured model (model.dir, the bundled demo by default) is a
 * registered version too, so that a rollback reaches it after the first
 * activation (issue 12): registered at start by name, version and sha256,
 * marked `configured`, and not copied (its folder is part of the install);
 * its loads check its hash like any other's. Before the first activation it
 * is what runs, so a rollback from the only model ever activated goes to it.
 *
 * The registry stores and remembers; the engine decides (it loads and warms
 * a model before recording its activation). It hashes nothing itself: a
 * package's sha256 is its manifest's, checked as the file was read
 * (model-package.ts), and a stored model's is the probe's.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { ModelManifest } from '../../shared/manifest';
import {
  modelUse,
  variantCertification,
  variantOrigin,
  type ModelActivation,
  type ModelRecord,
  type ModelUse,
  type QuantizedVariant,
} from '../../shared/models';
import { DEFAULT_MODEL_MAX_FILE_BYTES } from '../../shared/config';
import { loadModelPackage, MANIFEST_FILE, MODEL_FILE, readManifest, type ModelPackage } from '../model-package';
import type { SqliteDatabase } from '../storage/database';
import type { CalibrationReads } from '../storage/calibration-store';

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
  /** 1: the configured model, registered in place (migration 10). */
  configured: number;
}

/** Who the registry names as having put the configured model there. */
export const CONFIGURED_BY = 'the station (model.dir in its config)';

/** How the configured model's registration went: its record, or why it could not be registered (it runs all the same). */
export type ConfiguredRegistration = { readonly record: ModelRecord; readonly problem?: undefined } | { readonly record?: undefined; readonly problem: string };

export interface StoreRequest {
  readonly pkg: ModelPackage;
  /** The model as the engine prepared it (repairs applied). */
  readonly preparedBytes: Uint8Array;
  readonly notes: readonly string[];
  /** The manifest to store beside it: labels inline, the hash of `preparedBytes` (as the probe gave it). */
  readonly manifest: ModelManifest;
  /** The check pictures its parity record names (check/…), stored beside it. */
  readonly checkFiles?: readonly { readonly file: string; readonly bytes: Uint8Array }[];
  readonly actor: string;
  readonly at: Date;
}

export class ModelRegistry {
  /** What each registered model can be used for, from its manifest (read at start by readUses, then kept as models are added). */
  private readonly uses = new Map<number, ModelUse>();
  /** Of each registered model that is an INT8 variant of another, what it was made from (read with its use). */
  private readonly origins = new Map<number, Pick<QuantizedVariant, 'from' | 'method'>>();
  /** The configured model's record this run (registerConfigured), or null when it could not be registered. */
  private configuredId: number | null = null;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly dataDir: string,
    /** model.maxFileBytes: a stored model file larger than this is refused before it is read. */
    private readonly maxFileBytes = DEFAULT_MODEL_MAX_FILE_BYTES,
    /** The station's calibrations: a variant goes live only once one certifies it (shared/models.ts variantCertification). */
    private readonly calibrations: Pick<CalibrationReads, 'latest'> | null = null,
  ) {}

  /** What the manifest says the model can be used for, and what it was quantised from: kept for its records. */
  private remember(id: number, manifest: ModelManifest): void {
    this.uses.set(id, modelUse(manifest));
    const origin = variantOrigin(manifest);
    if (origin) this.origins.set(id, origin);
  }

  /**
   * A variant's go-live state, read at each record: a calibration made since the last listing counts at once. Its
   * calibration is stored under the file as the station keeps it (or as shipped, for one calibrated before import).
   */
  private quantizedOf(row: ModelRow): QuantizedVariant | null {
    const origin = this.origins.get(row.id);
    if (!origin) return null;
    const key = { name: row.name, version: row.version };
    const calibration = this.calibrations
      ? (this.calibrations.latest({ ...key, sha256: row.sha256 }) ?? this.calibrations.latest({ ...key, sha256: row.source_sha256 }))
      : null;
    return { ...origin, ...variantCertification(key, origin, calibration) };
  }

  private toRecord(row: ModelRow, activeId: number | null, rollbackId: number | null): ModelRecord {
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
      // The model model.dir names this run: a record registered in place under an earlier model.dir is not it.
      configured: row.id === this.configuredId,
      use: this.uses.get(row.id) ?? { line: false, words: 'its manifest could not be read: what it can be used for is not known' },
      rollbackTarget: row.id === rollbackId,
      parity: this.latestParity(row.id),
      quantized: this.quantizedOf(row),
    };
  }

  private latestParity(id: number): ModelRecord['parity'] {
    const row = this.db.prepare('SELECT at, provider, passed, message FROM model_parity_results WHERE model_id = ? ORDER BY id DESC LIMIT 1').get(id) as
      | { at: string; provider: string; passed: number; message: string }
      | undefined;
    return row ? { at: row.at, provider: row.provider, passed: row.passed === 1, message: row.message } : null;
  }

  /** What the parity gate found when the model was loaded to decide (kept, the newest shown). */
  recordParity(id: number, result: { readonly at: string; readonly provider: string; readonly passed: boolean; readonly message: string }): void {
    this.db.prepare('INSERT INTO model_parity_results (model_id, at, provider, passed, message) VALUES (?, ?, ?, ?, ?)').run(id, result.at, result.provider, result.passed ? 1 : 0, result.message);
  }

  /** The newest activation's model: null until a technician activates one. */
  private activeId(): number | null {
    const row = this.db.prepare('SELECT model_id FROM model_activations ORDER BY seq DESC LIMIT 1').get() as { model_id: number } | undefined;
    return row?.model_id ?? null;
  }

  /** The model running as the registry reckons it: the newest activation, else the configured model. */
  private runningId(): number | null {
    return this.activeId() ?? this.configuredId;
  }

  /**
   * Where a rollback goes: the newest activation of another model than the current one; when every activation was of
   * the current one, the configured model, which ran before the first. Null before any activation (the configured model runs).
   */
  private previousId(): number | null {
    const rows = this.db.prepare('SELECT model_id FROM model_activations ORDER BY seq DESC').all() as { model_id: number }[];
    const current = rows[0]?.model_id;
    if (current === undefined) return null;
    const before = rows.find((r) => r.model_id !== current);
    if (before) return before.model_id;
    return this.configuredId !== null && this.configuredId !== current ? this.configuredId : null;
  }

  private records(rows: readonly ModelRow[]): ModelRecord[] {
    const running = this.runningId();
    const previous = this.previousId();
    return rows.map((r) => this.toRecord(r, running, previous));
  }

  list(): ModelRecord[] {
    return this.records(this.db.prepare('SELECT * FROM models ORDER BY id DESC').all() as ModelRow[]);
  }

  get(id: number): ModelRecord | null {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
    return row ? this.records([row])[0]! : null;
  }

  find(name: string, version: string): ModelRecord | null {
    const row = this.db.prepare('SELECT * FROM models WHERE name = ? AND version = ?').get(name, version) as ModelRow | undefined;
    return row ? this.records([row])[0]! : null;
  }

  /** The newest activation's model (what runs at start): null until a technician activates one. */
  active(): ModelRecord | null {
    const id = this.activeId();
    return id === null ? null : this.get(id);
  }

  /** Where a rollback goes (previousId), or null when there is nowhere to go. */
  previous(): ModelRecord | null {
    const id = this.previousId();
    return id === null ? null : this.get(id);
  }

  /**
   * Reads what each registered model can be used for from its stored manifest (a few small files, once at start):
   * the Models page shows it and an activation of a model that cannot drive the line is refused at once with it.
   */
  async readUses(onProblem: (message: string) => void): Promise<void> {
    const rows = this.db.prepare('SELECT id, name, version, dir FROM models').all() as Pick<ModelRow, 'id' | 'name' | 'version' | 'dir'>[];
    for (const row of rows) {
      if (this.uses.has(row.id)) continue;
      try {
        this.remember(row.id, (await readManifest(resolve(this.dataDir, row.dir))).manifest);
      } catch (err) {
        onProblem(`registered model ${row.name} ${row.version}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Registers the configured model (read and hashed by loadModelPackage) in place, or finds it registered: by name,
   * version and sha256. A registered model of that name and version with another file is never taken for it: the
   * configured model then runs unregistered and the problem says why (a rollback cannot return to it).
   */
  registerConfigured(pkg: ModelPackage, at: Date): ConfiguredRegistration {
    this.configuredId = null;
    const { name, version, sha256 } = pkg.manifest;
    const row = this.db.prepare('SELECT * FROM models WHERE name = ? AND version = ?').get(name, version) as ModelRow | undefined;
    let id: number;
    if (!row) {
      const info = this.db
        .prepare(
          `INSERT INTO models (name, version, task, sha256, source_sha256, dir, source, imported_at, imported_by, notes_json, configured)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', 1)`,
        )
        .run(name, version, pkg.manifest.task, sha256, sha256, resolve(pkg.dir), pkg.manifestPath, at.toISOString(), CONFIGURED_BY);
      id = Number(info.lastInsertRowid);
    } else if (row.configured === 1 && row.sha256 === sha256) {
      id = row.id;
      // The same file in another folder (the app installed elsewhere): its loads read it where it is now.
      if (resolve(this.dataDir, row.dir) !== resolve(pkg.dir)) {
        this.db.prepare('UPDATE models SET dir = ?, source = ? WHERE id = ?').run(resolve(pkg.dir), pkg.manifestPath, row.id);
      }
    } else if (row.configured === 0 && row.source_sha256 === sha256) {
      // Imported before from the same file: a rollback to that record runs the same model.
      id = row.id;
    } else {
      const theirs = row.configured === 1 ? row.sha256 : row.source_sha256;
      return {
        problem:
          `the configured model ${name} ${version} (${pkg.manifestPath}) is a different file from the one registered under that name and version ` +
          `(sha256 ${sha256.slice(0, 12)}…, the registry's ${theirs.slice(0, 12)}…): it runs, but is not in the registry and a rollback cannot return to it; give it a version of its own`,
      };
    }
    this.configuredId = id;
    if (!this.uses.has(id)) this.remember(id, pkg.manifest);
    return { record: this.get(id)! };
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
      for (const check of req.checkFiles ?? []) {
        // The record's names are check/<plain name> (shared/parity.ts): inside this folder by construction.
        await mkdir(join(dir, dirname(check.file)), { recursive: true });
        await writeFile(join(dir, check.file), check.bytes);
      }
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
      const id = Number(info.lastInsertRowid);
      this.remember(id, req.manifest);
      return this.get(id)!;
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
    // An imported model's dir is relative to the data dir; the configured model's is its own folder, absolute.
    const pkg = await loadModelPackage(resolve(this.dataDir, row.dir), { maxFileBytes: this.maxFileBytes });
    const sha = pkg.manifest.sha256;
    if (sha !== row.sha256) {
      const since = row.configured === 1 ? 'it was registered' : 'it was imported';
      throw new RegistryError(`stored model ${row.name} ${row.version} (${pkg.modelPath}) was changed since ${since} (sha256 ${sha.slice(0, 12)}…, registry says ${row.sha256.slice(0, 12)}…)`);
    }
    return pkg;
  }

  recordActivation(id: number, action: 'activate' | 'rollback', actor: string, reason: string | null, at: Date): void {
    this.db.prepare('INSERT INTO model_activations (model_id, action, at, actor, reason) VALUES (?, ?, ?, ?, ?)').run(id, action, at.toISOString(), actor, reason);
  }
}
