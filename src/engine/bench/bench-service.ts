/**
 * The benchmark panel's engine side: one run at a time, in a worker of its
 * own (bench-worker.ts); each case's result written to SQLite as it comes,
 * progress told as events, a cancellation passed on, the recommendation made
 * once the run ends, and runs exported as JSON or CSV.
 */
import { stringify } from 'csv-stringify/sync';
import { expandPlan, recommend, type BenchModelRef, type BenchPlan, type BenchProgress, type BenchRun } from '../../shared/bench';
import type { SessionSettings } from '../inference/session-settings';
import type { WorkerEntry } from '../rpc/worker-entry';
import type { Logger } from '../logger';
import type { ImageModelPackage } from '../model-package';
import type { BenchStore } from '../storage/bench-store';
import { machineFacts } from './machine';
import { WorkerLink } from '../rpc/worker-link';
import type { BenchProtocol } from './scenarios/bench-protocol';

export class BenchBusyError extends Error {
  override readonly name = 'BenchBusyError';
}

export interface BenchServiceOptions {
  readonly store: BenchStore;
  readonly entries: { readonly bench: WorkerEntry; readonly inference: WorkerEntry; readonly log: WorkerEntry };
  readonly bundledDir: string;
  readonly logger: Logger;
  readonly onProgress: (p: BenchProgress) => void;
}

export interface BenchStart {
  readonly plan: BenchPlan;
  readonly actor: string;
  readonly packages: readonly (readonly [BenchModelRef, ImageModelPackage | { readonly error: string }])[];
  /** Cases the load probe refused (shared/bench.ts firstLoadKey → the reason): each fails with it, and the run goes on. */
  readonly refused?: readonly (readonly [string, string])[];
  readonly frames: readonly Uint8Array[];
  readonly baseSettings: SessionSettings;
  readonly lineRateFps: number;
  readonly deadlineMs: number;
  /** The station's decision.staleMs: the line run for the scenarios applies the station's rules (line/verdict.ts). */
  readonly staleMs: number;
  readonly lineRunning: boolean;
  /** Called once the run has ended, however it ended (the line resumes if it was paused for it). */
  readonly onEnd?: () => void;
}

interface Running {
  readonly runId: number;
  /** The run's worker, once it answered its handshake (null: not yet). */
  link: WorkerLink<BenchProtocol> | null;
  cancelAsked: boolean;
  readonly ended: Promise<void>;
  progress: BenchProgress;
}

export class BenchService {
  private running: Running | null = null;

  constructor(private readonly opts: BenchServiceOptions) {}

  /** The run in progress and how far it is, or null. */
  get current(): BenchProgress | null {
    return this.running?.progress ?? null;
  }

  start(s: BenchStart): number {
    if (this.running) throw new BenchBusyError(`benchmark run ${this.running.runId} is still running: cancel it or wait for it`);
    const cases = expandPlan(s.plan).length;
    const lineRateFps = s.plan.lineRateFps ?? s.lineRateFps;
    const runId = this.opts.store.create({
      plan: s.plan,
      actor: s.actor,
      machine: machineFacts(),
      lineRateFps,
      deadlineMs: s.deadlineMs,
      lineRunning: s.lineRunning,
      cases,
      at: new Date(),
    });
    const started = performance.now();
    let resolveEnded: () => void = () => {};
    const ended = new Promise<void>((r) => (resolveEnded = r));
    const running: Running = {
      runId,
      link: null,
      cancelAsked: false,
      ended,
      progress: { runId, state: 'running', done: 0, total: cases, current: 'starting', etaS: null, elapsedS: 0 },
    };
    this.running = running;
    let finished = false;
    const end = (state: 'done' | 'cancelled' | 'failed', error?: string): void => {
      if (finished) return;
      finished = true;
      const run = this.opts.store.get(runId);
      const recommendation = run ? recommend(run.items, { rateFps: lineRateFps, deadlineMs: s.deadlineMs, headroom: s.plan.headroom }) : undefined;
      this.opts.store.finish(runId, state, new Date(), { ...(error ? { error } : {}), ...(recommendation ? { recommendation } : {}) });
      this.running = null;
      this.tell({
        ...running.progress,
        state,
        elapsedS: Math.round((performance.now() - started) / 1000),
        etaS: 0,
        current: state === 'failed' ? `failed: ${error}` : state,
      });
      this.opts.logger.info(`benchmark run ${runId} ${state}${error ? `: ${error}` : ''}`);
      s.onEnd?.();
      resolveEnded();
    };
    const request = {
      plan: s.plan,
      frames: s.frames,
      packages: s.packages,
      refused: s.refused ?? [],
      bundledDir: this.opts.bundledDir,
      inferenceEntry: this.opts.entries.inference,
      logEntry: this.opts.entries.log,
      baseSettings: s.baseSettings,
      lineRateFps,
      deadlineMs: s.deadlineMs,
      staleMs: s.staleMs,
    };
    const onNote = (m: BenchProtocol['notes']): void => {
      if (m.type === 'progress') {
        running.progress = { runId, state: 'running', ...m.progress };
        this.tell(running.progress);
      } else this.opts.store.addResult(runId, m.outcome);
    };
    // Every outcome is handled here: the run's end is told once, whatever ended it (a worker that dies fails the run).
    void WorkerLink.open<BenchProtocol>(this.opts.entries.bench, null, { name: 'the benchmark worker', onNote }).then(
      async ({ link }) => {
        running.link = link;
        if (running.cancelAsked) link.tell('cancel', null);
        try {
          const { state } = await link.call('run', request);
          end(state);
        } catch (err) {
          end('failed', (err as Error).message);
        } finally {
          await link.close();
        }
      },
      (err: unknown) => end('failed', (err as Error).message),
    );
    this.opts.logger.info(`benchmark run ${runId} started by ${s.actor}: ${cases} cases`);
    this.tell(running.progress);
    return runId;
  }

