/**
 * The benchmark panel on a running station: what can be measured here (the
 * running model, registry and bundled models, the studied networks' shapes;
 * the providers in this build), starting a run — refused while the line runs
 * unless the technician chose to pause the line or to run beside it, since a
 * benchmark steals the line's CPU — cancelling it, the runs kept in SQLite,
 * their export, and applying a measured setting to the line.
 *
 * The benchmark loads models into threads of the station's own process, at
 * batches up to 64: a model that fits the line's batch may not fit those
 * (issue 11, final review). So the running and registry models go through
 * the station's load probe first (models/first-load-gate.ts), at each
 * provider and thread count of the plan and the largest batch it runs them
 * at; a refusal fails those cases with the probe's reason, and the run goes
 * on with the rest.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { availableParallelism } from 'node:os';
import {
  SHAPED_MODEL_REFS,
  type BenchModelRef,
  type BenchOptions,
  type BenchPlan,
  type BenchProgress,
  type BenchRun,
  type BenchRunSummary,
  BenchPlanSchema,
  expandPlan,
  firstLoadKey,
} from '../../shared/bench';
import { EXECUTION_PROVIDERS, type ExecutionProvider, type InferenceOverride } from '../../shared/config';
import { ModelLoadError } from '../inference/inference-client';
import type { InferenceRuntime } from '../inference/session-settings';
import { providersInBuild } from '../inference/session-factory';
import { autoIntraOpThreads } from '../inference/session-settings';
import type { WorkerEntry } from '../rpc/worker-entry';
import type { Logger } from '../logger';
import type { ImageModelPackage } from '../model-package';
import type { BenchStore } from '../storage/bench-store';
import { BenchService, exportRun } from './bench-service';
import { findImportCandidates } from '../models/import-candidates';
import { cameraSizedFrames } from './scenarios/camera-frames';
import { modelResolver } from './scenarios/model-refs';

export type WhileLineRuns = 'refuse' | 'pause' | 'beside';

export class BenchStartError extends Error {
  override readonly name = 'BenchStartError';
}

/** What the benchmark needs of the station. */
export interface BenchHost {
  readonly stationId: string;
  readonly lineRateFps: number;
  readonly deadlineMs: number;
  /** decision.staleMs: with deadlineMs, the rules the benchmark's line decides by (line/verdict.ts). */
  readonly staleMs: number;
  readonly bundledDir: string;
  /** Camera-sized stand-ins when the camera has delivered nothing yet. */
  readonly demoFramesDir: string;
  activePackage(): ImageModelPackage;
  /** The providers the running model passed over when it loaded, with why (status.model.fallbacks). */
  providerFallbacks(): readonly { readonly provider: string; readonly reason: string }[];
  registryModels(): { id: number; label: string }[];
  registryPackage(id: number): Promise<ImageModelPackage>;
  /**
   * The station's first-load gate (FirstLoadGate.ensure): resolves when the model passed the load probe with these
   * settings (now or before); rejects with the probe's refusal (ModelProbeRefused) or the load's problems.
   */
  ensureFirstLoad(pkg: ImageModelPackage, runtime: InferenceRuntime): Promise<void>;
  readonly lineRunning: boolean;
  pauseLine(reason: string): void;
  resumeLine(): void;
  /** The camera's latest frames, newest last. */
  recentFrames(): Uint8Array[];
  readonly runtime: InferenceRuntime;
  applyInferenceSettings(next: InferenceOverride, actor: string, reason: string): Promise<InferenceOverride>;
}

/**
 * The offered providers the station already saw fail to load (issue 12: TensorRT and CUDA were offered as if they
 * worked): one entry each, with the first reason. A provider missing from the build is not offered at all, so its
 * "not available in this build" fallback is left out here.
 */
export function providerProblems(
  offered: readonly ExecutionProvider[],
  fallbacks: readonly { readonly provider: string; readonly reason: string }[],
): BenchOptions['providerProblems'] {
  const out: BenchOptions['providerProblems'] = [];
  for (const f of fallbacks) {
    const provider = offered.find((p) => p === f.provider);
    if (provider && !out.some((o) => o.provider === provider)) out.push({ provider, reason: f.reason });
  }
  return out;
}

/** Enough frames to cycle through without a cache making every decode free. */
const MIN_FRAMES = 8;

export class StationBenchmarks {
  private readonly service: BenchService;
  /** A start between its checks and its run (the load probes take seconds): a second start is refused meanwhile. */
  private preparing = false;

