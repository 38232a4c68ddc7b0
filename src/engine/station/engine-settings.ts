/** What the station is started with: the configuration, with every path made absolute. */
import type { StationConfig } from '../../shared/config';
import type { WorkerEntries } from '../rpc/worker-entry';
import type { LineClock } from '../line/inspection-line';
import type { Logger } from '../logger';
import type { providerSelfTest } from '../models/provider-self-test';

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
  /**
   * The start-up self-test of an accelerated provider (models/provider-self-test.ts). Tests replace it, and say
   * which provider a CPU session stands in for: no GPU provider exists on the machines that run them.
   */
  readonly providerSelfTest?: typeof providerSelfTest;
  /** Which providers count as accelerated and are self-tested (default: every one but the CPU). */
  readonly selfTested?: (provider: string) => boolean;
  /**
   * Tests only: changes the outputs of the line's model (never the parity record's CPU reference), standing in for a
   * provider that computes differently — the parity gate must keep such a model off the line.
   */
  readonly alterLineOutput?: (output: Float32Array) => void;
}
