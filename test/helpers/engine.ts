/** Starting the real engine in tests: temp data dir, demo model and frames unless told otherwise. */
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { StationConfigSchema, type StationConfigInput } from '../../src/shared/config';
import { resolvePaths } from '../../src/engine/config-loader';
import { sourceWorkerEntries, type WorkerEntry } from '../../src/engine/rpc/worker-entry';
import type { LineClock } from '../../src/engine/line/inspection-line';
import { silentLogger, type Logger } from '../../src/engine/logger';
import { StationEngine } from '../../src/engine/station-engine';
import type { EngineSettings } from '../../src/engine/station/engine-settings';
import { LAYOUT } from './paths';

export function startEngine(
  dataDir: string,
  config: StationConfigInput = {},
  opts: { modelDir?: string; inferenceWorker?: WorkerEntry; logger?: Logger; clock?: LineClock } & Pick<
    EngineSettings,
    'providerSelfTest' | 'selfTested' | 'alterLineOutput'
  > = {},
): Promise<StationEngine> {
  const parsed = resolvePaths(StationConfigSchema.parse({ ...config, inference: { providers: ['cpu'], ...config.inference } }), dataDir, LAYOUT);
  return StationEngine.start({
    config: parsed,
    modelDir: opts.modelDir ?? LAYOUT.defaultModelDir,
    databasePath: join(dataDir, 'linesight.sqlite'),
    dataDir,
    logger: opts.logger ?? silentLogger,
    workers: { ...sourceWorkerEntries(), ...(opts.inferenceWorker ? { inference: opts.inferenceWorker } : {}) },
    app: LAYOUT,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.providerSelfTest ? { providerSelfTest: opts.providerSelfTest } : {}),
    ...(opts.selfTested ? { selfTested: opts.selfTested } : {}),
    ...(opts.alterLineOutput ? { alterLineOutput: opts.alterLineOutput } : {}),
  });
}

/** startEngine for a test file: every engine started is stopped after its test. */
export function useRunningEngines(): { start: (...args: Parameters<typeof startEngine>) => Promise<StationEngine>; readonly running: StationEngine[] } {
  const running: StationEngine[] = [];
  afterEach(async () => {
    for (const e of running.splice(0)) await e.stop();
  });
  return {
    running,
    start: async (...args) => {
      const engine = await startEngine(...args);
      running.push(engine);
      return engine;
    },
  };
}