  constructor(
    private readonly host: BenchHost,
    private readonly store: BenchStore,
    entries: { readonly bench: WorkerEntry; readonly inference: WorkerEntry; readonly log: WorkerEntry },
    logger: Logger,
    onProgress: (p: BenchProgress) => void,
  ) {
    this.service = new BenchService({ store, entries, bundledDir: host.bundledDir, logger, onProgress });
  }

  get current(): BenchProgress | null {
    return this.service.current;
  }

  async options(): Promise<BenchOptions> {
    const active = this.host.activePackage();
    const cores = availableParallelism();
    const inBuild = providersInBuild();
    // The image models that ship with the app, as the Models page finds packages.
    const bundled = (await findImportCandidates([this.host.bundledDir], () => null)).candidates
      .filter((c) => c.task === 'image-classification')
      .map((c) => ({ dir: basename(c.path), label: `${c.name} ${c.version}` }))
      .filter((b) => /^[a-z0-9][a-z0-9._-]*$/.test(b.dir));
    const offered = EXECUTION_PROVIDERS.filter((p) => inBuild.has(p));
    return {
      models: [
        { ref: 'active', label: `running now: ${active.manifest.name} ${active.manifest.version}` },
        ...this.host.registryModels().map((m) => ({ ref: `registry:${m.id}`, label: `registry: ${m.label}` })),
        ...bundled.map((b) => ({ ref: `bundled:${b.dir}`, label: `bundled: ${b.label}` })),
        ...SHAPED_MODEL_REFS.map((ref) => ({ ref, label: `${ref.slice('shaped:'.length)} (generated, seeded weights)` })),
      ],
      providers: offered,
      providerProblems: providerProblems(offered, this.host.providerFallbacks()),
      cores,
      threadChoices: Array.from({ length: Math.min(cores, 8) }, (_, i) => i + 1),
      lineRateFps: this.host.lineRateFps,
      deadlineMs: this.host.deadlineMs,
      lineRunning: this.host.lineRunning,
      current: this.current,
      defaultPlan: BenchPlanSchema.parse({
        models: ['active'],
        scenarios: ['single_stream', 'offline', 'line_rate'],
        threads: [autoIntraOpThreads(cores)],
        batches: [this.host.runtime.maxBatch],
        modes: ['latency', 'throughput'],
      }),
    };
  }

  async start(plan: BenchPlan, actor: string, whileLineRuns: WhileLineRuns): Promise<number> {
    const lineRunning = this.host.lineRunning;
    if (lineRunning && whileLineRuns === 'refuse') {
      throw new BenchStartError('the line is running: a benchmark would steal its CPU; pause the line for it, or run it beside the line');
    }
    if (this.service.current) throw new BenchStartError(`benchmark run ${this.service.current.runId} is still running`);
    if (this.preparing) throw new BenchStartError('another benchmark run is being prepared (its models are being checked): wait for it');
    this.preparing = true;
    let packages: Awaited<ReturnType<StationBenchmarks['resolve']>>;
    let refused: (readonly [string, string])[];
    let frames: Uint8Array[];
    try {
      packages = await this.resolve(plan.models);
      refused = await this.probe(plan, packages);
      frames = await this.frames();
    } finally {
      this.preparing = false;
    }
    const paused = lineRunning && whileLineRuns === 'pause';
    if (paused) this.host.pauseLine('a benchmark has the CPU');
    try {
      return this.service.start({
        plan,
        actor,
        packages,
        refused,
        frames,
        baseSettings: this.host.runtime.session,
        lineRateFps: this.host.lineRateFps,
        deadlineMs: this.host.deadlineMs,
        staleMs: this.host.staleMs,
        lineRunning: lineRunning && !paused,
        onEnd: () => {
          if (paused) this.host.resumeLine();
        },
      });
    } catch (err) {
      if (paused) this.host.resumeLine();
      throw err;
    }
  }

  cancel(runId: number): Promise<void> {
    return this.service.cancel(runId);
  }

  stop(): Promise<void> {
    return this.service.stop();
  }

  list(limit: number): BenchRunSummary[] {
    return this.store.list(limit);
  }

  get(runId: number): BenchRun {
    const run = this.store.get(runId);
    if (!run) throw new BenchStartError(`there is no benchmark run ${runId}`);
    return run;
  }

  export(runId: number, format: 'json' | 'csv'): { filename: string; bytes: Uint8Array } {
    return exportRun(this.get(runId), format, this.host.stationId);
  }

