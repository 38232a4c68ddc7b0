/**
 * Calibrations made on the station (migration 12), kept with the model
 * version they were measured on: by name, version and file hash, so that a
 * calibration of one file never vouches for another. Append-only; the
 * newest of a model is the one in force. Read back through the schema: a row
 * that no longer parses is passed over, never trusted.
 */
import { CalibrationSchema, type Calibration } from '../../shared/calibration';
import type { SqliteDatabase } from './database';
import type { MainWrites } from './main-writes';

export interface ModelKey {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
}

/** The newest calibration of a model version, read only: what the registry asks for a variant's go-live rule. */
export class CalibrationReads {
  private readonly newest;

  constructor(db: SqliteDatabase) {
    this.newest = db.prepare(
      'SELECT calibration_json FROM model_calibrations WHERE model_name = ? AND model_version = ? AND model_sha256 = ? ORDER BY id DESC LIMIT 5',
    );
  }

  latest(model: ModelKey): Calibration | null {
    const rows = this.newest.all(model.name, model.version, model.sha256) as { calibration_json: string }[];
    for (const row of rows) {
      const parsed = CalibrationSchema.safeParse(JSON.parse(row.calibration_json));
      if (parsed.success) return parsed.data;
    }
    return null;
  }
}

export class CalibrationStore extends CalibrationReads {
  private readonly insert;

  constructor(
    db: SqliteDatabase,
    private readonly writes: MainWrites,
  ) {
    super(db);
    this.insert = db.prepare('INSERT INTO model_calibrations (model_name, model_version, model_sha256, at, actor, calibration_json) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** Stored before it is shown: on a full disk the calibration is refused with the reason (main-writes.ts). */
  add(model: ModelKey, calibration: Calibration): void {
    this.writes.run('storing the calibration', () =>
      this.insert.run(model.name, model.version, model.sha256, calibration.at, calibration.by, JSON.stringify(calibration)),
    );
  }
}
