/**
 * Recipes in the log (migration 16, shared/recipes.ts). Each change writes
 * its audit entry in the same transaction (`also`), so a recipe never changes
 * unrecorded; a full disk refuses the change with the reason (main-writes.ts).
 * Read back through the schema: a row that no longer parses is passed over.
 */
import { RecipeSchema, type Recipe, type RecipeValidation } from '../../shared/recipes';
import type { Thresholds } from '../../shared/manifest';
import type { SqliteDatabase } from './database';
import type { MainWrites } from './main-writes';

interface Row {
  id: number;
  idx: number;
  name: string;
  description: string;
  model_id: number;
  model_name: string;
  model_version: string;
  model_sha256: string;
  thresholds_json: string;
  validated_json: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface RecipeWrite {
  readonly index: number;
  readonly name: string;
  readonly description: string;
  readonly modelId: number;
  readonly thresholds: Thresholds;
  readonly validatedWith: RecipeValidation;
}

const SELECT = `SELECT r.*, m.name AS model_name, m.version AS model_version, m.sha256 AS model_sha256 FROM recipes r JOIN models m ON m.id = r.model_id`;

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function recipeOf(row: Row): Recipe | null {
  const parsed = RecipeSchema.safeParse({
    ...{ id: row.id, index: row.idx, name: row.name, description: row.description },
    model: { id: row.model_id, name: row.model_name, version: row.model_version, sha256: row.model_sha256 },
    thresholds: parsedJson(row.thresholds_json),
    validatedWith: parsedJson(row.validated_json),
    ...{ createdAt: row.created_at, createdBy: row.created_by, updatedAt: row.updated_at, updatedBy: row.updated_by },
  });
  return parsed.success ? parsed.data : null;
}

export class RecipeStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: MainWrites,
  ) {}

  list(): Recipe[] {
    return (this.db.prepare(`${SELECT} ORDER BY r.idx`).all() as Row[]).map(recipeOf).filter((r): r is Recipe => r !== null);
  }

  get(id: number): Recipe | null {
    const row = this.db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as Row | undefined;
    return row ? recipeOf(row) : null;
  }

  byIndex(index: number): Recipe | null {
    const row = this.db.prepare(`${SELECT} WHERE r.idx = ?`).get(index) as Row | undefined;
    return row ? recipeOf(row) : null;
  }

  byName(name: string): Recipe | null {
    const row = this.db.prepare(`${SELECT} WHERE r.name = ?`).get(name) as Row | undefined;
    return row ? recipeOf(row) : null;
  }

  /** A new recipe (id null) or a change to one; `also` records it in the same transaction. Returns the id. */
  save(id: number | null, r: RecipeWrite, actor: string, at: Date, also: (id: number) => void): number {
    const when = at.toISOString();
    const thresholds = JSON.stringify(r.thresholds);
    const validated = JSON.stringify(r.validatedWith);
    return this.writes.run(id === null ? 'storing the recipe' : 'changing the recipe', () => {
      let saved: number;
      if (id === null) {
        saved = Number(
          this.db
            .prepare(
              `INSERT INTO recipes (idx, name, description, model_id, thresholds_json, validated_json, created_at, created_by, updated_at, updated_by)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(r.index, r.name, r.description, r.modelId, thresholds, validated, when, actor, when, actor).lastInsertRowid,
        );
      } else {
        this.db
          .prepare(
            `UPDATE recipes SET idx = ?, name = ?, description = ?, model_id = ?, thresholds_json = ?, validated_json = ?, updated_at = ?, updated_by = ?
             WHERE id = ?`,
          )
          .run(r.index, r.name, r.description, r.modelId, thresholds, validated, when, actor, id);
        saved = id;
      }
      also(saved);
      return saved;
    });
  }

  delete(id: number, also: () => void): void {
    this.writes.run('deleting the recipe', () => {
      this.db.prepare('DELETE FROM recipes WHERE id = ?').run(id);
      also();
    });
  }
}
