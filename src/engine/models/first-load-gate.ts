/**
 * Every first load of a model file goes through the load probe: the model
 * at import (whose trial load is the probe), and at start-up, activation,
 * rollback and a change of inference settings any file whose bytes have not
 * passed on this station with those settings before. The probe runs the
 * model at the batch the line will use (batchSizeFor: maxBatch for a
 * dynamic-batch model in throughput mode; the sensor model runs one row at a
 * time) on inputs at the extremes of what preprocessing gives
 * (probe-inputs.ts). A pass is recorded by the file's sha256 and the settings
 * that change its memory (providers, threads, optimisation, execution mode,
 * arena, batch: probeSettingsKey) in storage/model-probes.ts, so start-up
 * pays the probe only for a new file or new settings (issue 11, item 5).
 * The manifest beside the file is part of those settings: its input size,
 * layout, scale, mean and std (a tabular model's features) shape what the
 * probe fed the model, so the same model.onnx under an edited manifest is
 * probed again (issue 11, final review).
 *
 * No hashing here: a package's sha256 is its manifest's (checked as the file
 * was read, model-package.ts), and the probe hashes what it loaded.
 */
import { createHash } from 'node:crypto';
import type { InferenceRuntime, SessionSettings } from '../inference/session-settings';
import type { WorkerEntry } from '../rpc/worker-entry';
import { isImagePackage, isTabularPackage, type ModelPackage } from '../model-package';
import { Preprocessor } from '../preprocess/preprocessor';
import type { ProbedModels } from '../storage/model-probes';
import { batchSizeFor } from './loaded-model';
import { ModelProbeRefused, probeModel, type ProbeLimits, type ProbeOutcome } from './model-probe';
import type { ProbeJob } from './probe-protocol';

export interface FirstLoadGateOptions {
  readonly entry: WorkerEntry;
  readonly limits: ProbeLimits;
  /** A model refused by the probe (over the cap, out of time, crashed): for the log and the event log. */
  readonly onRefused: (message: string) => void;
  /** A model that passed, with its peak memory: for the log. */
  readonly onPassed?: (message: string) => void;
  readonly now?: () => Date;
}

/** Dims of one input item, batch 1. */
export function itemDimsOf(pkg: ModelPackage): number[] {
  if (isImagePackage(pkg)) return [...new Preprocessor(pkg.manifest).itemDims];
  if (isTabularPackage(pkg)) return [1, pkg.manifest.features.length];
  throw new Error('unknown model task');
}

/** The batch the station will run this model at: the line's for an image model; 1 for the sensor model (machine health runs it row by row). */
export function probeBatchOf(pkg: ModelPackage, runtime: InferenceRuntime): number {
  return isImagePackage(pkg) ? batchSizeFor(pkg, runtime.mode, runtime.maxBatch) : 1;
}

/** JSON with its object keys sorted: the same manifest gives the same text however its file ordered them. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What of the manifest shapes the probe's inputs, as the key holds it: one item's dims, and a short hash of the
 * manifest's input and preprocessing (size, layout, resize, channel order, scale, mean, std), or of a tabular model's
 * input and features. Editing manifest.json beside the same model.onnx changes it, and the file is probed again.
 */
export function probeInputKey(pkg: ModelPackage): string {
  const { manifest } = pkg;
  const shaping = manifest.task === 'image-classification' ? { input: manifest.input, preprocessing: manifest.preprocessing } : { input: manifest.input, features: manifest.features };
  const hash = createHash('sha256').update(canonicalJson(shaping)).digest('hex').slice(0, 16);
  return `item=${itemDimsOf(pkg).join('x')} inputs=${hash}`;
}

/**
 * The settings a pass holds for: those that change how much memory a model takes (not warm-up runs,
 * not spinning), and what of the manifest shaped the probe's inputs (probeInputKey). "v3": the probe that
 * runs the line's batch on extreme inputs, keyed by the manifest too; passes of the first probe (batch 1,
 * zeros) have the key '' (migration 9), those keyed without the manifest "v2": both hold for nothing.
 */
export function probeSettingsKey(settings: SessionSettings, batch: number, inputKey: string): string {
  const { providers, intraOpThreads, interOpThreads, graphOptimization, executionMode, memoryArena } = settings;
  return [
    'v3',
    `providers=${providers.join(',')}`,
    `intra=${intraOpThreads}`,
    `inter=${interOpThreads}`,
    `optimization=${graphOptimization}`,
    `execution=${executionMode}`,
    `arena=${memoryArena ? 'on' : 'off'}`,
    `batch=${batch}`,
    inputKey,
  ].join(' ');
}

/** What the probe is asked to do for this package with these settings. */
export function probeJobOf(pkg: ModelPackage, runtime: InferenceRuntime): ProbeJob {
  return {
    modelBytes: pkg.bytes,
    modelFile: pkg.modelPath,
    manifest: pkg.manifest,
    labels: pkg.labels,
    warmupDims: itemDimsOf(pkg),
    settings: runtime.session,
    batch: probeBatchOf(pkg, runtime),
  };
}

const nameOf = (pkg: ModelPackage): string => `${pkg.manifest.name} ${pkg.manifest.version} (${pkg.modelPath})`;

export class FirstLoadGate {
  constructor(
    private readonly store: ProbedModels,
    private readonly opts: FirstLoadGateOptions,
  ) {}

  /** Probes the package unless its bytes already passed here with these settings; throws ModelProbeRefused or ModelLoadError. */
  async ensure(pkg: ModelPackage, runtime: InferenceRuntime): Promise<void> {
    const key = probeSettingsKey(runtime.session, probeBatchOf(pkg, runtime), probeInputKey(pkg));
    if (this.store.passed(pkg.manifest.sha256, key, this.opts.limits.memoryMiB)) return;
    await this.probe(pkg, runtime);
  }

  /** Always probes (an import needs the prepared bytes and the load info); records the bytes it loaded as passed with these settings. */
  async probe(pkg: ModelPackage, runtime: InferenceRuntime): Promise<ProbeOutcome> {
    const model = nameOf(pkg);
    const job = probeJobOf(pkg, runtime);
    const settingsKey = probeSettingsKey(job.settings, job.batch, probeInputKey(pkg));
    let outcome: ProbeOutcome;
    try {
      outcome = await probeModel(model, job, this.opts.entry, this.opts.limits);
    } catch (err) {
      if (err instanceof ModelProbeRefused) this.opts.onRefused(err.message);
      throw err;
    }
    const at = (this.opts.now ?? ((): Date => new Date()))();
    const record = { settingsKey, peakMiB: Math.round(outcome.peakMiB * 10) / 10, capMiB: this.opts.limits.memoryMiB, model, at };
    const sha = pkg.manifest.sha256;
    const preparedSha = outcome.preparedSha256;
    try {
      this.store.record({ ...record, sha256: sha });
      // What the registry stores (repaired) is what later loads read: it passed too.
      if (preparedSha !== sha) this.store.record({ ...record, sha256: preparedSha });
    } catch (err) {
      // Not remembered (a full disk): the model loads all the same, and is probed again at its next first load.
      this.opts.onPassed?.(`model ${model} passed its load probe, but that could not be recorded: ${(err as Error).message}`);
    }
    this.opts.onPassed?.(
      `model ${model} passed its load probe at batch ${job.batch}: peak ${record.peakMiB} MiB of ${this.opts.limits.memoryMiB} MiB, ${Math.round(outcome.probeMs)} ms`,
    );
    return outcome;
  }
}
