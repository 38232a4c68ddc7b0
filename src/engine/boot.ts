/**
 * Starts the engine from a config file (or the embedded default) and a data
 * folder. Shared by the headless station and the Electron shell.
 */
import { join } from 'node:path';
import { loadConfig, type AppPaths, type ResolvedConfig } from './config-loader';
import type { WorkerEntries } from './rpc/worker-entry';
import type { Logger } from './logger';
import { holdMallocThresholds } from './native-memory';
import { StationEngine } from './station-engine';

export const DATABASE_FILE = 'linesight.sqlite';

export interface BootedEngine {
  readonly engine: StationEngine;
  readonly resolved: ResolvedConfig;
}

export async function bootEngine(opts: {
  readonly configFile: string | undefined;
  readonly dataDir: string;
  readonly app: AppPaths;
  readonly logger: Logger;
  readonly workers: WorkerEntries;
}): Promise<BootedEngine> {
  // Before any model loads: what loading frees goes back to the system (native-memory.ts).
  const malloc = holdMallocThresholds();
  if (!malloc.applied) opts.logger.info(`memory: freed native memory may stay in the process (${malloc.detail})`);
  const resolved = await loadConfig(opts.configFile, opts.app);
  const engine = await StationEngine.start({
    config: resolved.config,
    modelDir: resolved.modelDir,
    databasePath: join(opts.dataDir, DATABASE_FILE),
    dataDir: opts.dataDir,
    logger: opts.logger,
    workers: opts.workers,
    app: { bundledModelsDir: opts.app.bundledModelsDir, defaultReplayDir: opts.app.defaultReplayDir },
  });
  return { engine, resolved };
}
