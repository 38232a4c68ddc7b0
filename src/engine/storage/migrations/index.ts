/**
 * Numbered, append-only migrations of the station's SQLite log. Never edit a
 * migration that has shipped: add the next one. PRAGMA user_version holds the
 * number of the last migration applied. Each has a test that migrates a
 * database made by the previous version (test/engine/storage/migrations.test.ts). One file per migration, named
 * by its number; this file lists them in order.
 */
import { migration001 } from './001-inspections';
import { migration002 } from './002-model-registry';
import { migration003 } from './003-events';
import { migration004 } from './004-images-audit-upload-progress';
import { migration005 } from './005-station-settings';
import { migration006 } from './006-benchmark-runs';
import { migration007 } from './007-database-id-upload-batches';
import { migration008 } from './008-model-load-probes';
import { migration009 } from './009-model-load-probes-by-settings';
import { migration010 } from './010-thresholds-per-inspection-configured-model';
import { migration011 } from './011-events-found-by-kind';
import { migration012 } from './012-model-calibrations';
import { migration013 } from './013-model-parity-results';
import { migration014 } from './014-shadow-trials-captures';
import { migration015 } from './015-plc-cycles';
import { migration016 } from './016-recipes';
import type { Migration } from './migration';

export type { Migration } from './migration';

export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
  migration013,
  migration014,
  migration015,
  migration016,
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
