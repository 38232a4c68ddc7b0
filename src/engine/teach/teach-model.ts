/**
 * Teaching, start to finish on one thread (issue 15): the labelled folder's
 * pictures through the line's preprocessing and the frozen backbone
 * (extract-features.ts), a softmax head fitted on the pictures not held out
 * (softmax-head.ts), its figures on the held-out ones, and the result as a
 * model package — one ONNX model (taught-model.ts), its manifest
 * (preprocessing from the backbone, labels, rejectLabel) and its provenance.
 * The teach worker (teach-worker.ts) runs it off the line's threads; the
 * caller writes, calibrates and registers what it returns.
 */
import type { ModelManifestInput } from '../../shared/manifest';
import type { HeldOutFigures, TeachPhase } from '../../shared/teach';
import { sha256Hex } from '../model-package';
import type { BackbonePackage } from './backbone-package';
import { extractFeatures, TeachingCancelled } from './extract-features';
import type { LabelledSet } from '../labelled/labelled-folder';
import type { PictureLimits } from '../labelled/read-pictures';
import { fitSoftmaxHead, headProbabilities, type SoftmaxHead } from './softmax-head';
import { featureModel, PROBABILITIES_OUTPUT, taughtModel } from './taught-model';

export interface TeachOptions {
  readonly rejectLabel: string;
  /** The share the folder was read with (recorded, so that calibration later takes the same pictures as held out). */
  readonly heldOutShare: number;
  readonly name: string;
  readonly version: string;
  readonly l2?: number;
  readonly steps?: number;
  readonly onProgress?: (phase: TeachPhase, done: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** Where the pictures may lie and how large they may be (the station's import folders). */
  readonly limits?: PictureLimits;
  /** Asked between fit steps, where an abort signal cannot be told (the loop holds the thread). */
  readonly cancelled?: () => boolean;
}

export interface TaughtPackage {
  readonly modelBytes: Uint8Array;
  /** The manifest to write beside model.onnx (thresholds are the defaults until it is calibrated). */
  readonly manifest: ModelManifestInput & { task: 'image-classification' };
  readonly heldOut: HeldOutFigures;
  readonly notes: readonly string[];
  readonly timings: { readonly featuresMs: number; readonly fitMs: number; readonly totalMs: number };
}

export class TeachError extends Error {
  override readonly name = 'TeachError';
}

/** Figures of the head on held-out rows: accuracy at the argmax, the reject label's recall and false rejects. */
export function heldOutFigures(head: SoftmaxHead, features: Float32Array, labels: Int32Array, names: readonly string[], rejectIndex: number): HeldOutFigures {
  const d = head.features;
  const confusion = names.map(() => names.map(() => 0));
  let correct = 0;
  let defects = 0;
  let caught = 0;
  let goods = 0;
  let falseRejects = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = headProbabilities(head, features.subarray(i * d, (i + 1) * d));
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    const truth = labels[i]!;
    confusion[truth]![best]!++;
    if (best === truth) correct++;
    if (truth === rejectIndex) {
      defects++;
      if (best === rejectIndex) caught++;
    } else {
      goods++;
      if (best === rejectIndex) falseRejects++;
    }
  }
  const share = (k: number, n: number): number => (n > 0 ? k / n : Number.NaN);
  return {
    n: labels.length,
    accuracy: share(correct, labels.length),
    rejectRecall: share(caught, defects),
    falseRejectRate: share(falseRejects, goods),
    confusion,
    labels: [...names],
  };
}

export async function teachModel(set: LabelledSet, backbone: BackbonePackage, opts: TeachOptions): Promise<TaughtPackage> {
  const t0 = performance.now();
  const rejectIndex = set.labels.indexOf(opts.rejectLabel);
  if (rejectIndex < 0) throw new TeachError(`the reject label "${opts.rejectLabel}" is not one of the folder's labels (${set.labels.join(', ')})`);
  const train = set.pictures.filter((p) => !p.heldOut);
  const held = set.pictures.filter((p) => p.heldOut);
  for (const [label, index] of set.labels.map((l, i) => [l, i] as const)) {
    if (!train.some((p) => p.label === index)) throw new TeachError(`no picture of "${label}" is left to teach on once the held-out ones are set aside`);
  }
  for (const [label, index] of set.labels.map((l, i) => [l, i] as const)) {
    if (!held.some((p) => p.label === index))
      throw new TeachError(`no picture of "${label}" is held out to check the model on: add pictures of it (at least 20 of each label)`);
  }
  const { featureTensor, pooling } = backbone.manifest;
  const features = featureModel(backbone.bytes, featureTensor, pooling);

  // Held-out pictures last, so that progress counts every picture once.
  const ordered = [...train, ...held];
  const extracted = await extractFeatures(features, backbone.manifest, ordered, {
    onProgress: (done, total) => opts.onProgress?.('features', done, total),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  const tFeatures = performance.now();
  const d = extracted.width;
  const rows = (from: (index: number) => boolean): { x: Float32Array; y: Int32Array } => {
    const picked = [...extracted.kept.keys()].filter((r) => from(extracted.kept[r]!));
    const x = new Float32Array(picked.length * d);
    picked.forEach((r, i) => x.set(extracted.features.subarray(r * d, (r + 1) * d), i * d));
    return { x, y: Int32Array.from(picked, (r) => ordered[extracted.kept[r]!]!.label) };
  };
  const fitRows = rows((i) => i < train.length);
  const heldRows = rows((i) => i >= train.length);
  if (heldRows.y.length === 0) throw new TeachError('none of the held-out pictures could be read');

  const steps = opts.steps ?? 300;
  const fit = fitSoftmaxHead(fitRows.x, fitRows.y, set.labels.length, {
    steps,
    ...(opts.l2 !== undefined ? { l2: opts.l2 } : {}),
    onStep: (step, total) => {
      if (step % 10 === 0 || step === total) opts.onProgress?.('fit', step, total);
      return !(opts.signal?.aborted ?? false) && !(opts.cancelled?.() ?? false);
    },
  });
  if (fit.cancelled) throw new TeachingCancelled('teaching was cancelled');
  const tFit = performance.now();
  const heldOut = heldOutFigures(fit.head, heldRows.x, heldRows.y, set.labels, rejectIndex);
  const modelBytes = taughtModel(backbone.bytes, featureTensor, fit.head, pooling);
  const notes =
    extracted.failed > 0
      ? [`${extracted.failed} picture(s) could not be read and were left out (first: ${extracted.failures[0]!.name}: ${extracted.failures[0]!.reason})`]
      : [];
  const timings = { featuresMs: tFeatures - t0, fitMs: tFit - tFeatures, totalMs: performance.now() - t0 };
  const bm = backbone.manifest;
  return {
    modelBytes,
    heldOut,
    notes,
    timings,
    manifest: {
      schemaVersion: 1,
      name: opts.name,
      version: opts.version,
      description: `Taught on the station from ${set.dir} (${set.labels.join(', ')}) on the ${bm.name} backbone.`,
      task: 'image-classification',
      modelFile: 'model.onnx',
      labels: [...set.labels],
      rejectLabel: opts.rejectLabel,
      input: { ...bm.input, dtype: 'float32' },
      output: { name: PROBABILITIES_OUTPUT, scores: 'probabilities' },
      preprocessing: bm.preprocessing,
      sha256: sha256Hex(modelBytes),
      provenance: {
        taughtBy: 'LineSight teach (src/engine/teach/teach-model.ts)',
        data: {
          dir: set.dir,
          fingerprint: set.fingerprint,
          counts: set.counts,
          split: 'held out by the sha256 of label/file (labelled/labelled-folder.ts)',
          heldOutShare: opts.heldOutShare,
          fitted: fitRows.y.length,
          heldOut: heldRows.y.length,
          unreadable: extracted.failed,
        },
        backbone: { name: bm.name, version: bm.version, sha256: bm.sha256, featureTensor, pooling, features: d, licence: bm.licence, source: bm.source },
        head: { kind: 'multinomial logistic regression', l2: opts.l2 ?? 1e-3, steps: fit.steps, loss: fit.loss, classWeights: 'balanced' },
        heldOut,
        timings,
      },
    },
  };
}
