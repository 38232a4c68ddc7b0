/**
 * The benchmark: for each model, the bare runtime's floor and the engine's
 * figures in the same run, on the same machine, each engine figure also as a
 * ratio to that floor (docs/BACKGROUND.md: time is always reported as a ratio against
 * raw ONNX Runtime on the same machine in the same run).
 *
 *   raw.latency        bare session.run, batch 1
 *   engine.latency     the line's path in latency mode (batch 1), frames decoded at 640×480 beforehand
 *   raw.throughput     bare session.run, batch 8
 *   engine.throughput  the line's path in throughput mode (micro-batches of 8)
 *   engine.int8        the model quantised by the app (engine/quantize/), through the engine, against the bare
 *                      float runtime's floor at the same batch (speedup_vs_fp32_raw), batch 1 and 8
 */
import sharp from 'sharp';
import { unsupportedPercentiles } from '../../shared/bench';
import type { SessionSettings } from '../../engine/inference/session-settings';
import type { WorkerEntry } from '../../engine/rpc/worker-entry';
import { LoopDelayMonitor } from '../../engine/metrics/loop-delay';
import type { ImageModelPackage, TabularModelPackage } from '../../engine/model-package';
import type { RawImage } from '../../engine/preprocess/image-decoder';
import { EngineRunner } from './engine-runner';
import { machineFacts } from '../../engine/bench/machine';
import { RawRunner, type Budget } from '../../engine/bench/raw-runner';
import { benchLogWrite, benchUploadPostgres } from './log-bench';
import { benchSensorPipeline, benchSourceOverhead } from './sensor-and-source-bench';
import { shapedModelPackage, type ShapedModelName } from '../../engine/bench/shaped-models';
import { perItemTimes, round, spreadOf } from '../../engine/bench/stats';
import type { CaseOutcome } from '../../engine/bench/scenarios/plan-runner';
import type { BenchReport, BenchResult } from './bench-report';
import { quantizeModel } from '../../engine/quantize/quantize-model';

export { formatTable, type BenchReport, type BenchResult } from './bench-report';

/** samples and unsupported_percentiles for a row whose percentiles come from `samples` latencies. */
function sampleFields(samples: number): { samples: number; unsupported_percentiles?: string[] } {
  const unsupported = unsupportedPercentiles(samples);
  return { samples, ...(unsupported.length > 0 ? { unsupported_percentiles: unsupported.map((p) => `p${p}`) } : {}) };
}

export interface BenchPlan {
  readonly models: readonly ShapedModelName[];
  readonly threads: number;
  readonly throughputBatch: number;
  readonly entry: WorkerEntry;
  /** Fewer runs, for a smoke test; figures are noisier. */
  readonly quick: boolean;
  /** The sensor model for sensor.pipeline; none: not measured. */
  readonly sensorModel?: TabularModelPackage;
  /** JPEGs for source.overhead; none: not measured. */
  readonly sourceFramesDir?: string;
  /** The log worker, for log.write and upload.postgres; none: not measured. */
  readonly logWorker?: WorkerEntry;
  /** A PostgreSQL to drain a backlog into (upload.postgres); none: not measured. */
  readonly postgres?: string;
}

export type Progress = (message: string) => void;

/** Camera-sized frames, decoded before any timing starts (the demo cherries, scaled to 640×480). */
async function decodedFrames(sources: readonly Uint8Array[]): Promise<RawImage[]> {
  return Promise.all(
    sources.map(async (src) => {
      const pixels = await sharp(src).resize(640, 480, { fit: 'fill' }).removeAlpha().raw().toBuffer();
      return { width: 640, height: 480, channels: 3 as const, pixels };
    }),
  );
}

interface Measured {
  readonly rawRunMs: number[];
  /** The float model's bare runs, when the engine runs a quantised variant (engine.int8). */
  readonly floorRunMs: number[];
  readonly engineLatencyMs: number[];
  readonly enginePerFrameMs: number[];
  engineFrames: number;
  engineSpanMs: number;
  engineStreamFrames: number;
  failed: number;
  readonly loopDelayP99Ms: number;
  readonly batchSize: number;
}

/**
 * Bare runtime and engine, measured in alternating rounds so that a machine
 * that speeds up or slows down (a busy neighbour, a CPU clock) weighs on both.
 */
