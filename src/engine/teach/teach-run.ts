/**
 * One teaching run, as the CLI (src/cli/teach.ts) and the station's Teach
 * page (station/teach-service.ts) both run it: teach in the teach worker,
 * write the package (model.onnx, manifest.json), then calibrate the taught
 * model on the held-out pictures through the line's own path and store the
 * calibration in its manifest, its thresholds the proposal's. Progress says
 * the phase, how far, and the time left from the pace so far.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Calibration, CalibrationOptions } from '../../shared/calibration';
import { DEFAULT_THRESHOLDS, type ModelManifestInput } from '../../shared/manifest';
import type { TeachPhase } from '../../shared/teach';
import { calibrateModel } from '../calibration/calibrate-model';
import { recordCheckPictures } from '../parity/check-pictures-on-disk';
import type { InferenceRuntime } from '../inference/session-settings';
import { MAX_PICTURE_BYTES } from '../labelled/read-pictures';
import { loadImagePackage, MANIFEST_FILE, MODEL_FILE } from '../model-package';
import type { WorkerEntry } from '../rpc/worker-entry';
import { RpcError, WorkerLink } from '../rpc/worker-link';
import { TeachingCancelled } from './extract-features';
import type { TeachJob, TeachProtocol, TeachWorkerResult } from './teach-protocol';

export interface TeachRunProgress {
  readonly phase: TeachPhase;
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly remainingMs: number | null;
  readonly message: string;
}

export interface TeachRunRequest {
  readonly job: TeachJob;
  readonly outDir: string;
  readonly teachEntry: WorkerEntry;
  readonly inferenceEntry: WorkerEntry;
  /** How the line runs models: the calibration scores the taught model the same way. */
  readonly runtime: InferenceRuntime;
  /** Null: leave it uncalibrated (the model's thresholds stay the defaults). */
  readonly calibration: CalibrationOptions | null;
  /**
   * Copy held-out pictures into the package's check/ folder with their CPU record (the parity gate). False where the
   * pictures may not be copied (a licence): the registry then makes a record of its own pictures at import.
   */
  readonly checkPictures: boolean;
  readonly by: string;
  readonly onProgress?: (progress: TeachRunProgress) => void;
  readonly signal?: AbortSignal;
}

export interface TeachRunResult extends Omit<TeachWorkerResult, 'taught'> {
  readonly dir: string;
  readonly manifest: ModelManifestInput;
  readonly heldOut: TeachWorkerResult['taught']['heldOut'];
  readonly notes: readonly string[];
  readonly calibration: Calibration | null;
  readonly timings: TeachWorkerResult['taught']['timings'] & { readonly calibrateMs: number };
}

const WORDS: Record<TeachPhase, string> = {
  reading: 'reading the labelled folder',
  features: 'looking at each picture through the backbone',
  fit: 'fitting the model',
  'held-out': 'checking it on the held-out pictures',
  calibrate: 'calibrating the thresholds on the held-out pictures',
  import: 'adding it to the registry',
};

/** Time left: the current phase at its own pace, and calibration at the pace of the features (it scores every held-out picture once more). */
function estimate(phase: TeachPhase, done: number, total: number, phaseMs: number, perPictureMs: number | null, heldOut: number): number | null {
  // Reading the folder says nothing of the pace yet.
  if (phase === 'reading' || done === 0 || total === 0) return null;
  const here = (phaseMs / done) * (total - done);
  const calibrating = perPictureMs === null ? 0 : perPictureMs * heldOut;
  if (phase === 'features') return here + (perPictureMs ?? phaseMs / done) * heldOut;
  if (phase === 'fit') return here + calibrating;
  return here;
}

/** A version a person can read and that sorts by time: 2026.12.06-223105. */
export function taughtVersion(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '.')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