  /** The provider, threads, mode and batch a result was measured with, for the running model. */
  async apply(runId: number, resultId: number, actor: string, reason: string): Promise<InferenceOverride> {
    const result = this.store.result(resultId);
    if (!result || result.runId !== runId) throw new BenchStartError(`benchmark run ${runId} has no result ${resultId}`);
    if (result.status !== 'done') throw new BenchStartError(`result ${resultId} did not complete (${result.status}): there is nothing to apply`);
    const active = this.host.activePackage();
    const running = `${active.manifest.name} ${active.manifest.version}`;
    if (result.modelLabel !== running) {
      throw new BenchStartError(
        `these settings were measured on ${result.modelLabel}, and ${running} is running: activate ${result.modelLabel} first, or apply a result of ${running}`,
      );
    }
    // The provider it ran on, with the CPU behind it, as the line always has.
    const measured = EXECUTION_PROVIDERS.find((p) => p === result.provider) ?? 'cpu';
    const providers: ExecutionProvider[] = measured === 'cpu' ? ['cpu'] : [measured, 'cpu'];
    return this.host.applyInferenceSettings(
      { providers, intraOpThreads: result.threads, mode: result.mode, maxBatch: result.batch },
      actor,
      `${reason} (benchmark run ${runId}, result ${resultId})`,
    );
  }

  /** The running and registry models are resolved here; bundled and shaped ones in the worker. */
  private async resolve(refs: readonly BenchModelRef[]): Promise<(readonly [BenchModelRef, ImageModelPackage | { readonly error: string }])[]> {
    const resolve = modelResolver({
      bundledDir: this.host.bundledDir,
      active: () => this.host.activePackage(),
      registry: (id) => this.host.registryPackage(id),
    });
    const out: (readonly [BenchModelRef, ImageModelPackage | { readonly error: string }])[] = [];
    for (const ref of refs) {
      if (ref !== 'active' && !ref.startsWith('registry:')) continue;
      out.push([ref, await resolve(ref).catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }))]);
    }
    return out;
  }

  /**
   * Runs the first-load gate for the running and registry models as the benchmark will load them: per provider and
   * thread count of the plan, at the largest batch it runs them at (throughput mode: a dynamic-batch model at that
   * batch, a fixed-batch one at its own). Returns the refused (model, provider, threads), each with the reason.
   * Bundled models and the generated shaped ones are not probed: they are code and files that ship with LineSight
   * (models/, shaped-models.ts), not files brought to the station.
   */
  private async probe(
    plan: BenchPlan,
    packages: readonly (readonly [BenchModelRef, ImageModelPackage | { readonly error: string }])[],
  ): Promise<(readonly [string, string])[]> {
    const largest = new Map<string, { provider: ExecutionProvider; threads: number; batch: number }>();
    for (const c of expandPlan(plan)) {
      const key = firstLoadKey(c);
      const batch = c.mode === 'throughput' ? c.batch : 1;
      largest.set(key, { provider: c.provider, threads: c.threads, batch: Math.max(batch, largest.get(key)?.batch ?? 1) });
    }
    const refused: (readonly [string, string])[] = [];
    for (const [ref, pkg] of packages) {
      if ('error' in pkg) continue;
      for (const [key, { provider, threads, batch }] of largest) {
        if (!key.startsWith(`${ref}|`)) continue;
        const base = this.host.runtime.session;
        const runtime: InferenceRuntime = { session: { ...base, providers: [provider], intraOpThreads: threads }, mode: 'throughput', maxBatch: batch };
        try {
          await this.host.ensureFirstLoad(pkg, runtime);
        } catch (err) {
          // A provider this machine lacks loads nothing: the case itself reports it unavailable.
          if (err instanceof ModelLoadError && /no execution provider could run the model/.test(err.message)) continue;
          refused.push([key, err instanceof Error ? err.message : String(err)]);
        }
      }
    }
    return refused;
  }

  /** The camera's own latest frames, or the demo frames at camera size (640×480) before it has sent any. */
  private async frames(): Promise<Uint8Array[]> {
    const recent = this.host.recentFrames();
    if (recent.length >= MIN_FRAMES) return recent.slice(-32);
    const dir = this.host.demoFramesDir;
    const names = readdirSync(dir)
      .filter((n) => /\.(jpe?g|png)$/i.test(n))
      .sort()
      .slice(0, 16);
    return cameraSizedFrames(names.map((n) => readFileSync(join(dir, n))));
  }
}