async function measurePair(
  pkg: ImageModelPackage,
  mode: 'latency' | 'throughput',
  batch: number,
  ctx: { settings: SessionSettings; entry: WorkerEntry; frames: readonly RawImage[]; rounds: number; budget: (batch: number) => Budget },
  /** A float model whose bare runs are measured in the same rounds: the floor a quantised `pkg` is held to. */
  floorPkg?: ImageModelPackage,
): Promise<Measured> {
  const raw = await RawRunner.create(pkg, ctx.settings, batch, ctx.frames);
  const floor = floorPkg ? await RawRunner.create(floorPkg, ctx.settings, batch, ctx.frames) : null;
  const engine = await EngineRunner.create(pkg, { settings: ctx.settings, entry: ctx.entry, mode, batch, frames: ctx.frames });
  const loop = new LoopDelayMonitor();
  const m: Measured = {
    rawRunMs: [],
    floorRunMs: [],
    engineLatencyMs: [],
    enginePerFrameMs: [],
    engineStreamFrames: 0,
    engineFrames: 0,
    engineSpanMs: 0,
    failed: 0,
    loopDelayP99Ms: 0,
    batchSize: engine.batchSize,
  };
  const frameBudget = (b: Budget): Budget => ({ ...b, minRuns: b.minRuns * engine.batchSize });
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      const budget = ctx.budget(batch);
      m.rawRunMs.push(...(await raw.measure(budget)));
      if (floor) m.floorRunMs.push(...(await floor.measure(budget)));
      loop.start();
      // Latency: one frame at a time (latency mode); in throughput mode, waiting for the batch is the latency.
      const stream = await engine.measure(2 * engine.batchSize, frameBudget(budget));
      const single = mode === 'latency' ? await engine.measure(1, frameBudget(budget)) : stream;
      loop.stop();
      m.engineLatencyMs.push(...single.latencyMs);
      m.enginePerFrameMs.push(...perItemTimes(stream.completions, 2 * engine.batchSize));
      // Frames decided after the first batch, over the time from the first batch to the last.
      const firstBatchAt = stream.completions[engine.batchSize - 1]!;
      m.engineFrames += stream.completions.length - engine.batchSize;
      m.engineStreamFrames += stream.completions.length;
      m.engineSpanMs += stream.completions.at(-1)! - firstBatchAt;
      m.failed += stream.failed + (single === stream ? 0 : single.failed);
    }
    return { ...m, loopDelayP99Ms: loop.percentileMs(99) };
  } finally {
    await engine.close();
    await raw.close();
    await floor?.close();
  }
}

/**
 * The frames at the model's input, fitted as its manifest says (sharp standing in for ffmpeg's scale filter:
 * sources/raw-frames.ts): what an ffmpeg source with frames "raw" hands the line.
 */
async function modelSizedFrames(frames: readonly RawImage[], p: ImageModelPackage['manifest']['preprocessing']): Promise<RawImage[]> {
  const kernel = p.interpolation;
  return Promise.all(
    frames.map(async (f) => {
      let img = sharp(f.pixels, { raw: { width: f.width, height: f.height, channels: f.channels } });
      if (p.resize === 'shorter-side-crop') {
        const s = p.resizeShorterTo ?? Math.max(p.width, p.height);
        const { data, info } = await img.resize(s, s, { fit: 'outside', kernel }).raw().toBuffer({ resolveWithObject: true });
        img = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
      }
      const fit = p.resize === 'stretch' ? 'fill' : p.resize === 'letterbox' ? 'contain' : 'cover';
      const [r, g, b] = p.padColor ?? [0, 0, 0];
      const pixels = await img.resize(p.width, p.height, { fit, kernel, background: { r, g, b } }).removeAlpha().raw().toBuffer();
      return { width: p.width, height: p.height, channels: 3 as const, pixels };
    }),
  );
}

/** engine.int8: the quantised model through the engine, against the float model's bare runtime at the same batch. */
function int8Result(
  model: string,
  mode: 'latency' | 'throughput',
  batch: number,
  threads: number,
  m: Measured,
  basis: 'decoded beforehand' | 'raw at the model input' = 'decoded beforehand',
): BenchResult {
  const floorPerFrame = spreadOf(m.floorRunMs).p50 / batch;
  const rawInt8PerFrame = spreadOf(m.rawRunMs).p50 / batch;
  const perFrame = spreadOf(m.enginePerFrameMs);
  const latency = spreadOf(m.engineLatencyMs);
  return {
    name: 'engine.int8',
    model,
    provider: 'cpu',
    mode,
    batch: m.batchSize,
    threads,
    per_frame_ms: round(perFrame.p50),
    p50_ms: round(latency.p50),
    p99_ms: round(latency.p99),
    fps: round((m.engineFrames * 1000) / m.engineSpanMs, 1),
    fp32_raw_per_frame_ms: round(floorPerFrame),
    int8_raw_per_frame_ms: round(rawInt8PerFrame),
    speedup_vs_fp32_raw: round(floorPerFrame / perFrame.p50),
    speedup_goal: INT8_SPEEDUP_GOAL,
    goal_met: floorPerFrame / perFrame.p50 >= INT8_SPEEDUP_GOAL,
    ratio_vs_raw: round(perFrame.p50 / rawInt8PerFrame),
    ratio_basis: basis,
    spread: round(perFrame.spread),
    frames: m.engineStreamFrames,
    ...sampleFields(m.engineLatencyMs.length),
    failed: m.failed,
  };
}

