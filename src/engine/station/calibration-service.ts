/**
 * Calibrate on the station (issue 15): a technician names a labelled folder
 * (under the import folders); the running model — loaded once more, beside
 * the line's, with the line's runtime — scores it through the line's path;
 * the calibration is stored with the model version (calibration-store.ts)
 * and shown on the Thresholds page. Applying it goes through the audited
 * thresholds path, with the technician's reason and the guarantee named.
 * One calibration at a time.
 */
import type { Calibration, CalibrationOptions } from '../../shared/calibration';
import type { Thresholds } from '../../shared/manifest';
import { realpath } from 'node:fs/promises';
import { calibrateModel } from '../calibration/calibrate-model';
import { choosePictures, type Split } from '../labelled/labelled-pictures';
import { MAX_PICTURE_BYTES } from '../labelled/read-pictures';
import { folderUnderImportRoots, realRoots } from '../models/import-roots';
import type { CalibrationStore } from '../storage/calibration-store';
import type { EventLog } from '../storage/event-log';
import type { EngineSettings } from './engine-settings';
import type { ModelService } from './model-service';
import type { ThresholdSettings } from './threshold-settings';

/** The defects' folder among the labelled captures (capture/labelled-captures.ts). */
const DEFECTIVE = 'defective';

export interface CalibrationProgress {
  readonly taskId: string;
  readonly done: number;
  readonly total: number;
}

export interface CalibrationInForce {
  readonly calibration: Calibration | null;
  /** Where it is kept: calibrated on this station, or carried in the model's manifest. */
  readonly source: 'station' | 'manifest' | null;
}

export interface CalibrationRequest {
  readonly data: string;
  readonly options: CalibrationOptions;
  readonly split: Split;
  readonly taskId?: string;
  /** A registered model other than the running one (a candidate before its shadow trial); left out: the running model. */
  readonly modelId?: number;
}

export class CalibrationBusy extends Error {
  override readonly name = 'CalibrationBusy';
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export class CalibrationService {
  private running: { readonly abort: AbortController; readonly work: Promise<unknown> } | null = null;

  constructor(
    private readonly deps: {
      readonly settings: EngineSettings;
      readonly models: ModelService;
      readonly thresholds: ThresholdSettings;
      readonly store: CalibrationStore;
      readonly eventLog: EventLog;
      /** The station's own labelled folders (labelled captures: good/ and defective/) that may be calibrated on. */
      readonly ownFolders?: readonly string[];
      readonly onProgress: (p: CalibrationProgress) => void;
    },
  ) {}

  /** Where labelled pictures may be read from: the import folders (a stick), and the station's own labelled captures. */
  private folders(): string[] {
    return [...(this.deps.settings.config.model.importRoots ?? []), ...(this.deps.ownFolders ?? [])];
  }

  /**
   * The running model's calibration: the newest made on this station, else its manifest's — only if it names this
   * model (a calibration copied from another package into this one's manifest vouches for nothing here).
   */
  current(): CalibrationInForce {
    const { manifest } = this.deps.models.current.pkg;
    const stored = this.deps.store.latest(manifest);
    if (stored) return { calibration: stored, source: 'station' };
    const carried = manifest.calibration;
    const sourceSha = manifest.provenance?.['sourceSha256'];
    const ours =
      carried &&
      carried.model.name === manifest.name &&
      carried.model.version === manifest.version &&
      (carried.model.sha256 === manifest.sha256 || carried.model.sha256 === sourceSha);
    return ours ? { calibration: carried, source: 'manifest' } : { calibration: null, source: null };
  }

  /** Stops a calibration in hand at its next chunk of pictures; false when none runs. */
  cancel(): boolean {
    if (!this.running) return false;
    this.running.abort.abort();
    return true;
  }

  /** The station is stopping: stop a calibration in hand and wait for it (its worker closed) before the log closes. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.abort.abort();
    await running.work.catch(() => {});
  }

  async calibrate(req: CalibrationRequest, actor: string): Promise<Calibration> {
    if (this.running) throw new CalibrationBusy('a calibration is already running: wait for it to finish or cancel it');
    const abort = new AbortController();
    const work = this.run(req, actor, abort.signal);
    this.running = { abort, work };
    try {
      return await work;
    } finally {
      this.running = null;
    }
  }

  private async run(req: CalibrationRequest, actor: string, signal: AbortSignal): Promise<Calibration> {
    const { settings, models, thresholds, store, eventLog } = this.deps;
    const dir = await folderUnderImportRoots(req.data, this.folders(), 'labelled pictures');
    const pkg = req.modelId !== undefined && req.modelId !== models.registryId ? await models.linePackage(req.modelId) : models.current.pkg;
    const running = pkg === models.current.pkg;
    // The labelled captures name their defects "defective": that folder stands for whatever the model calls its reject label.
    const ownFolder = await Promise.all((this.deps.ownFolders ?? []).map((f) => realpath(f).catch(() => null)));
    const chosen = await choosePictures(pkg, dir, req.split, ownFolder.includes(dir) ? DEFECTIVE : undefined);
    const { calibration } = await calibrateModel({
      pkg,
      pictures: chosen.pictures,
      runtime: models.runtime,
      entry: settings.workers.inference,
      options: req.options,
      current: running ? thresholds.current : pkg.manifest.thresholds,
      data: { source: dir, fingerprint: chosen.set.fingerprint, split: chosen.split },
      by: actor,
      signal,
      // A link on the stick must not lead the calibration to the station's own files.
      limits: { roots: await realRoots(this.folders()), maxBytes: MAX_PICTURE_BYTES },
      ...(req.taskId !== undefined ? { onProgress: (done: number, total: number) => this.deps.onProgress({ taskId: req.taskId!, done, total }) } : {}),
    });
    store.add(pkg.manifest, calibration);
    const said = calibration.thresholds
      ? `proposed reject ≥ ${calibration.thresholds.reject.toFixed(3)}, divert ≥ ${calibration.thresholds.divert.toFixed(3)} (recall ≥ ${pct(calibration.recallLowerBound!)})`
      : `refused: ${calibration.refused}`;
    eventLog.append({
      at: new Date(),
      kind: 'model',
      severity: 'info',
      message: `${actor} calibrated ${pkg.manifest.name} ${pkg.manifest.version} on ${calibration.nDefect} defects and ${calibration.nGood} good pictures: ${said}`,
    });
    return calibration;
  }

  /** The calibration's thresholds, from the next item on, through the audited path; refused when it proposed none. */
  apply(actor: string, reason: string, shownAt: string): Thresholds {
    const { calibration } = this.current();
    if (!calibration) throw new Error(`the running model has no calibration: calibrate it on a labelled folder first`);
    // What the technician confirmed must be what is applied: another calibration or model since is refused.
    if (calibration.at !== shownAt)
      throw new Error(`the calibration in force is no longer the one shown (it is of ${calibration.at}): look at it again, then apply`);
    if (!calibration.thresholds) throw new Error(`its calibration proposed no thresholds: ${calibration.refused}`);
    const t = calibration.thresholds;
    const why =
      `calibration of ${calibration.at} on ${calibration.nDefect} defects and ${calibration.nGood} good pictures: ` +
      `recall ≥ ${pct(calibration.recallLowerBound!)} at ${pct(calibration.options.confidence)} confidence — ${reason}`;
    return this.deps.thresholds.set({ pit: t.reject, maybe: t.divert }, actor, why.slice(0, 500));
  }
}
