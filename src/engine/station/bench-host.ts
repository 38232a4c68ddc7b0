/** What the benchmark panel needs of the station (bench/station-benchmarks.ts BenchHost), read at the time it is asked. */
import type { BenchHost } from '../bench/station-benchmarks';
import type { FirstLoadGate } from '../models/first-load-gate';
import type { ModelRegistry } from '../models/model-registry';
import type { EngineSettings } from './engine-settings';
import type { LineTally } from './line-tally';
import { requireLineModel } from './line-model';
import type { ModelService } from './model-service';
import type { Watchdog } from './watchdog';

export interface BenchHostParts {
  readonly settings: EngineSettings;
  readonly models: ModelService;
  readonly registry: ModelRegistry;
  readonly probes: FirstLoadGate;
  readonly watchdog: Watchdog;
  readonly tally: LineTally;
}

export function benchHostOf({ settings, models, registry, probes, watchdog, tally }: BenchHostParts): BenchHost {
  const { config, app } = settings;
  return {
    stationId: config.station.id,
    lineRateFps: config.line.rateFps,
    deadlineMs: config.decision.deadlineMs,
    staleMs: config.decision.staleMs,
    bundledDir: app.bundledModelsDir,
    demoFramesDir: app.defaultReplayDir,
    activePackage: () => models.current.pkg,
    // The providers the running model passed over: the benchmark's plan form marks them (issue 12).
    providerFallbacks: () => models.current.client.info.fallbacks,
    registryModels: () =>
      registry
        .list()
        .filter((m) => m.task === 'image-classification')
        .map((m) => ({ id: m.id, label: `${m.name} ${m.version}` })),
    registryPackage: async (id) => requireLineModel(await registry.loadPackage(id)),
    // The benchmark loads these models in this process at its own batches: the load probe first (issue 11, final review).
    ensureFirstLoad: (pkg, runtime) => probes.ensure(pkg, runtime),
    get lineRunning() {
      return watchdog.lineRunning;
    },
    pauseLine: (reason) => watchdog.pauseLine(reason),
    resumeLine: () => watchdog.resumeLine(),
    recentFrames: () => tally.memory.latestImages(),
    get runtime() {
      return models.runtime;
    },
    applyInferenceSettings: (next, actor, reason) => models.applyInferenceSettings(next, actor, reason),
  };
}
