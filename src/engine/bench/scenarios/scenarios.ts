/**
 * The three scenarios (MLPerf Inference's, for one camera): how frames are
 * offered to the line and which of them count. Each runs its warm-up frames
 * first (not counted), then at least minFrames frames and minMs; a
 * cancellation is seen between two frames.
 */
import type { BenchLine, FrameTiming } from './bench-line';

export interface ScenarioBudget {
  readonly warmupFrames: number;
  readonly minFrames: number;
  readonly minMs: number;
  /** How long frames arrive at the line's rate. */
  readonly lineRateMs: number;
}

export interface ScenarioRun {
  /** The counted frames, in the order they were decided. */
  readonly timings: FrameTiming[];
  /** From the first counted frame's offer to the last decision. */
  readonly spanMs: number;
  /** Counted frames the pipeline dropped (line rate only: the queue was full). */
  readonly dropped: number;
}

export class BenchCancelled extends Error {
  override readonly name = 'BenchCancelled';
  constructor() {
    super('the benchmark was cancelled');
  }
}

type Cancelled = () => boolean;

/** One frame at a time, the next as soon as the last is decided: latency. */
export function singleStream(line: BenchLine, frames: readonly Uint8Array[], budget: ScenarioBudget, cancelled: Cancelled): Promise<ScenarioRun> {
  return new Promise((resolve, reject) => {
    const timings: FrameTiming[] = [];
    let offered = 0;
    let countedFrom = 0;
    const submit = line.pipeline({ queueLimit: 1 }, (t) => {
      if (offered > budget.warmupFrames) timings.push(t);
      if (cancelled()) return reject(new BenchCancelled());
      if (offered === budget.warmupFrames) countedFrom = performance.now();
      if (timings.length >= budget.minFrames && performance.now() - countedFrom >= budget.minMs) {
        return resolve({ timings, spanMs: t.doneAt - countedFrom, dropped: 0 });
      }
      next();
    });
    const next = (): void => {
      submit(frames[offered++ % frames.length]!);
    };
    next();
  });
}

/** Every frame offered at once (a deep queue kept full), batched: the most frames per second. */
export function offline(line: BenchLine, frames: readonly Uint8Array[], budget: ScenarioBudget, cancelled: Cancelled): Promise<ScenarioRun> {
  return new Promise((resolve, reject) => {
    const depth = Math.max(8, 4 * line.batchSize);
    const warmup = Math.max(budget.warmupFrames, 2 * line.batchSize);
    const timings: FrameTiming[] = [];
    let offered = 0;
    let decided = 0;
    let countedFrom = 0;
    let stopping = false;
    const submit = line.pipeline({ queueLimit: depth, maxWaitMs: 10 }, (t) => {
      decided++;
      if (decided === warmup) countedFrom = t.doneAt;
      else if (decided > warmup) timings.push(t);
      if (cancelled() && !stopping) {
        stopping = true;
        reject(new BenchCancelled());
      }
      if (stopping) return;
      const enough = timings.length >= budget.minFrames && decided > warmup && t.doneAt - countedFrom >= budget.minMs;
      if (!enough) submit(frames[offered++ % frames.length]!);
      else if (decided === offered) {
        stopping = true;
        resolve({ timings, spanMs: t.doneAt - countedFrom, dropped: 0 });
      }
    });
    for (let i = 0; i < depth; i++) submit(frames[offered++ % frames.length]!);
  });
}

/**
 * Frames arriving at the line's rate for lineRateMs, each timed from when it
 * was due (a late timer counts against the station, as a camera would not
 * wait); the line's own queue and drop policy apply.
 */
export function lineRate(line: BenchLine, frames: readonly Uint8Array[], budget: ScenarioBudget, rateFps: number, cancelled: Cancelled): Promise<ScenarioRun> {
  return new Promise((resolve, reject) => {
    const periodMs = 1000 / rateFps;
    const warmup = budget.warmupFrames;
    const total = warmup + Math.max(budget.minFrames, Math.ceil((budget.lineRateMs / 1000) * rateFps));
    const timings: FrameTiming[] = [];
    let offered = 0;
    let decided = 0;
    let dropped = 0;
    let finished = false;
    const start = performance.now();
    // The station's deadline applies: a frame not decided in time is rejected at it, as on the line.
    const submit = line.pipeline(
      { maxWaitMs: Math.min(10, periodMs) },
      (t) => {
        decided++;
        if (decided > warmup) {
          timings.push(t);
          if (t.failed) dropped++;
        }
        if (decided === total && !finished) {
          finished = true;
          resolve({ timings, spanMs: t.doneAt - (start + warmup * periodMs), dropped });
        }
      },
      'enforced',
    );
    const tick = (): void => {
      if (cancelled()) {
        finished = true;
        return reject(new BenchCancelled());
      }
      const now = performance.now();
      // Every frame due by now is offered, with the moment it was due.
      while (offered < total && start + offered * periodMs <= now) {
        submit(frames[offered % frames.length]!, start + offered * periodMs);
        offered++;
      }
      if (offered < total) setTimeout(tick, Math.max(0, start + offered * periodMs - performance.now()));
    };
    tick();
  });
}
