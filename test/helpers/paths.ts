/** Where the repo's own fixtures are, for tests run from source. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appLayout } from '../../src/engine/app-layout';

export const ROOT = join(import.meta.dirname, '..', '..');
export const LAYOUT = appLayout(ROOT);
export const DEMO_MODEL_DIR = LAYOUT.defaultModelDir;
export const DEMO_FRAMES_DIR = LAYOUT.defaultReplayDir;
export const HELDOUT_DIR = join(ROOT, 'datasets', 'demo-cherries', 'heldout');
/** The shared data the tests read, beside the repository (its README says where each file came from). */
export const SHARED_DATA = join(ROOT, '..', 'shared', 'data');
export const BUILT_STATION = join(ROOT, 'out', 'main', 'station.js');

/** The demo model's own thresholds (its calibration's: docs/TEACHING.md), which a station without thresholds in its config decides with. */
export const DEMO_THRESHOLDS = (JSON.parse(readFileSync(join(DEMO_MODEL_DIR, 'manifest.json'), 'utf8')) as { thresholds: { pit: number; maybe: number } })
  .thresholds;
