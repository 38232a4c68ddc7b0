/**
 * Loading a model for the line: the checks a package must pass to drive the
 * sorter, the load probe before a file's first load (issue 11, item 5), and
 * the inference settings it runs with.
 */
import { availableParallelism } from 'node:os';
import type { InferenceOverride, StationConfig } from '../../shared/config';
import { modelUse } from '../../shared/models';
import { resolveSessionSettings, type InferenceRuntime } from '../inference/session-settings';
import { isImagePackage, ModelPackageError, type ImageModelPackage, type ModelPackage } from '../model-package';
import { ModelProblemsError } from '../model-prep/model-problems';
import { FirstLoadGate } from '../models/first-load-gate';
import { loadImageModel, type LoadedModel } from '../models/loaded-model';
import { ModelProbeRefused } from '../models/model-probe';
import { checkPicturesFor, providerSelfTest, type SelfTestResult } from '../models/provider-self-test';
import type { SqliteDatabase } from '../storage/database';
import { ProbedModels } from '../storage/model-probes';
import type { EngineSettings } from './engine-settings';
import type { ParityResult } from '../../shared/parity';
import { runParityGate } from '../parity/run-parity';
import { makeParityRecord } from '../parity/check-files-for-import';
import { keepRecord, keptRecord, type KeptRecord } from '../parity/station-records';
import { labelledCheckPictures } from '../capture/labelled-check-pictures';

/** A model that cannot drive the line: refused before it is activated. */
export class ModelActivationError extends Error {
  override readonly name = 'ModelActivationError';
}

export function requireLineModel(pkg: ModelPackage): ImageModelPackage {
  // The same words the Models page labels the package with (shared/models.ts modelUse).
  const use = modelUse(pkg.manifest);
  if (!isImagePackage(pkg) || pkg.rejectIndex === null || !use.line)
    throw new ModelActivationError(`${pkg.manifest.name} ${pkg.manifest.version} ${use.words}`);
  return pkg;
}

/**
 * Loads a model into a worker of the station for the line. The first load of a file on this station
 * runs in the load probe first (a child process under model.loadMemoryMiB), so that a model bomb ends
 * the probe, never the station (issue 11, item 5).
 */
export async function loadLineModel(
  pkg: ImageModelPackage,
  settings: EngineSettings,
  runtime: InferenceRuntime,
  probes: FirstLoadGate,
  /** A shadow candidate: its worker below the line's priority. */
  background = false,
): Promise<LoadedModel> {
  const loaded = await loadSelfTested(pkg, settings, runtime, probes, background);
  // The parity gate (issue 16): on this provider, these threads and this batch, the check pictures must score as
  // they did on the CPU when the model was recorded, or the model does not go live. A model that carries no record
  // is held to one this station made on the CPU at its first load (parity/station-records.ts).
  let parity: ParityResult;
  try {
    const carried = pkg.manifest.parity;
    if (carried) parity = await runParityGate(loaded, pkg, carried);
    else {
      const kept = (await keptRecord(settings.dataDir, pkg)) ?? (await recordHere(pkg, settings, runtime));
      const result = await runParityGate(loaded, pkg, kept.record, new Date(), kept.dir);
      parity = { ...result, message: `${result.message} — held to the record this station made at the model's first load (${kept.record.recordedAt})` };
    }
  } catch (err) {
    await loaded.client.close();
    throw err;
  }
  settings.logger[parity.passed ? 'info' : 'error'](`model ${pkg.manifest.name} ${pkg.manifest.version}: ${parity.message}`);
  if (!parity.passed) {
    await loaded.client.close();
    throw new ModelParityError(parity);
  }
  return { ...loaded, parity };
}

/** A record for a model that carries none, made on the CPU now and kept in the data folder. */
async function recordHere(pkg: ImageModelPackage, settings: EngineSettings, runtime: InferenceRuntime): Promise<KeptRecord> {
  // The station's labelled captures where there are some: real items of both kinds this very camera saw.
  const made = await makeParityRecord(
    pkg,
    pkg.manifest.thresholds,
    { runtime, entry: settings.workers.inference },
    await labelledCheckPictures(settings.dataDir),
  );
  settings.logger.info(`model ${pkg.manifest.name} ${pkg.manifest.version} carries no parity record: one was made on the CPU and kept`);
  return keepRecord(settings.dataDir, pkg, made.record, made.files);
}

