/**
 * The models of the line: the one running (`current`, read by the line at
 * each item), the registry's versions, import, activation, rollback and the
 * inference settings. A change loads the next model beside the running one,
 * then switches the line between two items; the old one is closed once its
 * last batch is back. Every change is recorded (audit, registry, settings)
 * in the same tick as the switch, or refused whole.
 */
import type { InferenceOverride } from '../../shared/config';
import type { Thresholds } from '../../shared/manifest';
import type { EventPayload } from '../../shared/contract';
import type { StationStatus } from '../../shared/status';
import { IMPORT_STEPS, type ImportCandidates, type ImportReport, type ModelActivation, type ModelRecord } from '../../shared/models';
import type { InferenceRuntime } from '../inference/session-settings';
import type { ImageModelPackage } from '../model-package';
import type { FirstLoadGate } from '../models/first-load-gate';
import { findImportCandidates } from '../models/import-candidates';
import type { LoadedModel } from '../models/loaded-model';
import { importModel } from '../models/model-import';
import type { ModelRegistry } from '../models/model-registry';
import type { AuditTrail } from '../storage/audit-trail';
import type { MainWrites } from '../storage/main-writes';
import type { SettingsStore } from '../storage/settings-store';
import type { EngineSettings } from './engine-settings';
import { checkFilesForImport } from '../parity/check-files-for-import';
import { labelledCheckPictures } from '../capture/labelled-check-pictures';
import { loadLineModel, ModelActivationError, requireLineModel, runtimeFor, ModelParityError } from './line-model';

export const INFERENCE_SETTING = 'inference';

export interface ActiveModel {
  readonly loaded: LoadedModel;
  /** Its registry id; null when it is not registered. */
  readonly registryId: number | null;
}

export interface ModelServiceDeps {
  readonly settings: EngineSettings;
  readonly registry: ModelRegistry;
  readonly probes: FirstLoadGate;
  readonly writes: MainWrites;
  readonly audit: AuditTrail;
  readonly settingsStore: SettingsStore;
  /** Resolves once the line holds no batch of `model` (then it can be closed). */
  readonly whenLineIdle: (model: LoadedModel) => Promise<void>;
  readonly stopped: () => boolean;
  readonly onImportProgress: (p: EventPayload<'importProgress'>) => void;
  /** The line switched to another model (or the same on other settings). */
  readonly onSwitched?: (loaded: LoadedModel) => void;
}

export class ModelService {
  private swapping: Promise<unknown> | null = null;
  /**
   * A model being replaced together with the thresholds (a promoted shadow candidate) keeps the thresholds it ran
   * with for its last items, so that no item is judged by one model at another's thresholds.
   */
  private readonly retiring = new Map<LoadedModel, Thresholds>();

  constructor(
    private readonly deps: ModelServiceDeps,
    private active: ActiveModel,
    private runtimeNow: InferenceRuntime,
    /** Who applied the inference settings in force, when a technician did. */
    private settingsSetBy: StationStatus['model']['settingsSetBy'],
  ) {}

  /** The model the next item admitted goes to. */
  get current(): LoadedModel {
    return this.active.loaded;
  }

  get registryId(): number | null {
    return this.active.registryId;
  }

  get runtime(): InferenceRuntime {
    return this.runtimeNow;
  }

  get inferenceSetBy(): StationStatus['model']['settingsSetBy'] {
    return this.settingsSetBy;
  }

  get isSwapping(): boolean {
    return this.swapping !== null;
  }

  /** Waits for a change being loaded (at stop), whatever its end. */
  async settled(): Promise<void> {
    await this.swapping?.catch(() => undefined);
  }

  importCandidates(): Promise<ImportCandidates> {
    const { registry, settings } = this.deps;
    return findImportCandidates(settings.config.model.importRoots ?? [], (name, version) => registry.find(name, version)?.sourceSha256 ?? null);
  }

