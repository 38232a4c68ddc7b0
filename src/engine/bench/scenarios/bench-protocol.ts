/** What the station and a benchmark worker (one worker per run) say to each other. */
import type { BenchModelRef, BenchPlan } from '../../../shared/bench';
import type { SessionSettings } from '../../inference/session-settings';
import type { WorkerEntry } from '../../rpc/worker-entry';
import type { ImageModelPackage } from '../../model-package';
import type { CaseOutcome, PlanProgress } from './plan-runner';

/** One benchmark run, as the worker is given it. */
export interface BenchRunRequest {
  readonly plan: BenchPlan;
  readonly frames: readonly Uint8Array[];
  /** Models the station resolved (running, registry, bundled); shaped ones are generated in the worker. */
  readonly packages: readonly (readonly [BenchModelRef, ImageModelPackage | { readonly error: string }])[];
  /** Cases the station's load probe refused (shared/bench.ts's firstLoadKey → the probe's reason). */
  readonly refused: readonly (readonly [string, string])[];
  readonly bundledDir: string;
  readonly inferenceEntry: WorkerEntry;
  readonly logEntry: WorkerEntry;
  readonly baseSettings: SessionSettings;
  readonly lineRateFps: number;
  readonly deadlineMs: number;
  readonly staleMs: number;
}

/** A benchmark worker's protocol (rpc/rpc-protocol.ts): one worker per run; progress and results come as notes. */
export type BenchProtocol = {
  open: { args: null; result: null };
  calls: { run: { args: BenchRunRequest; result: { readonly state: 'done' | 'cancelled' } } };
  tells: {
    /** Stop at the next frame; the run then answers 'cancelled'. */
    cancel: null;
  };
  notes: { readonly type: 'progress'; readonly progress: PlanProgress } | { readonly type: 'outcome'; readonly outcome: CaseOutcome };
};
