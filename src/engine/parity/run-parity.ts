/**
 * Running the parity gate and making its record (issue 16), with a model
 * loaded as the line runs it: each check picture through its preprocessing
 * and worker (models/provider-self-test.ts checkProbabilities), one at a
 * time. The record is made on the CPU when a model is taught or imported;
 * the gate runs the same pictures on whatever will decide.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decisionForScore } from '../../shared/decision';
import type { Thresholds } from '../../shared/manifest';
import type { ParityRecord, ParityResult } from '../../shared/parity';
import type { ImageModelPackage } from '../model-package';
import type { InferenceRuntime } from '../inference/session-settings';
import { loadImageModel, type LoadedModel } from '../models/loaded-model';
import type { WorkerEntry } from '../rpc/worker-entry';
import { checkProbabilities, checkBatchProbabilities } from '../models/provider-self-test';
import type { ImageInput } from '../preprocess/image-decoder';
import { compareParity, type ComputedScores } from './compare-parity';

export interface CheckPictureSource {
  /** check/<name>, as it will sit beside the manifest. */
  readonly file: string;
  readonly image: ImageInput;
  readonly label?: string;
}

/** The record made on the CPU, one thread — what every other provider and setting is held to — in a worker closed after. */
export async function recordOnCpu(
  pkg: ImageModelPackage,
  pictures: readonly CheckPictureSource[],
  thresholds: Thresholds,
  deps: { readonly runtime: InferenceRuntime; readonly entry: WorkerEntry },
): Promise<ParityRecord> {
  const cpu = await loadImageModel(pkg, {
    settings: { ...deps.runtime.session, providers: ['cpu'], intraOpThreads: 1, warmupRuns: 0 },
    entry: deps.entry,
    mode: 'latency',
    maxBatch: 1,
  });
  try {
    return await recordParity(cpu, pictures, thresholds, new Date());
  } finally {
    await cpu.client.close();
  }
}

/** The record: the model's scores and decisions on each picture, on the CPU model given. */
export async function recordParity(cpu: LoadedModel, pictures: readonly CheckPictureSource[], thresholds: Thresholds, at: Date): Promise<ParityRecord> {
  const rejectIndex = cpu.pkg.rejectIndex ?? 0;
  const recorded = [];
  for (const p of pictures) {
    const scores = Array.from(await checkProbabilities(cpu, p.image));
    if (!scores.every(Number.isFinite)) throw new Error(`check picture ${p.file} gives no valid score on the CPU: it cannot be a reference`);
    recorded.push({ file: p.file, ...(p.label !== undefined ? { label: p.label } : {}), scores, decision: decisionForScore(scores[rejectIndex]!, thresholds) });
  }
  return { recordedAt: at.toISOString(), recordedOn: cpu.client.info.provider, thresholds: { ...thresholds }, pictures: recorded };
}

/**
 * The gate: the check pictures (beside the package's manifest, or in `picturesDir` for a record the station keeps)
 * through `model` — in batches of the size the line will send it — compared with the record.
 */
export async function runParityGate(
  model: LoadedModel,
  pkg: ImageModelPackage,
  record: ParityRecord,
  at = new Date(),
  picturesDir = pkg.dir,
): Promise<ParityResult> {
  const computed: ComputedScores[] = [];
  const images: Uint8Array[] = [];
  const readable: ParityRecord['pictures'][number][] = [];
  for (const p of record.pictures) {
    try {
      images.push(new Uint8Array(await readFile(join(picturesDir, p.file))));
      readable.push(p);
    } catch (err) {
      computed.push({ file: p.file, scores: null, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const answers = await checkBatchProbabilities(model, images);
  readable.forEach((p, i) => {
    const a = answers[i]!;
    computed.push(a instanceof Error ? { file: p.file, scores: null, error: a.message } : { file: p.file, scores: Array.from(a) });
  });
  return compareParity(record, computed, {
    labels: pkg.labels,
    rejectIndex: pkg.rejectIndex ?? 0,
    precision: pkg.manifest.precision ?? 'full',
    provider: model.client.info.provider,
    model: { name: pkg.manifest.name, version: pkg.manifest.version },
    at,
  });
}