  /** The registry, newest first; `active` is the model running now (the configured one when the registry's could not be loaded). */
  list(): ModelRecord[] {
    return this.deps.registry.list().map((m) => ({ ...m, active: m.id === this.active.registryId }));
  }

  history(limit: number): ModelActivation[] {
    return this.deps.registry.history(limit);
  }

  /**
   * Imports a model package (a folder or a manifest path on this PC) into the registry; does not activate it.
   * `ownRoot`: a folder of the station's own (where it writes taught models) allowed beside model.importRoots.
   */
  import(source: string, actor: string, taskId?: string, ownRoot?: string): Promise<ImportReport> {
    const { registry, settings, probes, writes, onImportProgress } = this.deps;
    return importModel(source, {
      registry,
      runtime: this.runtimeNow,
      maxFileBytes: settings.config.model.maxFileBytes,
      gate: probes,
      importRoots: [...(settings.config.model.importRoots ?? []), ...(ownRoot !== undefined ? [ownRoot] : [])],
      // A package without a parity record gets one made on this station's labelled captures where it has some.
      checkFiles: async (pkg, manifest) =>
        checkFilesForImport(pkg, manifest, { runtime: this.runtimeNow, entry: settings.workers.inference }, await labelledCheckPictures(settings.dataDir)),
      actor,
      now: () => new Date(),
      ...(taskId !== undefined
        ? {
            onStep: (step, state, message) => onImportProgress({ taskId, step, index: IMPORT_STEPS.indexOf(step), steps: IMPORT_STEPS.length, state, message }),
          }
        : {}),
    }).catch((err: unknown) => {
      // Storing the model in the registry writes to the log: on a full disk the import is refused with the reason.
      throw writes.explain(`importing ${source}`, err);
    });
  }

  /**
   * Loads and warms a registered model, then switches the line to it between two items. `withThresholds`: new
   * thresholds to take effect at the same switch (a promoted shadow candidate's); `apply` records them (audited) in the
   * same tick, and a throw refuses the whole change. The model replaced keeps its own thresholds for its last items.
   */
  activate(id: number, actor: string, reason: string | null, withThresholds?: { readonly old: Thresholds; readonly apply: () => void }): Promise<ModelRecord> {
    const model = this.deps.registry.get(id);
    if (!model) return Promise.reject(new ModelActivationError(`there is no model with id ${id} in the registry`));
    // Refused at once, before anything is read or loaded, with the words the Models page shows (issue 12).
    if (!model.use.line) return Promise.reject(new ModelActivationError(`${model.name} ${model.version} ${model.use.words}`));
    return this.swapTo(id, 'activate', actor, reason, withThresholds);
  }

  /** The thresholds a model being replaced still decides its last items with, if it keeps its own. */
  keptThresholds(model: LoadedModel): Thresholds | undefined {
    return this.retiring.get(model);
  }

  /**
   * Loads a registered model beside the line for a shadow trial (it never decides for the sorter): through the same
   * gates as a model going live (probe, self-test, parity), in one thread below the line's priority, one item at a
   * time. The caller closes it.
   */
  async loadCandidate(id: number): Promise<{ loaded: LoadedModel; record: ModelRecord }> {
    const { registry, settings, probes } = this.deps;
    const record = registry.get(id);
    if (!record) throw new ModelActivationError(`there is no model with id ${id} in the registry`);
    if (!record.use.line) throw new ModelActivationError(`${record.name} ${record.version} ${record.use.words}`);
    const pkg = requireLineModel(await registry.loadPackage(id));
    const now = this.runtimeNow;
    const runtime: InferenceRuntime = { session: { ...now.session, intraOpThreads: 1 }, mode: 'latency', maxBatch: 1 };
    let loaded: LoadedModel;
    try {
      loaded = await loadLineModel(pkg, settings, runtime, probes, true);
    } catch (err) {
      if (err instanceof ModelParityError) this.keepParity(id, err.result);
      throw err;
    }
    if (loaded.parity) this.keepParity(id, loaded.parity);
    return { loaded, record: registry.get(id)! };
  }