export const INT8_SPEEDUP_GOAL = 2.5;

/**
 * engine.int8 for each model: quantised by the app on the demo frames (MinMax, the head float), then at batch 1 in
 * latency mode and at the throughput batch, each against the float model's bare runtime in the same rounds.
 */
export async function benchInt8(
  /** Each float model, and its INT8 variant when one is committed (else the app quantises it here). */
  models: readonly { readonly name: string; readonly pkg: ImageModelPackage; readonly int8?: ImageModelPackage }[],
  plan: Pick<BenchPlan, 'threads' | 'throughputBatch' | 'entry' | 'quick'>,
  demoFrames: readonly Uint8Array[],
  progress: Progress,
): Promise<BenchResult[]> {
  const frames = await decodedFrames(demoFrames.slice(0, 16));
  const ctx = measureContext(plan, benchSessionSettings(plan.threads), frames);
  const { rounds } = ctx;
  const out: BenchResult[] = [];
  for (const { name, pkg, int8: committed } of models) {
    if (!committed) progress(`engine.int8 (${name}): quantising on ${frames.length} frames…`);
    const q = committed ? null : await quantizeModel(pkg, frames, { method: { kind: 'minmax' } });
    const int8: ImageModelPackage = committed ?? { ...pkg, bytes: q!.bytes, manifest: q!.manifest };
    const batches: ['latency' | 'throughput', number][] = [['latency', 1]];
    // A fixed-batch model runs one item at a time whatever the mode: batch 1 is all it has.
    if (pkg.manifest.input.batch === 'dynamic') batches.push(['throughput', plan.throughputBatch]);
    for (const [mode, batch] of batches) {
      progress(`engine.int8 (${name}): batch ${batch}, ${mode} mode, against the float floor, ${rounds} rounds`);
      out.push(int8Result(name, mode, batch, plan.threads, await measurePair(int8, mode, batch, ctx, pkg)));
    }
    // The same at batch 1 from a raw camera: frames already at the model's input, no resize left to the line.
    progress(`engine.int8 (${name}): batch 1, raw frames at the model's input, against the float floor, ${rounds} rounds`);
    const atInput = { ...ctx, frames: await modelSizedFrames(frames, pkg.manifest.preprocessing) };
    out.push(int8Result(name, 'latency', 1, plan.threads, await measurePair(int8, 'latency', 1, atInput, pkg), 'raw at the model input'));
  }
  return out;
}

function results(model: string, mode: 'latency' | 'throughput', batch: number, threads: number, m: Measured): [BenchResult, BenchResult] {
  const runs = spreadOf(m.rawRunMs);
  const rawPerFrame = runs.p50 / batch;
  const perFrame = spreadOf(m.enginePerFrameMs);
  const latency = spreadOf(m.engineLatencyMs);
  const rawSum = m.rawRunMs.reduce((a, b) => a + b, 0);
  const raw: BenchResult = {
    name: `raw.${mode}`,
    model,
    provider: 'cpu',
    batch,
    threads,
    per_frame_ms: round(rawPerFrame),
    p50_ms: round(runs.p50),
    p95_ms: round(runs.p95),
    p99_ms: round(runs.p99),
    fps: round((m.rawRunMs.length * batch * 1000) / rawSum, 1),
    spread: round(runs.spread),
    frames: m.rawRunMs.length * batch,
    ...sampleFields(m.rawRunMs.length),
  };
  const engine: BenchResult = {
    name: `engine.${mode}`,
    model,
    provider: 'cpu',
    mode,
    batch: m.batchSize,
    threads,
    per_frame_ms: round(perFrame.p50),
    p50_ms: round(latency.p50),
    p95_ms: round(latency.p95),
    p99_ms: round(latency.p99),
    fps: round((m.engineFrames * 1000) / m.engineSpanMs, 1),
    ratio_vs_raw: round(perFrame.p50 / rawPerFrame),
    ratio_basis: 'decoded beforehand',
    latency_ratio_vs_raw: round(latency.p50 / runs.p50),
    spread: round(perFrame.spread),
    loop_delay_p99_ms: m.loopDelayP99Ms,
    frames: m.engineStreamFrames,
    ...sampleFields(m.engineLatencyMs.length),
    failed: m.failed,
  };
  return [raw, engine];
}

