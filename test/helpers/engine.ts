/** Starting the real engine in tests: temp data dir, demo model and frames unless told otherwise. */
import { join } from 'node:path';
import { StationConfigSchema, type StationConfigInput } from '../../src/shared/config';
import { sourceWorkerEntry, type WorkerEntry } from '../../src/main/engine/inference/worker-entry';
import { silentLogger } from '../../src/main/engine/logger';
import { StationEngine } from '../../src/main/engine/station-engine';
import { DEMO_FRAMES_DIR, DEMO_MODEL_DIR } from './paths';

export function startEngine(
  dataDir: string,
  config: StationConfigInput = {},
  opts: { modelDir?: string; replayDir?: string; workerEntry?: WorkerEntry } = {},
): Promise<StationEngine> {
  return StationEngine.start({
    config: StationConfigSchema.parse({ inference: { providers: ['cpu'] }, ...config }),
    modelDir: opts.modelDir ?? DEMO_MODEL_DIR,
    replayDir: opts.replayDir ?? DEMO_FRAMES_DIR,
    databasePath: join(dataDir, 'linesight.sqlite'),
    dataDir,
    logger: silentLogger,
    workerEntry: opts.workerEntry ?? sourceWorkerEntry(),
  });
}