  /** Asks the run to stop at the next frame; resolves once it has. */
  async cancel(runId: number): Promise<void> {
    const r = this.running;
    if (!r || r.runId !== runId) throw new BenchBusyError(`benchmark run ${runId} is not running`);
    r.cancelAsked = true;
    r.link?.tell('cancel', null);
    await r.ended;
  }

  /** Cancels what runs (the station is stopping). */
  async stop(): Promise<void> {
    if (this.running) await this.cancel(this.running.runId);
  }

  private tell(p: BenchProgress): void {
    this.opts.onProgress(p);
  }
}

/** A run as a file: the whole run as JSON, or its results as CSV (one row per case). */
export function exportRun(run: BenchRun, format: 'json' | 'csv', stationId: string): { filename: string; bytes: Uint8Array } {
  const base = `linesight-${stationId}-benchmark-${run.id}`;
  if (format === 'json') return { filename: `${base}.json`, bytes: new TextEncoder().encode(JSON.stringify(run, null, 2) + '\n') };
  const rows = run.items.map((r) => {
    const f = r.figures;
    return {
      run: run.id,
      result: r.id,
      model: r.modelLabel,
      ref: r.model,
      provider: r.provider,
      threads: r.threads,
      scenario: r.scenario,
      mode: r.mode,
      batch: r.batch,
      status: r.status,
      error: r.error ?? '',
      frames: f?.frames ?? '',
      fps: f?.fps ?? '',
      p50_ms: f?.latencyMs.p50 ?? '',
      p90_ms: f?.latencyMs.p90 ?? '',
      p95_ms: f?.latencyMs.p95 ?? '',
      p99_ms: f?.latencyMs.p99 ?? '',
      raw_per_frame_ms: f?.raw.perFrameMs ?? '',
      // Decode included: the line decodes the camera's JPEG, the bare runtime is handed a tensor (shared/bench.ts RATIO_WORDS).
      ratio_vs_raw_decode_included: f?.ratioVsRaw ?? '',
      spread: f?.spread ?? '',
      queue_ms: f?.stagesMs.queue ?? '',
      decode_ms: f?.stagesMs.decode ?? '',
      preprocess_ms: f?.stagesMs.preprocess ?? '',
      inference_ms: f?.stagesMs.inference ?? '',
      decision_ms: f?.stagesMs.decision ?? '',
      log_ms: f?.stagesMs.log ?? '',
      other_ms: f?.stagesMs.other ?? '',
      missed: f?.lineRate?.missed ?? '',
      missed_pct: f?.lineRate?.missedPct ?? '',
      recommended: run.recommendation?.found && run.recommendation.resultId === r.id ? 'yes' : '',
    };
  });
  return { filename: `${base}.csv`, bytes: new TextEncoder().encode(stringify(rows, { header: true })) };
}
