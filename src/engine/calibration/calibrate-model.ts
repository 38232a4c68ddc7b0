/**
 * Calibrates a model on a labelled set through the line's own path (issue
 * 15): the model loaded in an inference worker with the runtime the line
 * uses (provider, threads, batch, precision), each picture scored as the line
 * would score it (score-labelled-set.ts), then the calibration with its
 * bounds (calibrate-set.ts). Loaded beside the line's own model, never
 * instead of it; closed when done.
 */
import type { Calibration, CalibrationOptions } from '../../shared/calibration';
import type { Thresholds } from '../../shared/manifest';
import type { InferenceRuntime } from '../inference/session-settings';
import type { ImageModelPackage } from '../model-package';
import { loadImageModel } from '../models/loaded-model';
import type { WorkerEntry } from '../rpc/worker-entry';
import { calibrateSet } from './calibrate-set';
import type { LabelledPictureRef } from '../labelled/labelled-pictures';
import type { PictureLimits } from '../labelled/read-pictures';
import { scoreLabelledSet, type ScoredSet } from './score-labelled-set';

export interface CalibrateModelRequest {
  readonly pkg: ImageModelPackage;
  readonly pictures: readonly LabelledPictureRef[];
  readonly runtime: InferenceRuntime;
  readonly entry: WorkerEntry;
  readonly options: CalibrationOptions;
  readonly current: Thresholds;
  readonly data: Calibration['data'];
  readonly by: string;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** Where the pictures may lie and how large they may be (the station's import folders). */
  readonly limits?: PictureLimits;
}

export interface CalibratedModel {
  readonly calibration: Calibration;
  readonly scored: ScoredSet;
}

export class CalibrationError extends Error {
  override readonly name = 'CalibrationError';
}

export async function calibrateModel(req: CalibrateModelRequest): Promise<CalibratedModel> {
  const { pkg } = req;
  const rejectLabel = pkg.manifest.rejectLabel;
  if (rejectLabel === undefined) throw new CalibrationError(`the model ${pkg.manifest.name} names no rejectLabel: it cannot be calibrated`);
  if (!req.pictures.some((p) => p.labelName === rejectLabel)) {
    const seen = [...new Set(req.pictures.map((p) => p.labelName))].join(', ') || 'none';
    throw new CalibrationError(`the labelled set has no pictures of the model's reject label "${rejectLabel}" (its labels: ${seen})`);
  }
  const model = await loadImageModel(pkg, { settings: req.runtime.session, entry: req.entry, mode: req.runtime.mode, maxBatch: req.runtime.maxBatch });
  try {
    const scored = await scoreLabelledSet(model, req.pictures, {
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.limits ? { limits: req.limits } : {}),
    });
    const defects: number[] = [];
    const goods: number[] = [];
    req.pictures.forEach((p, i) => {
      const s = scored.scores[i]!;
      if (Number.isNaN(s)) return;
      (p.labelName === rejectLabel ? defects : goods).push(s);
    });
    if (goods.length === 0)
      throw new CalibrationError('the labelled set has no good pictures (every picture is of the reject label): the false-reject cost cannot be measured');
    const calibration = calibrateSet({
      defects,
      goods,
      unscored: scored.unscored,
      options: req.options,
      current: req.current,
      data: req.data,
      model: { name: pkg.manifest.name, version: pkg.manifest.version, sha256: pkg.manifest.sha256, provider: model.client.info.provider },
      by: req.by,
      at: new Date(),
    });
    if (scored.unscored === 0) return { calibration, scored };
    // Which pictures were left out, and why, where the technician reads the calibration.
    const first = scored.failures[0]!;
    const left = `${scored.unscored} picture(s) could not be scored and were left out (first: ${first.name}: ${first.reason})`;
    return { calibration: { ...calibration, notes: [left, ...calibration.notes] }, scored };
  } finally {
    await model.client.close();
  }
}
