/**
 * Every first load of a model file goes through the load probe: the model
 * at import (whose trial load is the probe), and at start-up, activation and
 * rollback any file whose bytes have not passed on this station before. A
 * file that passed is recorded by its sha256 (storage/model-probes.ts), so
 * start-up pays the probe only for a new file (issue 11, item 5).
 */
import type { SessionSettings } from '../inference/session-settings';
import type { WarmRequest } from '../inference/warm-session';
import type { WorkerEntry } from '../inference/worker-entry';
import { isImagePackage, isTabularPackage, sha256Hex, type ModelPackage } from '../model-package';
import { Preprocessor } from '../preprocess/preprocessor';
import type { ProbedModels } from '../storage/model-probes';
import { ModelProbeRefused, probeModel, type ProbeLimits, type ProbeOutcome } from './model-probe';

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

const describe = (pkg: ModelPackage): string => `${pkg.manifest.name} ${pkg.manifest.version} (${pkg.modelPath})`;

export class FirstLoadGate {
  constructor(
    private readonly store: ProbedModels,
    private readonly opts: FirstLoadGateOptions,
  ) {}

  get limits(): ProbeLimits {
    return this.opts.limits;
  }

  /** Probes the package unless its bytes already passed here; throws ModelProbeRefused or ModelLoadError. */
  async ensure(pkg: ModelPackage, settings: SessionSettings): Promise<void> {
    if (this.store.passed(sha256Hex(pkg.bytes), this.opts.limits.memoryMiB)) return;
    await this.probe(pkg, settings);
  }

  /** Always probes (an import needs the prepared bytes and the load info); records the bytes it loaded as passed. */
  async probe(pkg: ModelPackage, settings: SessionSettings): Promise<ProbeOutcome> {
    const model = describe(pkg);
    const request: WarmRequest = { modelBytes: pkg.bytes, modelFile: pkg.modelPath, manifest: pkg.manifest, labels: pkg.labels, warmupDims: itemDimsOf(pkg), settings };
    let outcome: ProbeOutcome;
    try {
      outcome = await probeModel(model, request, this.opts.entry, this.opts.limits);
    } catch (err) {
      if (err instanceof ModelProbeRefused) this.opts.onRefused(err.message);
      throw err;
    }
    const at = (this.opts.now ?? ((): Date => new Date()))();
    const record = { peakMiB: Math.round(outcome.peakMiB * 10) / 10, capMiB: this.opts.limits.memoryMiB, model, at };
    const sha = sha256Hex(pkg.bytes);
    const preparedSha = sha256Hex(outcome.prepared);
    this.store.record({ ...record, sha256: sha });
    // What the registry stores (repaired) is what later loads read: it passed too.
    if (preparedSha !== sha) this.store.record({ ...record, sha256: preparedSha });
    this.opts.onPassed?.(`model ${model} passed its load probe: peak ${record.peakMiB} MiB of ${this.opts.limits.memoryMiB} MiB, ${Math.round(outcome.probeMs)} ms`);
    return outcome;
  }
}