/** The parity gate kept a model off the line: its message names the worst picture and both scores. */
export class ModelParityError extends ModelPackageError {
  constructor(readonly result: ParityResult) {
    super(`model ${result.model.name} ${result.model.version}: ${result.message}`);
  }
}

async function loadSelfTested(
  pkg: ImageModelPackage,
  settings: EngineSettings,
  runtime: InferenceRuntime,
  probes: FirstLoadGate,
  background: boolean,
): Promise<LoadedModel> {
  const { logger } = settings;
  const load = (session: InferenceRuntime['session']): Promise<LoadedModel> =>
    loadImageModel(pkg, {
      settings: session,
      entry: settings.workers.inference,
      mode: runtime.mode,
      maxBatch: runtime.maxBatch,
      ...(background ? { background } : {}),
      onWorkerEvent: (e) => (e.kind === 'restarted' ? logger.warn(e.message) : logger.error(e.message)),
      ...(settings.alterLineOutput ? { alterOutput: settings.alterLineOutput } : {}),
    });
  try {
    await probes.ensure(pkg, runtime);
    const loaded = await load(runtime.session);
    if (!(settings.selfTested ?? ((p: string) => p !== 'cpu'))(loaded.client.info.provider)) return loaded;
    // An accelerated provider decides only once it agrees with the CPU on the check pictures (issue 14).
    let result: SelfTestResult;
    try {
      result = await selfTestOf(loaded, pkg, settings, runtime);
    } catch (err) {
      // The comparison itself could not run (the CPU reference would not load): nothing vouches for the provider.
      const why = err instanceof Error ? err.message : String(err);
      const provider = loaded.client.info.provider;
      result = { provider, passed: false, pictures: 0, worstDelta: Infinity, worstPicture: null, message: `${provider} could not be self-tested: ${why}` };
    }
    logger[result.passed ? 'info' : 'error'](`model ${pkg.manifest.name} ${pkg.manifest.version}: ${result.message}`);
    if (result.passed) return loaded;
    await loaded.client.close();
    const onCpu = await load({ ...runtime.session, providers: ['cpu'] });
    return { ...onCpu, selfTestFailure: { provider: result.provider, reason: result.message } };
  } catch (err) {
    // A refusal by the probe is already one sentence naming the model and the setting.
    if (err instanceof ModelProbeRefused) throw new ModelPackageError(err.message);
    const reasons = err instanceof ModelProblemsError ? err.problems.join('; ') : (err as Error).message;
    throw new ModelPackageError(`model file ${pkg.modelPath} cannot be run: ${reasons}`);
  }
}

/** The provider's self-test against the same model on the CPU, in a worker of its own that is closed after. */
async function selfTestOf(candidate: LoadedModel, pkg: ImageModelPackage, settings: EngineSettings, runtime: InferenceRuntime): Promise<SelfTestResult> {
  const tester = settings.providerSelfTest ?? providerSelfTest;
  const cpu = await loadImageModel(pkg, {
    settings: { ...runtime.session, providers: ['cpu'], intraOpThreads: 1, warmupRuns: 0 },
    entry: settings.workers.inference,
    mode: 'latency',
    maxBatch: 1,
  });
  try {
    return await tester(candidate, cpu, checkPicturesFor(pkg));
  } finally {
    await cpu.client.close();
  }
}

/** The config's inference settings for this machine, with what a technician applied on top. */
export function runtimeFor(config: StationConfig['inference'], override: InferenceOverride | null): InferenceRuntime {
  const session = resolveSessionSettings(config, { platform: process.platform, cores: availableParallelism() });
  if (!override) return { session, mode: config.mode, maxBatch: config.maxBatch };
  return { session: { ...session, providers: override.providers, intraOpThreads: override.intraOpThreads }, mode: override.mode, maxBatch: override.maxBatch };
}

/** The load probe's gate for this station: refusals go to the log, and to `record` (the event log). */
export function firstLoadGate(db: SqliteDatabase, settings: EngineSettings, record: (message: string) => void): FirstLoadGate {
  const { config, logger } = settings;
  return new FirstLoadGate(new ProbedModels(db), {
    entry: settings.workers.modelProbe,
    limits: { memoryMiB: config.model.loadMemoryMiB, timeoutMs: config.model.loadTimeoutS * 1000 },
    onRefused: (message) => {
      logger.error(message);
      record(message);
    },
    onPassed: (message) => logger.info(message),
  });
}
