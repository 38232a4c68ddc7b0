/**
 * Make an INT8 variant on the station (issue 18): a technician names a
 * registered full-precision image model and a folder of pictures of the line
 * (under the import folders, or the labelled captures); the ranges are
 * measured in the quantise worker at low priority (variants/), the package
 * written under the data folder (quantized/) and imported into the registry
 * like any model — probed, checked, recorded — never activated. It goes live
 * only once calibrated on a labelled set (ModelService refuses it before)
 * and through the parity gate. One at a time; progress as events; a cancel
 * stops it at its next frames.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { rangeMethodWords, type ModelRecord } from '../../shared/models';
import type { QuantizeProgress, QuantizeRequest, QuantizeResult, QuantizeStage } from '../../shared/quantize';
import { isImagePackage, type ImageModelPackage } from '../model-package';
import { folderUnderImportRoots, realRoots } from '../models/import-roots';
import type { ModelRegistry } from '../models/model-registry';
import type { RangeMethod } from '../quantize/activation-ranges';
import { INT8_SUFFIX } from '../quantize/quantize-model';
import type { AuditTrail } from '../storage/audit-trail';
import type { EventLog } from '../storage/event-log';
import type { MainWrites } from '../storage/main-writes';
import { QuantizeCancelled, runQuantize } from '../variants/quantize-run';
import { freeVariantVersion, writeVariantPackage } from '../variants/variant-package';
import { messageOf } from '../error-message';
import type { EngineSettings } from './engine-settings';
import type { ModelService } from './model-service';

export class QuantizeBusy extends Error {
  override readonly name = 'QuantizeBusy';
}

export class QuantizeRefused extends Error {
  override readonly name = 'QuantizeRefused';
}

/**
 * The most bytes of pictures measured at once: the quantiser holds its frames in memory, and 5,000 camera frames of a
 * megabyte each would take the station's.
 */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

const STAGE_WORDS: Record<QuantizeStage, string> = {
  reading: 'reading the pictures',
  measuring: 'measuring activation ranges',
  writing: 'writing the INT8 model',
  importing: 'adding it to the registry (checks, trial load)',
};

export interface QuantizeServiceDeps {
  readonly settings: EngineSettings;
  readonly models: ModelService;
  readonly registry: ModelRegistry;
  readonly audit: AuditTrail;
  readonly writes: MainWrites;
  readonly eventLog: EventLog;
  /** The station's own labelled folders (labelled captures) whose pictures may be measured beside the import folders'. */
  readonly ownFolders?: readonly string[];
  readonly onProgress: (p: QuantizeProgress) => void;
}

function rangeMethod(req: QuantizeRequest): RangeMethod {
  return req.method === 'percentile' ? { kind: 'percentile', percentile: req.percentile } : { kind: req.method };
}

export class QuantizeService {
  private running: { readonly abort: AbortController; readonly work: Promise<unknown>; readonly what: string } | null = null;
  private nextTask = 1;

  constructor(private readonly deps: QuantizeServiceDeps) {}

  /** Where pictures may be read from: the import folders (a stick), and the station's own labelled captures. */
  private folders(): string[] {
    return [...(this.deps.settings.config.model.importRoots ?? []), ...(this.deps.ownFolders ?? [])];
  }

  /** Where variants are written: a folder of the data folder's own, the one import root beside the configured ones it may come from. */
  private get root(): string {
    return join(this.deps.settings.dataDir, 'quantized');
  }

  /** Stops the quantisation in hand at its next frames; false when none runs. */
  cancel(): boolean {
    if (!this.running) return false;
    this.running.abort.abort();
    return true;
  }

  /** The station is stopping: stop a quantisation in hand and wait for it (its worker closed) before the registry closes. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.abort.abort();
    await running.work.catch(() => {});
  }

  async quantize(req: QuantizeRequest, actor: string): Promise<QuantizeResult> {
    // Taken before the first await: two requests at once must not both pass (one worker, one cancel).
    if (this.running) throw new QuantizeBusy(`an INT8 variant of ${this.running.what} is being made: wait for it to finish or cancel it`);
    const record = this.deps.registry.get(req.modelId);
    if (!record) throw new QuantizeRefused(`there is no model with id ${req.modelId} in the registry`);
    const abort = new AbortController();
    const work = this.run(req, actor, abort.signal);
    this.running = { abort, work, what: `${record.name} ${record.version}` };
    try {
      return await work;
    } finally {
      this.running = null;
    }
  }

  /** The registered model, refused unless it is a full-precision image model. */
  private async floatModel(id: number): Promise<ImageModelPackage> {
    const { registry } = this.deps;
    const record = registry.get(id)!;
    const what = `${record.name} ${record.version}`;
    if (record.task !== 'image-classification') throw new QuantizeRefused(`${what} is a sensor model: only image models are made into INT8 variants`);
    const pkg = await registry.loadPackage(id);
    if (!isImagePackage(pkg)) throw new QuantizeRefused(`${what} is not an image model: only image models are made into INT8 variants`);
    if (pkg.manifest.precision === 'reduced') {
      const from = record.quantized ? ` (an INT8 variant of ${record.quantized.from.name} ${record.quantized.from.version})` : '';
      throw new QuantizeRefused(`${what} is already reduced precision${from}: make the variant from the full-precision model`);
    }
    return pkg;
  }

