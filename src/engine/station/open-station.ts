/**
 * Start-up: opens what the station runs on, in the order that lets each
 * failure close what was opened before it — the source, the database
 * (checked; moved aside if it fails its check), the registry and the model
 * to run (the registry's active one, else the configured folder, which is
 * also registered so that a rollback reaches it), the log worker, the query
 * worker and the reject output. Throws ModelPackageError or
 * ModelActivationError when the model cannot run.
 */
import type { StationStatus } from '../../shared/status';
import { InferenceOverrideSchema } from '../../shared/config';
import type { InferenceRuntime } from '../inference/session-settings';
import { LogClient } from '../log/log-client';
import { loadModelPackage, ModelPackageError, type ModelPackage } from '../model-package';
import type { FirstLoadGate } from '../models/first-load-gate';
import type { LoadedModel } from '../models/loaded-model';
import { ModelRegistry, type ConfiguredRegistration } from '../models/model-registry';
import { createRejectOutput, type RejectOutput } from '../output/reject-output';
import { createFrameSource } from '../sources/create-source';
import type { FrameSource } from '../sources/frame-source';
import type { RawGeometry } from '../sources/raw-frames';
import { openCheckedDatabase, type SqliteDatabase } from '../storage/database';
import { applyDatabaseCap } from '../storage/database-cap';
import { QueryClient } from '../storage/query-client';
import { CalibrationReads } from '../storage/calibration-store';
import { SettingsStore } from '../storage/settings-store';
import type { EngineSettings } from './engine-settings';
import { firstLoadGate, loadLineModel, ModelActivationError, requireLineModel, runtimeFor } from './line-model';
import { INFERENCE_SETTING, type ActiveModel } from './model-service';

export interface OpenedStation {
  readonly source: FrameSource;
  readonly db: SqliteDatabase;
  readonly settingsStore: SettingsStore;
  readonly registry: ModelRegistry;
  readonly probes: FirstLoadGate;
  readonly active: ActiveModel;
  readonly runtime: InferenceRuntime;
  readonly inferenceSetBy: StationStatus['model']['settingsSetBy'];
  readonly log: LogClient;
  readonly queries: QueryClient;
  readonly output: RejectOutput;
  /** Why the station runs other than as configured (a database moved aside, the registry's model not loadable). */
  readonly startupProblem: string | undefined;
  /** Why the configured model could not be registered (a rollback cannot reach it). */
  readonly configuredProblem: string | undefined;
  /** Where the load probe's refusals are recorded once the event log exists. */
  recordProbeRefusals(record: (message: string) => void): void;
  /** Where a raw source reads the live model's input from, at each start of its camera (sources/raw-frames.ts). */
  frameGeometryFrom(geometry: () => RawGeometry | null): void;
}

export async function openStation(settings: EngineSettings): Promise<OpenedStation> {
  const { config, logger } = settings;
  // A raw source scales to the live model's input, known once the services are composed (frameGeometryFrom).
  let geometry: () => RawGeometry | null = () => null;
  const source = await createFrameSource(config.source, () => geometry());
  const checked = openCheckedDatabase(settings.databasePath);
  const db = checked.db;
  applyDatabaseCap(db, config.storage.maxDatabaseBytes);
  const settingsStore = new SettingsStore(db, (m) => logger.warn(m));
  const storedInference = settingsStore.get(INFERENCE_SETTING, InferenceOverrideSchema);
  const runtime = runtimeFor(config.inference, storedInference?.value ?? null);
  // The registry reads the station's calibrations: an INT8 variant goes live only once one certifies it (issue 18).
  const registry = new ModelRegistry(db, settings.dataDir, config.model.maxFileBytes, new CalibrationReads(db));
  let startupProblem: string | undefined;
  if (checked.movedAside) {
    const { path, problem } = checked.movedAside;
    startupProblem = `the database failed its check and was moved aside to ${path} (${problem}); a new one was started, and the rows it had not uploaded are sent from there`;
    logger.error(startupProblem);
  }
  // Refusals by the load probe go to the event log once it exists; at start-up the refusal is the start-up problem instead.
  let record: (message: string) => void = () => {};
  const probes = firstLoadGate(db, settings, (message) => record(message));
  let active: ActiveModel;
  let configuredProblem: string | undefined;
  try {
    await registry.readUses((m) => logger.warn(m));
    let loaded: LoadedModel | null = null;
    let registryId: number | null = null;
    const registered = registry.active();
    if (registered) {
      try {
        loaded = await loadLineModel(requireLineModel(await registry.loadPackage(registered.id)), settings, runtime, probes);
        registryId = registered.id;
      } catch (err) {
        // The line must run: fall back to the configured model and say so loudly.
        startupProblem = `active model ${registered.name} ${registered.version} could not be loaded (${(err as Error).message}); running ${settings.modelDir} instead`;
        logger.error(startupProblem);
      }
    }
    // Read once: to run it when the registry's cannot, and to register it so that a rollback reaches it (issue 12).
    let configured: ModelPackage | null = null;
    if (!loaded) {
      configured = await loadModelPackage(settings.modelDir, { maxFileBytes: config.model.maxFileBytes });
      loaded = await loadLineModel(requireLineModel(configured), settings, runtime, probes);
    }
    const registration = await registerConfigured(registry, settings, configured);
    configuredProblem = registration.problem;
    // An INT8 variant goes live only once calibrated here (model-service.ts): model.dir is no way around that.
    const blocked = registryId === null ? registration.record?.quantized?.blocked : null;
    if (blocked)
      throw new ModelActivationError(
        `the configured model (model.dir ${settings.modelDir}) ${blocked}; to do so, point model.dir at the float model, import this variant on the Models page and calibrate it there`,
      );
    active = { loaded, registryId: registryId ?? registration.record?.id ?? null };
  } catch (err) {
    db.close();
    if (err instanceof ModelPackageError || err instanceof ModelActivationError) throw err;
    throw new ModelPackageError((err as Error).message);
  }
  let log: LogClient;
  try {
    log = await LogClient.start({
      entry: settings.workers.log,
      databasePath: settings.databasePath,
      dataDir: settings.dataDir,
      stationId: config.station.id,
      storage: config.storage,
      upload: config.upload,
      onCommitFailed: (message) => logger.error(`log write failed, rows kept for retry: ${message}`),
    });
  } catch (err) {
    await active.loaded.client.close();
    db.close();
    throw err;
  }
  return {
    source,
    db,
    settingsStore,
    registry,
    probes,
    active,
    runtime,
    inferenceSetBy: storedInference ? { actor: storedInference.actor, at: storedInference.at, reason: storedInference.reason } : null,
    log,
    queries: new QueryClient(settings.workers.query, settings.databasePath),
    output: createRejectOutput(config.output),
    startupProblem,
    configuredProblem,
    recordProbeRefusals: (r) => (record = r),
    frameGeometryFrom: (g) => (geometry = g),
  };
}

/**
 * The configured model as a registered version (model-registry.ts registerConfigured); `read` is its package when
 * start-up read it already. It never stops the station: a model that cannot be read or registered is said so.
 */
async function registerConfigured(registry: ModelRegistry, settings: EngineSettings, read: ModelPackage | null): Promise<ConfiguredRegistration> {
  try {
    const pkg = read ?? (await loadModelPackage(settings.modelDir, { maxFileBytes: settings.config.model.maxFileBytes }));
    return registry.registerConfigured(pkg, new Date());
  } catch (err) {
    return { problem: `the configured model ${settings.modelDir} could not be registered (${(err as Error).message}): a rollback cannot return to it` };
  }
}
