/** What the station is started with: the configuration, with every path made absolute. */
import type { StationConfig } from '../../shared/config';
import type { WorkerEntries } from '../rpc/worker-entry';
import type { LineClock } from '../line/inspection-line';
import type { Logger } from '../logger';

export interface EngineSettings {
  readonly config: StationConfig;
  /** The model to run when the registry has none active (the bundled demo by default). */
  readonly modelDir: string;
  readonly databasePath: string;
  /** Where imported models are stored (models/ below it). */
  readonly dataDir: string;
  readonly logger: Logger;
  /** Where the workers' code is (built files or sources). */
  readonly workers: WorkerEntries;
  /** What ships with the app: the models folder, the demo frames (the benchmark's stand-ins). */
  readonly app: { readonly bundledModelsDir: string; readonly defaultReplayDir: string };
  /** The clock the line judges capture times by (line/verdict.ts); the system's unless a test sets it. */
  readonly clock?: LineClock;
}