/** Rounds and, per round and side, at least this many runs (batches) and this long: one rule for every paired measure. */
function measureContext(plan: Pick<BenchPlan, 'quick' | 'entry'>, settings: SessionSettings, frames: readonly RawImage[]) {
  const budget = (batch: number): Budget => (plan.quick ? { minRuns: Math.max(3, 8 / batch), minMs: 300 } : { minRuns: Math.max(4, 24 / batch), minMs: 1000 });
  return { settings, entry: plan.entry, frames, rounds: plan.quick ? 2 : 3, budget };
}

/** The session the CLI's figures run with: CPU, the given intra-op threads, the station's defaults otherwise. */
export function benchSessionSettings(threads: number): SessionSettings {
  return {
    providers: ['cpu'],
    intraOpThreads: threads,
    interOpThreads: 1,
    spinning: false,
    graphOptimization: 'all',
    executionMode: 'sequential',
    memoryArena: true,
    warmupRuns: 3,
  };
}

export async function runBench(plan: BenchPlan, demoFrames: readonly Uint8Array[], progress: Progress): Promise<BenchReport> {
  const started = new Date();
  const t0 = performance.now();
  const out: BenchResult[] = [];
  const frames = await decodedFrames(demoFrames.slice(0, 16));
  const settings = benchSessionSettings(plan.threads);
  // Per round, for each side: at least this many runs (batches) and this long.
  const ctx = measureContext(plan, settings, frames);
  const { rounds } = ctx;
  const steps = plan.models.length * 2;
  let step = 0;
  const say = (what: string): void => progress(`[${++step}/${steps}] ${what} (${Math.round((performance.now() - t0) / 1000)} s so far)`);

  for (const name of plan.models) {
    progress(`generating ${name} (seeded weights)…`);
    const pkg = shapedModelPackage(name);
    say(`${name}: bare runtime and engine, batch 1, latency mode, ${rounds} rounds`);
    out.push(...results(name, 'latency', 1, plan.threads, await measurePair(pkg, 'latency', 1, ctx)));
    say(`${name}: bare runtime and engine, batch ${plan.throughputBatch}, throughput mode, ${rounds} rounds`);
    out.push(...results(name, 'throughput', plan.throughputBatch, plan.threads, await measurePair(pkg, 'throughput', plan.throughputBatch, ctx)));
  }
  if (plan.sensorModel) {
    progress(`sensor pipeline: features + ${plan.sensorModel.manifest.name} per sample`);
    out.push(await benchSensorPipeline(plan.sensorModel, settings, plan.entry, plan.quick ? 200 : 2000));
  }
  if (plan.sourceFramesDir) {
    progress('frame sources: CPU per frame for replay, hot folder, MJPEG');
    out.push(...(await benchSourceOverhead(plan.sourceFramesDir, 100, plan.quick ? 1000 : 3000)));
  }
  if (plan.logWorker) {
    const rows = plan.quick ? 20_000 : 200_000;
    progress(`log: ${rows} inspections committed with synchronous=FULL`);
    out.push(await benchLogWrite(plan.logWorker, rows));
    if (plan.postgres) {
      progress(`upload: a backlog of ${rows / 2} inspections drained to PostgreSQL`);
      out.push(await benchUploadPostgres(plan.logWorker, plan.postgres, rows / 2));
    }
  }
  return { machine: machineFacts(), startedAt: started.toISOString(), durationS: Math.round((performance.now() - t0) / 100) / 10, results: out };
}

/**
 * A case of the benchmark panel's plan as a row of the CLI's report
 * (`scenario.single_stream`, `scenario.offline`, `scenario.line_rate`), so
 * the CLI prints what the panel shows and the JSON keeps both.
 */
export function scenarioResult(o: CaseOutcome): BenchResult {
  const f = o.figures;
  const model = o.modelLabel.split(' ')[0] ?? o.modelLabel;
  const base = { name: `scenario.${o.case.scenario}`, model, provider: o.provider, mode: o.case.mode, batch: o.case.batch, threads: o.case.threads };
  if (!f) return { ...base, status: o.status, error: o.error };
  return {
    ...base,
    status: o.status,
    per_frame_ms: round(o.case.scenario === 'offline' ? 1000 / f.fps : f.latencyMs.mean),
    p50_ms: f.latencyMs.p50,
    p90_ms: f.latencyMs.p90,
    p95_ms: f.latencyMs.p95,
    p99_ms: f.latencyMs.p99,
    fps: f.fps,
    ratio_vs_raw: f.ratioVsRaw,
    ratio_basis: 'decode included',
    inference_ratio_vs_raw: f.inferenceRatioVsRaw,
    raw_per_frame_ms: f.raw.perFrameMs,
    spread: f.spread,
    loop_delay_p99_ms: f.loopDelayP99Ms,
    frames: f.frames,
    ...sampleFields(f.frames),
    failed: f.failed,
    stages_ms: f.stagesMs,
    ...(f.lineRate ? { line_rate: f.lineRate } : {}),
  };
}