  /** A registered model's package, checked to be one that can decide on the line (calibrating a candidate). */
  async linePackage(id: number): Promise<ImageModelPackage> {
    const record = this.deps.registry.get(id);
    if (!record) throw new ModelActivationError(`there is no model with id ${id} in the registry`);
    return requireLineModel(await this.deps.registry.loadPackage(id));
  }

  /** Goes back to the model that was active before the current one. */
  rollback(actor: string, reason: string | null): Promise<ModelRecord> {
    const previous = this.deps.registry.previous();
    if (!previous) return Promise.reject(new ModelActivationError('there is no earlier model to roll back to'));
    return this.swapTo(previous.id, 'rollback', actor, reason);
  }

  /**
   * New provider, threads, mode and batch for the running model: it is loaded again with them beside
   * the one running, and the line switches between two items. Audited, and kept across restarts.
   */
  async applyInferenceSettings(next: InferenceOverride, actor: string, reason: string): Promise<InferenceOverride> {
    const { settings, writes, audit, settingsStore } = this.deps;
    const runtime = runtimeFor(settings.config.inference, next);
    const old = this.inferenceOverride();
    await this.replace(
      async () => ({ pkg: this.active.loaded.pkg, registryId: this.active.registryId, runtime }),
      (_old, _pkg, at) => {
        writes.run('the inference settings change', () => {
          audit.record({ at, actor, subject: 'config', old: { inference: old }, new: { inference: next }, reason });
          settingsStore.set(INFERENCE_SETTING, next, actor, reason, at);
        });
        this.runtimeNow = runtime;
        this.settingsSetBy = { actor, at: at.toISOString(), reason };
        settings.logger.info(
          `inference settings: ${next.providers.join(', ')}, ${next.intraOpThreads} thread(s), ${next.mode} mode, batch ${next.maxBatch} (by ${actor}: ${reason})`,
        );
      },
    );
    return next;
  }

  /** The provider, threads, mode and batch in force, as a technician would set them. */
  inferenceOverride(): InferenceOverride {
    const { session, mode, maxBatch } = this.runtimeNow;
    return { providers: [...session.providers], intraOpThreads: session.intraOpThreads, mode, maxBatch };
  }

  /** Closes the running model (the line has stopped). */
  close(): Promise<void> {
    return this.active.loaded.client.close();
  }

  private async swapTo(
    id: number,
    action: 'activate' | 'rollback',
    actor: string,
    reason: string | null,
    withThresholds?: { readonly old: Thresholds; readonly apply: () => void },
  ): Promise<ModelRecord> {
    const { registry, writes, audit } = this.deps;
    // Every way onto the line comes here (a technician, a promoted shadow trial, a recipe, a rollback): an INT8 variant
    // goes live only with its recall certified again on this station (issue 18), then through the parity gate.
    const blocked = registry.get(id)?.quantized?.blocked;
    if (blocked) throw new ModelActivationError(blocked);
    try {
      await this.swap(id, action, actor, reason, withThresholds);
    } catch (err) {
      // A refusal by the parity gate is a fact about that model version: in the audit trail, with both scores.
      if (err instanceof ModelParityError) {
        const refused = err.result;
        writes.run('the parity refusal', () =>
          audit.record({
            at: new Date(refused.at),
            actor,
            subject: 'model',
            old: { name: this.active.loaded.pkg.manifest.name, version: this.active.loaded.pkg.manifest.version },
            new: { name: refused.model.name, version: refused.model.version, action, parity: refused },
            reason: `refused by the parity gate: ${refused.message}`.slice(0, 500),
          }),
        );
      }
      throw err;
    }
    return registry.get(id)!;
  }