export async function runTeaching(req: TeachRunRequest): Promise<TeachRunResult> {
  const started = performance.now();
  let phaseStarted = started;
  let phaseNow: TeachPhase = 'reading';
  let perPictureMs: number | null = null;
  let heldOutCount = 0;
  const tell = (phase: TeachPhase, done: number, total: number): void => {
    const now = performance.now();
    if (phase !== phaseNow) {
      // The features' pace is kept (below) from their own notes: it prices the calibration still to come.
      phaseNow = phase;
      phaseStarted = now;
    }
    if (phase === 'features' && done > 0) perPictureMs = (now - phaseStarted) / done;
    req.onProgress?.({
      phase,
      done,
      total,
      elapsedMs: now - started,
      remainingMs: estimate(phase, done, total, now - phaseStarted, perPictureMs, heldOutCount),
      message: `${WORDS[phase]}: ${done} of ${total}`,
    });
  };
  const { link } = await WorkerLink.open<TeachProtocol>(req.teachEntry, null, {
    name: 'the teach worker',
    onNote: (n) => {
      if (n.phase === 'reading') heldOutCount = Math.round(n.total * req.job.heldOutShare);
      tell(n.phase, n.done, n.total);
    },
  });
  // The fit is one synchronous loop in the worker: a message cannot reach it, a shared flag can.
  const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => {
    Atomics.store(cancelFlag, 0, 1);
    link.tell('cancel', null);
  };
  req.signal?.addEventListener('abort', onAbort);
  if (req.signal?.aborted) onAbort();
  let result: TeachWorkerResult;
  try {
    result = await link.call('teach', { ...req.job, cancelFlag: cancelFlag.buffer as SharedArrayBuffer });
  } catch (err) {
    if (req.signal?.aborted) throw new TeachingCancelled('teaching was cancelled');
    throw err instanceof RpcError ? new Error(err.message) : err;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    await link.close();
  }
  if (req.signal?.aborted) throw new TeachingCancelled('teaching was cancelled');
  const { taught, ...rest } = result;
  heldOutCount = result.heldOutPictures.length;
  await mkdir(req.outDir, { recursive: true });
  await writeFile(join(req.outDir, MODEL_FILE), taught.modelBytes);
  const manifest: ModelManifestInput = { ...taught.manifest };
  const writeManifest = (): Promise<void> => writeFile(join(req.outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeManifest();

  let calibration: Calibration | null = null;
  let heldOutScores: Float64Array | null = null;
  const tCalibrate = performance.now();
  if (req.calibration) {
    if (req.signal?.aborted) throw new TeachingCancelled('teaching was cancelled');
    const pkg = await loadImagePackage(req.outDir);
    tell('calibrate', 0, result.heldOutPictures.length);
    let scored;
    ({ calibration, scored } = await calibrateModel({
      pkg,
      pictures: result.heldOutPictures.map((p) => ({ name: p.name, path: p.path, labelName: result.labels[p.label]! })),
      runtime: req.runtime,
      entry: req.inferenceEntry,
      options: req.calibration,
      current: DEFAULT_THRESHOLDS,
      data: {
        source: req.job.dataDir,
        fingerprint: result.fingerprint,
        split: `held out from teaching (${Math.round(req.job.heldOutShare * 100)} %, by name)`,
      },
      by: req.by,
      onProgress: (done, total) => tell('calibrate', done, total),
      ...(req.job.roots ? { limits: { roots: req.job.roots, maxBytes: MAX_PICTURE_BYTES } } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    }));
    heldOutScores = scored.scores;
    manifest.calibration = calibration;
    if (calibration.thresholds) manifest.thresholds = { pit: calibration.thresholds.reject, maybe: calibration.thresholds.divert };
    await writeManifest();
  }
  // Its check pictures and their CPU record: what the parity gate runs again before it may ever decide (issue 16).
  if (req.signal?.aborted) throw new TeachingCancelled('teaching was cancelled');
  if (req.checkPictures) {
    manifest.parity = await recordCheckPictures({
      outDir: req.outDir,
      pictures: result.heldOutPictures.map((p, i) => ({ path: p.path, label: result.labels[p.label]!, score: heldOutScores ? heldOutScores[i]! : 0.5 })),
      thresholds: manifest.thresholds ?? DEFAULT_THRESHOLDS,
      runtime: req.runtime,
      entry: req.inferenceEntry,
      ...(req.job.roots ? { roots: req.job.roots } : {}),
    });
    await writeManifest();
  }
  return {
    ...rest,
    dir: req.outDir,
    manifest,
    heldOut: taught.heldOut,
    notes: taught.notes,
    calibration,
    timings: { ...taught.timings, calibrateMs: performance.now() - tCalibrate },
  };
}
