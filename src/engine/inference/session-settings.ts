/**
 * ONNX Runtime session settings, resolved from the station config for this
 * machine: the provider preference list for the platform, and threads that
 * leave a core for decoding and the UI.
 */
import type { ExecutionProvider, InferenceConfig } from '../../shared/config';

export interface SessionSettings {
  readonly providers: readonly ExecutionProvider[];
  readonly intraOpThreads: number;
  readonly interOpThreads: number;
  readonly spinning: boolean;
  readonly graphOptimization: InferenceConfig['graphOptimization'];
  readonly executionMode: InferenceConfig['executionMode'];
  readonly memoryArena: boolean;
  readonly warmupRuns: number;
}

/** The studies' next steps (docs/BACKGROUND.md): GPU providers where the platform has them, CPU everywhere as the last resort. */
export function defaultProviders(platform: NodeJS.Platform): ExecutionProvider[] {
  if (platform === 'linux') return ['tensorrt', 'cuda', 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  return ['cpu'];
}

/** One intra-op thread per core but one (decoding and the UI keep it), at least 1, at most 8. */
export function autoIntraOpThreads(cores: number): number {
  return Math.max(1, Math.min(8, cores - 1));
}

export function resolveSessionSettings(config: InferenceConfig, machine: { readonly platform: NodeJS.Platform; readonly cores: number }): SessionSettings {
  return {
    providers: config.providers ?? defaultProviders(machine.platform),
    intraOpThreads: config.intraOpThreads === 'auto' ? autoIntraOpThreads(machine.cores) : config.intraOpThreads,
    interOpThreads: config.interOpThreads,
    spinning: config.spinning,
    graphOptimization: config.graphOptimization,
    executionMode: config.executionMode,
    memoryArena: config.memoryArena,
    warmupRuns: config.warmupRuns,
  };
}

/** How the line runs its model: the session, and how frames are batched. Changed at run time by a technician (the benchmark's recommendation). */
export interface InferenceRuntime {
  readonly session: SessionSettings;
  readonly mode: InferenceConfig['mode'];
  readonly maxBatch: number;
}