  private async swap(
    id: number,
    action: 'activate' | 'rollback',
    actor: string,
    reason: string | null,
    withThresholds?: { readonly old: Thresholds; readonly apply: () => void },
  ): Promise<void> {
    const { registry, writes, audit, settings } = this.deps;
    await this.replace(
      async () => ({ pkg: requireLineModel(await registry.loadPackage(id)), registryId: id, runtime: this.runtimeNow }),
      (old, pkg, at, next) => {
        // The new thresholds and the activation in one transaction: all of it written, or none (a recipe's switch).
        writes.run(action === 'activate' ? 'the model activation' : 'the model rollback', () => {
          withThresholds?.apply();
          registry.recordActivation(id, action, actor, reason, at);
          audit.record({
            at,
            actor,
            subject: 'model',
            old: { name: old.pkg.manifest.name, version: old.pkg.manifest.version, sha256: old.pkg.manifest.sha256 },
            new: {
              ...{ name: pkg.manifest.name, version: pkg.manifest.version, sha256: pkg.manifest.sha256, action },
              parity: next.parity ? { passed: next.parity.passed, provider: next.parity.provider, message: next.parity.message } : 'no parity record',
            },
            reason,
          });
        });
        // Only once written: a refused switch must not pin the model that stays to thresholds no longer in force.
        if (withThresholds) this.retiring.set(old, withThresholds.old);
        settings.logger.info(`${action}: model ${pkg.manifest.name} ${pkg.manifest.version} is active (by ${actor}${reason ? `: ${reason}` : ''})`);
      },
    );
  }

  private keepParity(registryId: number, result: NonNullable<LoadedModel['parity']>): void {
    const { writes, registry } = this.deps;
    writes.run('the parity result', () => registry.recordParity(registryId, result));
  }

  /** Loads the next model beside the running one, then switches the line to it between two items; the old one is closed once idle. */
  private async replace(
    prepare: () => Promise<{ pkg: ImageModelPackage; registryId: number | null; runtime: InferenceRuntime }>,
    /** Records the change (audit, registry, settings); runs just before the switch, and a throw (the log cannot be written) cancels it. */
    record: (old: LoadedModel, pkg: ImageModelPackage, at: Date, next: LoadedModel) => void,
  ): Promise<void> {
    const { settings, probes, whenLineIdle, stopped } = this.deps;
    if (stopped()) throw new ModelActivationError('the station is stopping');
    if (this.swapping) throw new ModelActivationError('another model is being loaded; try again when it is active');
    const work = (async () => {
      const { pkg, registryId, runtime } = await prepare();
      let next: LoadedModel;
      try {
        next = await loadLineModel(pkg, settings, runtime, probes);
      } catch (err) {
        // What the parity gate found is kept with the model version, refusals too (the Models page shows the newest).
        if (err instanceof ModelParityError && registryId !== null) {
          // Kept where the disk allows; a full disk must not hide the refusal itself (the audit below still tries).
          try {
            this.keepParity(registryId, err.result);
          } catch (keepErr) {
            settings.logger.warn(`the parity result of ${err.result.model.name} ${err.result.model.version} could not be kept: ${(keepErr as Error).message}`);
          }
        }
        throw err;
      }
      if (stopped()) {
        await next.client.close();
        throw new ModelActivationError('the station stopped while the model was loading');
      }
      const old = this.active.loaded;
      // Recorded first, in the same tick as the switch: a change that cannot be written is refused whole,
      // the new model closed and the running one kept, rather than running unrecorded (issue 11, item 3).
      try {
        if (next.parity && registryId !== null) this.keepParity(registryId, next.parity);
        record(old, pkg, new Date(), next);
      } catch (err) {
        await next.client.close();
        throw err;
      }
      // The switch: the next item admitted goes to the new model.
      this.active = { loaded: next, registryId };
      this.deps.onSwitched?.(next);
      void whenLineIdle(old).then(() => {
        this.retiring.delete(old);
        return old.client.close();
      });
    })();
    this.swapping = work;
    try {
      await work;
    } finally {
      this.swapping = null;
    }
  }
}