  /** The variant made, on the record: the audit trail under the technician, the event log, the station's log. */
  private record(actor: string, float: ImageModelPackage, variant: ModelRecord, how: { method: string; frames: number; folder: string }): void {
    const { settings, audit, writes, eventLog } = this.deps;
    const { name, version } = float.manifest;
    try {
      writes.run('the INT8 variant', () =>
        audit.record({
          at: new Date(),
          actor,
          subject: 'model',
          old: { name, version, sha256: float.manifest.sha256 },
          new: { name: variant.name, version: variant.version, sha256: variant.sha256, action: 'quantize', ...how },
          reason: null,
        }),
      );
    } catch (err) {
      // The registry already holds it, under the technician's name: the variant is not undone for want of the audit row.
      settings.logger.warn(`the INT8 variant ${variant.name} ${variant.version} could not be written to the audit trail: ${messageOf(err)}`);
    }
    const said =
      `${actor} made ${variant.name} ${variant.version}, an INT8 variant of ${name} ${version} (${how.method} on ${how.frames} frames of ${how.folder}): ` +
      'in the registry, not active; it goes live once calibrated on a labelled set';
    eventLog.append({ at: new Date(), kind: 'model', severity: 'info', message: said });
    settings.logger.info(said);
  }

  private async run(req: QuantizeRequest, actor: string, signal: AbortSignal): Promise<QuantizeResult> {
    const started = performance.now();
    const { settings, models, registry } = this.deps;
    const taskId = req.taskId ?? `quantize-${this.nextTask++}`;
    const tell = (stage: QuantizeStage, done: number, total: number): void =>
      this.deps.onProgress({ taskId, stage, done, total, message: total > 0 ? `${STAGE_WORDS[stage]}: ${done} of ${total}` : STAGE_WORDS[stage] });
    const folder = await folderUnderImportRoots(req.frames, this.folders(), 'calibration pictures');
    const pkg = await this.floatModel(req.modelId);
    const { name } = pkg.manifest;
    const version = freeVariantVersion(`${pkg.manifest.version}${INT8_SUFFIX}`, (v) => registry.find(name, v) !== null);
    const dir = join(this.root, `${name}-${version}`);
    const method = rangeMethod(req);
    tell('reading', 0, 0);
    let imported = false;
    try {
      const q = await runQuantize({
        job: {
          ...{ pkg, folder, maxFrames: req.maxFrames, method, maxTotalBytes: MAX_FRAME_BYTES },
          // A link on the stick must not lead the quantiser to the station's own files.
          roots: await realRoots(this.folders()),
        },
        entry: settings.workers.quantize,
        onProgress: tell,
        signal,
      });
      if (signal.aborted) throw new QuantizeCancelled();
      tell('writing', 0, 0);
      await writeVariantPackage({ dir, bytes: q.bytes, manifest: q.manifest, labels: pkg.labels, version });
      // The last point a cancel is heeded: once the import has begun, the variant is the registry's.
      if (signal.aborted) throw new QuantizeCancelled();
      tell('importing', 0, 0);
      const report = await models.import(dir, actor, undefined, this.root);
      imported = true;
      const words = rangeMethodWords(method.kind, req.percentile);
      this.record(actor, pkg, report.model, { method: words, frames: q.report.frames, folder });
      return {
        model: report.model,
        report: {
          ...{ quantizedNodes: q.report.quantizedNodes, floatNodes: [...q.report.floatNodes], weights: q.report.weights },
          ...{ activations: q.report.activations, foldedRelus: q.report.foldedRelus, foldedBatchNorms: q.report.foldedBatchNorms },
          ...{ opsetFrom: q.report.opsetFrom, method: words, frames: q.report.frames, passedOver: q.passedOver, folder },
        },
        provider: report.provider,
        durationMs: performance.now() - started,
      };
    } catch (err) {
      // Nothing half-written stays behind in the data folder.
      if (!imported) await rm(dir, { recursive: true, force: true }).catch(() => {});
      if (!(err instanceof QuantizeCancelled)) settings.logger.warn(`making an INT8 variant of ${name} failed: ${messageOf(err)}`);
      throw err;
    }
  }
}
