/**
 * Teach on the station (issue 15): a technician names a labelled folder
 * (under the import folders) and the reject label; the run teaches in the
 * teach worker at low priority (teach/teach-run.ts), calibrates on the
 * held-out pictures through the line's path, writes the package under the
 * data folder (taught/) and imports it into the registry like any model —
 * never activating it. One run at a time; progress is an event with the
 * run's whole state; a cancel stops it at the next picture.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Calibration } from '../../shared/calibration';
import type { TeachRequest, TeachRun } from '../../shared/teach';
import { folderUnderImportRoots, realRoots } from '../models/import-roots';
import { readLabelledFolder } from '../labelled/labelled-folder';
import { runTeaching, taughtVersion } from '../teach/teach-run';
import type { EventLog } from '../storage/event-log';
import type { Logger } from '../logger';
import type { EngineSettings } from './engine-settings';
import type { ModelService } from './model-service';

export class TeachBusy extends Error {
  override readonly name = 'TeachBusy';
}

const HELD_OUT_SHARE = 0.2;
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

function calibratedOf(c: Calibration | null): TeachRun['calibrated'] {
  if (!c?.thresholds || c.recallLowerBound === null || c.falseRejectUpperBound === null) return null;
  return { ...c.thresholds, recallLowerBound: c.recallLowerBound, falseRejectUpperBound: c.falseRejectUpperBound, nDefect: c.nDefect, nGood: c.nGood };
}

export class TeachService {
  private run: TeachRun | null = null;
  private starting = false;
  private abort: AbortController | null = null;
  private nextId = 1;
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      readonly settings: EngineSettings;
      readonly models: ModelService;
      readonly eventLog: EventLog;
      readonly logger: Logger;
      readonly backboneDir: string;
      /** The station's own labelled folders (labelled captures) that may be taught on beside the import folders. */
      readonly ownFolders?: readonly string[];
      readonly onChange: (run: TeachRun) => void;
    },
  ) {}

  /** Where labelled pictures may be read from: the import folders (a stick), and the station's own labelled captures. */
  private folders(): string[] {
    return [...(this.deps.settings.config.model.importRoots ?? []), ...(this.deps.ownFolders ?? [])];
  }

  /** The labels and counts of a labelled folder, before teaching on it. */
  async inspect(data: string): Promise<{ dir: string; labels: { label: string; total: number; heldOut: number }[] }> {
    const dir = await folderUnderImportRoots(data, this.folders(), 'labelled pictures');
    const set = await readLabelledFolder(dir, HELD_OUT_SHARE);
    return { dir, labels: set.counts.map((c) => ({ ...c })) };
  }

  latest(): TeachRun | null {
    return this.run;
  }

  async start(request: TeachRequest, actor: string): Promise<TeachRun> {
    // Taken before the first await: two requests at once must not both pass (one run, one worker, one cancel).
    if (this.starting || this.run?.state === 'running') {
      throw new TeachBusy(`a teaching run is going on${this.run?.state === 'running' ? ` (run ${this.run.runId})` : ''}: wait for it or cancel it`);
    }
    this.starting = true;
    try {
      return await this.begin(request, actor);
    } finally {
      this.starting = false;
    }
  }

  private async begin(request: TeachRequest, actor: string): Promise<TeachRun> {
    const { dir, labels } = await this.inspect(request.data);
    if (!labels.some((l) => l.label === request.rejectLabel)) {
      throw new Error(`the folder has no label "${request.rejectLabel}" (its labels: ${labels.map((l) => l.label).join(', ')})`);
    }
    // Every label must be among the pictures held out, or nothing can be said of the model on it.
    const unheld = labels.filter((l) => l.heldOut === 0).map((l) => l.label);
    if (unheld.length > 0)
      throw new Error(`no picture of ${unheld.join(', ')} would be held out to check the model: add pictures of it (at least 20 of each label)`);
    const runId = this.nextId++;
    const version = taughtVersion(new Date());
    this.abort = new AbortController();
    this.run = {
      runId,
      state: 'running',
      request,
      progress: null,
      modelId: null,
      version,
      heldOut: null,
      calibrated: null,
      counts: labels,
      error: null,
      notes: [],
    };
    this.deps.onChange(this.run);
    this.work = this.teach(runId, dir, version, request, actor, this.abort.signal);
    return this.run;
  }

  async cancel(runId: number): Promise<TeachRun> {
    if (!this.run || this.run.runId !== runId) throw new Error(`there is no teaching run ${runId}`);
    this.abort?.abort();
    await this.work;
    return this.run;
  }

  /** Stops a run in hand (the station is stopping) and waits for it. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.work;
  }

  private update(runId: number, change: Partial<TeachRun>): void {
    if (!this.run || this.run.runId !== runId) return;
    this.run = { ...this.run, ...change };
    this.deps.onChange(this.run);
  }

  private async teach(runId: number, dir: string, version: string, request: TeachRequest, actor: string, signal: AbortSignal): Promise<void> {
    const { settings, models, eventLog, logger } = this.deps;
    const taughtRoot = join(settings.dataDir, 'taught');
    const outDir = join(taughtRoot, `${request.name}-${version}`);
    try {
      const result = await runTeaching({
        job: {
          ...{ dataDir: dir, heldOutShare: HELD_OUT_SHARE, backbone: this.deps.backboneDir, rejectLabel: request.rejectLabel, name: request.name, version },
          // A link on the stick must not lead teaching to the station's own files.
          roots: await realRoots(this.folders()),
        },
        outDir,
        teachEntry: settings.workers.teach,
        inferenceEntry: settings.workers.inference,
        runtime: models.runtime,
        calibration: request.calibration ?? null,
        checkPictures: true,
        by: actor,
        onProgress: (p) => this.update(runId, { progress: { runId, ...p } }),
        signal,
      });
      this.update(runId, {
        progress: {
          runId,
          phase: 'import',
          done: 0,
          total: 1,
          elapsedMs: this.run?.progress?.elapsedMs ?? 0,
          remainingMs: null,
          message: 'adding it to the registry',
        },
        heldOut: result.heldOut,
        calibrated: calibratedOf(result.calibration),
        notes: [
          ...result.notes,
          ...(result.calibration?.notes ?? []),
          ...(result.calibration?.refused ? [`not calibrated: ${result.calibration.refused}`] : []),
        ],
      });
      // A cancel that came once the model was taught still stops it short of the registry.
      if (signal.aborted) throw new Error('teaching was cancelled');
      const report = await models.import(outDir, actor, undefined, taughtRoot);
      this.update(runId, { state: 'done', modelId: report.model.id });
      const message =
        `${actor} taught ${request.name} ${version} on ${dir}: held-out accuracy ${pct(result.heldOut.accuracy)}, ` +
        `${request.rejectLabel} recall ${pct(result.heldOut.rejectRecall)}; in the registry, not active`;
      eventLog.append({ at: new Date(), kind: 'model', severity: 'info', message });
      logger.info(message);
    } catch (err) {
      const cancelled = signal.aborted;
      const why = err instanceof Error ? err.message : String(err);
      this.update(runId, { state: cancelled ? 'cancelled' : 'failed', error: cancelled ? null : why });
      if (!cancelled) logger.warn(`teaching ${request.name} failed: ${why}`);
      // Nothing half-written stays behind in the data folder.
      await rm(outDir, { recursive: true, force: true }).catch(() => {});
    }
  }
}
