/**
 * The benchmark panel's language, shared by the engine, the UI and the CLI:
 * a plan (models × providers × threads × scenarios × batches × modes), the
 * cases it expands into, the figures each case yields, and the
 * recommendation drawn from them. The scenarios follow MLPerf Inference:
 *
 *   single_stream  one frame at a time, the next when the last is decided: latency
 *   offline        every frame offered at once, batched: the most frames per second
 *   line_rate      frames arriving at the line's rate: does latency stay inside the
 *                  deadline, and how many frames miss it
 *
 * Every figure is also a ratio to the bare onnxruntime-node floor for the same
 * model, provider, threads and batch, measured in the same run (docs/BACKGROUND.md).
 */
import { z } from 'zod';
import { EXECUTION_PROVIDERS } from './config';

export const SCENARIOS = ['single_stream', 'offline', 'line_rate'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const SCENARIO_WORDS: Record<Scenario, string> = {
  single_stream: 'single stream (latency, one frame at a time)',
  offline: 'offline (all frames at once, most frames/s)',
  line_rate: 'line rate (frames at the line’s rate, deadline misses)',
};

/**
 * Which model: the one running now, one from the registry, one that ships
 * with the app, or one with the shape of a studied network generated in code.
 */
export const SHAPED_MODEL_REFS = ['shaped:resnet18-shaped', 'shaped:resnet50-shaped', 'shaped:mobilenet-shaped'] as const;

export const BenchModelRefSchema = z.union([
  z.literal('active'),
  z.string().regex(/^registry:\d+$/, 'registry:<id>'),
  z.string().regex(/^bundled:[a-z0-9][a-z0-9._-]*$/, 'bundled:<name>'),
  z.enum(SHAPED_MODEL_REFS),
]);
export type BenchModelRef = z.infer<typeof BenchModelRefSchema>;

export const BUDGETS = {
  /** A smoke run: seconds. */
  quick: { warmupFrames: 4, minFrames: 16, minMs: 500, lineRateMs: 1500 },
  standard: { warmupFrames: 8, minFrames: 64, minMs: 2000, lineRateMs: 5000 },
  thorough: { warmupFrames: 16, minFrames: 256, minMs: 8000, lineRateMs: 20_000 },
} as const;
export type BudgetName = keyof typeof BUDGETS;

const unique = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .min(1)
    .max(max)
    .refine((a) => new Set(a).size === a.length, 'each at most once');

export const BenchPlanSchema = z
  .object({
    models: unique(BenchModelRefSchema, 8),
    scenarios: unique(z.enum(SCENARIOS), SCENARIOS.length),
    providers: unique(z.enum(EXECUTION_PROVIDERS), EXECUTION_PROVIDERS.length).default(['cpu']),
    threads: unique(z.number().int().min(1).max(64), 8).default([1]),
    /** Batch sizes for offline and for line rate in throughput mode. */
    batches: unique(z.number().int().min(1).max(64), 8).default([8]),
    /** Modes for line rate: latency (each frame alone) or throughput (batches). */
    modes: unique(z.enum(['latency', 'throughput']), 2).default(['latency']),
    /** Frames per second the line delivers; default: the station's line.rateFps. */
    lineRateFps: z.number().positive().max(2000).optional(),
    /** The recommendation wants this much spare: throughput ≥ rate × (1 + h), p99 ≤ deadline × (1 − h). */
    headroom: z.number().min(0).max(0.9).default(0.2),
    budget: z.enum(['quick', 'standard', 'thorough']).default('standard'),
  })
  .strict();
export type BenchPlan = z.infer<typeof BenchPlanSchema>;
export type BenchPlanInput = z.input<typeof BenchPlanSchema>;

/** One measurement of a plan: a scenario on one model with one set of settings. */
export interface BenchCase {
  readonly model: BenchModelRef;
  readonly provider: (typeof EXECUTION_PROVIDERS)[number];
  readonly threads: number;
  readonly scenario: Scenario;
  readonly mode: 'latency' | 'throughput';
  readonly batch: number;
}

/** The plan as the cases it runs, in the order it runs them (a model's cases together, so it is loaded once per setting). */
export function expandPlan(plan: BenchPlan): BenchCase[] {
  const out: BenchCase[] = [];
  for (const model of plan.models)
    for (const provider of plan.providers)
      for (const threads of plan.threads) {
        const base = { model, provider, threads } as const;
        if (plan.scenarios.includes('single_stream')) out.push({ ...base, scenario: 'single_stream', mode: 'latency', batch: 1 });
        if (plan.scenarios.includes('offline')) for (const batch of plan.batches) out.push({ ...base, scenario: 'offline', mode: 'throughput', batch });
        if (plan.scenarios.includes('line_rate'))
          for (const mode of plan.modes) {
            for (const batch of mode === 'latency' ? [1] : plan.batches) out.push({ ...base, scenario: 'line_rate', mode, batch });
          }
      }
  return out;
}

export const caseKey = (c: BenchCase): string => `${c.model}|${c.provider}|${c.threads}|${c.scenario}|${c.mode}|${c.batch}`;

const Ms = z.number();
/**
 * Mean time per frame and stage, in the line's order. `queue` (waiting before decoding started) came in issue 12;
 * runs stored before it have none in their figures JSON and read as 0 (their wait is inside `other`).
 */
export const StageMsSchema = z.object({ queue: Ms.default(0), decode: Ms, preprocess: Ms, inference: Ms, decision: Ms, log: Ms, other: Ms });
export type StageMs = z.infer<typeof StageMsSchema>;

export const BenchFiguresSchema = z.object({
  /** Frames measured (after the warm-up). */
  frames: z.number().int(),
  durationS: z.number(),
  /** Per frame, submitted (or arrived) → decided and logged. */
  latencyMs: z.object({ p50: Ms, p90: Ms, p95: Ms, p99: Ms, max: Ms, mean: Ms }),
  /** Latency at each whole percentile 0..100, for the distribution chart. */
  percentilesMs: z.array(Ms),
  fps: z.number(),
  /** Mean per frame and stage; inference is the batch's time shared by its frames; queue = waiting to be decoded; other = the rest (hops, timers). */
  stagesMs: StageMsSchema,
  /** The bare onnxruntime-node floor, same model, provider, threads and batch. */
  raw: z.object({ perFrameMs: Ms, runP50Ms: Ms, fps: z.number() }),
  /**
   * Engine time per frame ÷ bare runtime time per frame (single stream and line rate: latency p50 ÷ one run). The engine's
   * time includes decoding the camera's JPEG and resizing it; the bare runtime's does not (RATIO_WORDS.decodeIncluded).
   */
  ratioVsRaw: z.number(),
  /** The inference stage alone ÷ the bare runtime per frame: what the hop to the model's worker adds. */
  inferenceRatioVsRaw: z.number(),
  /** (p90 − p10) ÷ p50 of the frames' latencies: how noisy the machine was. */
  spread: z.number(),
  /** Frames that failed in the engine (unreadable, model error, dropped). */
  failed: z.number().int(),
  lineRate: z.object({ rateFps: z.number(), deadlineMs: z.number(), missed: z.number().int(), missedPct: z.number(), dropped: z.number().int() }).optional(),
  /** The main thread's event-loop delay p99 while this case ran. */
  loopDelayP99Ms: z.number(),
});
export type BenchFigures = z.infer<typeof BenchFiguresSchema>;

export const BenchResultSchema = z.object({
  id: z.number().int(),
  runId: z.number().int(),
  model: z.string(),
  /** The model's name and version as loaded. */
  modelLabel: z.string(),
  provider: z.string(),
  threads: z.number().int(),
  scenario: z.enum(SCENARIOS),
  mode: z.enum(['latency', 'throughput']),
  batch: z.number().int(),
  status: z.enum(['done', 'failed', 'cancelled', 'unavailable']),
  error: z.string().nullable(),
  figures: BenchFiguresSchema.nullable(),
});
export type BenchResult = z.infer<typeof BenchResultSchema>;

export const RecommendationSchema = z.union([
  z.object({ found: z.literal(true), resultId: z.number().int(), why: z.string() }),
  z.object({ found: z.literal(false), why: z.string() }),
]);
export type Recommendation = z.infer<typeof RecommendationSchema>;

export const BenchRunStateSchema = z.enum(['running', 'done', 'cancelled', 'failed']);

export const BenchRunSummarySchema = z.object({
  id: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  state: BenchRunStateSchema,
  actor: z.string(),
  plan: BenchPlanSchema,
  lineRateFps: z.number(),
  deadlineMs: z.number(),
  /** Whether the line ran beside the benchmark (its figures then share the CPU with it). */
  lineRunning: z.boolean(),
  cases: z.number().int(),
  results: z.number().int(),
  error: z.string().nullable(),
});
export type BenchRunSummary = z.infer<typeof BenchRunSummarySchema>;

export const BenchRunSchema = BenchRunSummarySchema.extend({
  machine: z.record(z.string(), z.unknown()),
  items: z.array(BenchResultSchema),
  recommendation: RecommendationSchema.nullable(),
});
export type BenchRun = z.infer<typeof BenchRunSchema>;

export const BenchProgressSchema = z.object({
  runId: z.number().int(),
  state: BenchRunStateSchema,
  /** Cases finished, of all. */
  done: z.number().int(),
  total: z.number().int(),
  /** What runs now, in words. */
  current: z.string(),
  /** Seconds left, estimated from the cases so far and their budgets. */
  etaS: z.number().nullable(),
  elapsedS: z.number(),
});
export type BenchProgress = z.infer<typeof BenchProgressSchema>;

/** What the panel can offer on this station, and what it starts from. */
export const BenchOptionsSchema = z.object({
  models: z.array(z.object({ ref: BenchModelRefSchema, label: z.string() })),
  /** Execution providers in this build of onnxruntime-node (whether the hardware is there is found out by running). */
  providers: z.array(z.enum(EXECUTION_PROVIDERS)),
  /**
   * Providers of that list the station already saw fail to load here (the running model passed them over), with the
   * reason: offered still (a driver may have been installed since) but marked, and left out of the default plan.
   */
  providerProblems: z.array(z.object({ provider: z.enum(EXECUTION_PROVIDERS), reason: z.string() })),
  cores: z.number().int(),
  threadChoices: z.array(z.number().int()),
  lineRateFps: z.number(),
  deadlineMs: z.number(),
  /** The camera delivers and the line is not paused: starting asks first. */
  lineRunning: z.boolean(),
  current: BenchProgressSchema.nullable(),
  defaultPlan: BenchPlanSchema,
});
export type BenchOptions = z.infer<typeof BenchOptionsSchema>;

/**
 * How many frames a percentile needs before it says anything: at least 10 frames beyond it, so
 * ceil(10 ÷ (1 − p/100)) — p50: 20, p90: 100, p95: 200, p99: 1,000. With fewer, a high percentile is one or two
 * frames: the quick budget's 16 frames at line rate make a "p99" that is in effect the slowest frame. MLPerf
 * Inference asks the same order of a single-stream run (at least 1,024 queries, rules v0.5 on, for the 90th
 * percentile it reports). The figures keep every percentile; the table, the charts, the recommendation and the
 * CLI flag the ones their frames cannot support, computed here from `frames`, so runs stored before this rule
 * are flagged too.
 */
export const REPORTED_PERCENTILES = [50, 90, 95, 99] as const;
export type ReportedPercentile = (typeof REPORTED_PERCENTILES)[number];

export function framesNeeded(p: number): number {
  // 1000 ÷ (100 − p) is 10 ÷ (1 − p/100) in whole percent: p99 gives 1,000, not 1,000.0000000000001 → 1,001.
  return Math.ceil(1000 / (100 - p) - 1e-9);
}

export const percentileSupported = (p: number, frames: number): boolean => frames >= framesNeeded(p);

/** The reported percentiles these frames cannot support, highest first. */
export function unsupportedPercentiles(frames: number): ReportedPercentile[] {
  return REPORTED_PERCENTILES.filter((p) => !percentileSupported(p, frames)).reverse();
}

/** The highest whole percentile these frames support (where a distribution stops meaning much), or null under 10 frames. */
export function highestSupportedPercentile(frames: number): number | null {
  if (frames < 10) return null;
  return Math.min(100, Math.floor(100 - 1000 / frames + 1e-9));
}

/** 1000 → "1,000", whatever the locale of the screen or the shell. */
export const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** "p99 from 16 frames is in effect the slowest frame; a p99 needs ≥ 1,000 frames", or null when the frames support it. */
export function percentileNote(p: number, frames: number): string | null {
  if (percentileSupported(p, frames)) return null;
  // Frames beyond the percentile: under two, the interpolated value sits between the two slowest frames.
  const beyond = Math.floor((frames * (100 - p)) / 100 + 1e-9);
  const what = beyond < 2 ? 'is in effect the slowest frame' : `rests on its slowest ${beyond} frames`;
  return `p${p} from ${grouped(frames)} frames ${what}; a p${p} needs ≥ ${grouped(framesNeeded(p))} frames`;
}

/** One line for a result whose frames cannot support all its percentiles: the highest one's note, then what the others need. */
export function samplesNote(frames: number): string | null {
  const [top, ...rest] = unsupportedPercentiles(frames);
  if (top === undefined) return null;
  const others = rest.map((p) => `p${p} ${grouped(framesNeeded(p))}`).join(', ');
  return `${percentileNote(top, frames)!}${others ? ` (${others})` : ''}`;
}

/**
 * "× raw" is two different ratios, and they must never be read as one: the panel's (and the CLI's scenario.*
 * rows) time the camera's JPEG decoded and resized by the line, which the bare runtime never does, so a small
 * model reads 7–12 ×; the CLI's engine.* rows give the line frames decoded beforehand, so they read near 1 ×
 * (what the line adds around the model itself).
 */
export const RATIO_WORDS = {
  decodeIncluded: '× bare runtime, decode included',
  decodedBeforehand: '× bare runtime, decoded beforehand',
} as const;

/** Capacity figures closer than this are the same figure: run-to-run noise on a small PC (the spread column shows how much). */
export const NOISE = 0.03;

export interface LineTarget {
  readonly rateFps: number;
  readonly deadlineMs: number;
  readonly headroom: number;
}

/** What a setting can do flat out, and where that was measured. */
export interface Capacity {
  readonly fps: number;
  readonly scenario: 'offline' | 'single_stream';
  readonly batch: number;
}

/**
 * A line-rate result's capacity: offline at the same model, provider, threads and batch, or for one frame at a
 * time (batch 1), single stream; null when neither was measured.
 */
export function capacityOf(r: BenchResult, items: readonly BenchResult[]): Capacity | null {
  const source = capacitySource(r, items);
  if (!source?.figures) return null;
  return { fps: source.figures.fps, scenario: source.scenario === 'offline' ? 'offline' : 'single_stream', batch: source.batch };
}

/** The offline or single-stream result capacityOf reads (the charts highlight it beside the recommended line-rate result). */
export function capacitySource(r: BenchResult, items: readonly BenchResult[]): BenchResult | null {
  const same = (o: BenchResult): boolean =>
    o.status === 'done' && o.figures !== null && o.model === r.model && o.provider === r.provider && o.threads === r.threads;
  return (
    items.find((o) => o.scenario === 'offline' && same(o) && o.batch === r.batch) ??
    (r.batch === 1 ? items.find((o) => o.scenario === 'single_stream' && same(o)) : undefined) ??
    null
  );
}

/** "306.9 frames/s offline (batch 8)", "227.1 frames/s single stream": each figure with the scenario it was measured in. */
export function capacityWords(c: Capacity): string {
  return `${round1(c.fps)} frames/s ${c.scenario === 'offline' ? `offline (batch ${c.batch})` : 'single stream'}`;
}

interface Judged {
  readonly r: BenchResult;
  readonly f: BenchFigures;
  readonly cap: Capacity | null;
  /** Why it does not meet the line; empty when it does. */
  readonly fails: string[];
}

const threadWords = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;
const modeWords = (r: BenchResult): string => `${r.mode} mode${r.mode === 'throughput' ? `, batch ${r.batch}` : ''}`;
const settingWords = (r: BenchResult): string => `${r.modelLabel} on ${r.provider}, ${threadWords(r.threads)}, ${modeWords(r)}`;

/** What tells `b` from `a`, in as few words as do it: "2 threads", "throughput mode, batch 8". */
function difference(a: BenchResult, b: BenchResult): string {
  const parts: string[] = [];
  if (b.modelLabel !== a.modelLabel) parts.push(b.modelLabel);
  if (b.provider !== a.provider) parts.push(`on ${b.provider}`);
  if (b.threads !== a.threads) parts.push(threadWords(b.threads));
  if (b.mode !== a.mode || b.batch !== a.batch) parts.push(modeWords(b));
  return parts.length > 0 ? parts.join(', ') : settingWords(b);
}

/**
 * The recommendation, with its objective stated. A setting meets the line when, at the line's rate, no frame
 * missed its deadline (dropped frames count), its p99 stays within the deadline less the headroom, and its
 * capacity (capacityOf), where measured, beats the rate plus the headroom. Of those it maximises capacity —
 * the spare the line keeps for a burst — so a setting that measured fewer frames/s is never picked over one
 * that measured more (issue 12: 2 threads at 166 frames/s were recommended over 1 thread at 225). Figures within
 * NOISE of the most are a tie, which goes to the lower p99 (again within NOISE), then to fewer threads (they
 * leave CPU to the rest of the station). Where no setting that meets the line had its capacity measured, the
 * lowest p99 wins. The `why` names the winner's figure, the runner-up's, and a faster setting that failed.
 */
export function recommend(items: readonly BenchResult[], line: LineTarget): Recommendation {
  const rated = items.filter((r) => r.scenario === 'line_rate' && r.status === 'done' && r.figures?.lineRate);
  if (rated.length === 0) return { found: false, why: 'no line-rate result: run the line_rate scenario to get a recommendation' };
  const budgetMs = line.deadlineMs * (1 - line.headroom);
  const needFps = line.rateFps * (1 + line.headroom);
  const judged: Judged[] = rated.map((r) => {
    const f = r.figures!;
    const cap = capacityOf(r, items);
    const fails: string[] = [];
    if (f.lineRate!.missed > 0) fails.push(`missed ${f.lineRate!.missed} frame${f.lineRate!.missed === 1 ? '' : 's'}`);
    if (f.latencyMs.p99 > budgetMs) fails.push(`p99 ${round1(f.latencyMs.p99)} ms is over the ${round1(budgetMs)} ms budget`);
    if (cap !== null && cap.fps < needFps) fails.push(`${capacityWords(cap)} is under the ${round1(needFps)} needed`);
    return { r, f, cap, fails };
  });
  const p99Note = (j: Judged): string => {
    const note = percentileNote(99, j.f.frames);
    return note ? ` (${note})` : '';
  };
  const fit = judged.filter((j) => j.fails.length === 0);
  if (fit.length === 0) {
    const best = [...judged].sort((a, b) => a.f.latencyMs.p99 - b.f.latencyMs.p99)[0]!;
    return {
      found: false,
      why:
        `no setting meets ${line.rateFps} frames/s with p99 under ${round1(budgetMs)} ms (${Math.round(line.headroom * 100)}% headroom on the ${line.deadlineMs} ms deadline)` +
        ` and ${round1(needFps)} frames/s of capacity; the best had p99 ${round1(best.f.latencyMs.p99)} ms${p99Note(best)} and missed ${best.f.lineRate!.missed}` +
        ` (${settingWords(best.r)}: ${best.fails.join(', ')})`,
    };
  }

  const measured = fit.filter((j): j is Judged & { cap: Capacity } => j.cap !== null);
  const byCapacity = measured.length > 0;
  const pool: Judged[] = byCapacity ? measured : fit;
  const mostFps = byCapacity ? Math.max(...measured.map((j) => j.cap.fps)) : 0;
  // A tie on capacity (within the noise of the most), then on p99 (within the noise of the lowest of those), then fewer threads.
  const tiedOnCapacity = byCapacity ? measured.filter((j) => j.cap.fps >= mostFps * (1 - NOISE)) : pool;
  const lowestP99 = Math.min(...tiedOnCapacity.map((j) => j.f.latencyMs.p99));
  const tiedOnP99 = tiedOnCapacity.filter((j) => j.f.latencyMs.p99 <= lowestP99 * (1 + NOISE));
  const winner = [...tiedOnP99].sort(
    (a, b) => a.r.threads - b.r.threads || (b.cap?.fps ?? 0) - (a.cap?.fps ?? 0) || a.f.latencyMs.p99 - b.f.latencyMs.p99 || a.r.id - b.r.id,
  )[0]!;

  // The runner-up on the same objective, and why it lost when it measured about as well.
  const others = pool.filter((j) => j !== winner);
  const runnerUp = byCapacity
    ? [...others].sort((a, b) => b.cap!.fps - a.cap!.fps || a.f.latencyMs.p99 - b.f.latencyMs.p99)[0]
    : [...others].sort((a, b) => a.f.latencyMs.p99 - b.f.latencyMs.p99 || a.r.threads - b.r.threads)[0];
  const noisePct = `${Math.round(NOISE * 100)} %`;
  const lostBecause = (j: Judged): string => {
    // Clearly worse on the objective: its figure says why.
    if (!tiedOnCapacity.includes(j)) return '';
    const tie = byCapacity ? `the same within ${noisePct} (measurement noise)` : '';
    if (!tiedOnP99.includes(j)) {
      return byCapacity ? ` (${tie}; the lower p99 wins: ${round1(winner.f.latencyMs.p99)} ms against ${round1(j.f.latencyMs.p99)})` : '';
    }
    if (j.r.threads > winner.r.threads) return ` (${byCapacity ? `${tie}, p99 too` : `the same p99 within ${noisePct}`}: fewer threads win)`;
    return byCapacity ? ` (${tie})` : '';
  };
  const figureOf = (j: Judged): string => (byCapacity ? capacityWords(j.cap!) : `p99 ${round1(j.f.latencyMs.p99)} ms`);

  const parts: string[] = [];
  const n = pool.length;
  const meets = n === 1 ? 'the only setting that meets the line' : `${n} settings that meet the line`;
  if (byCapacity) {
    const most = winner.cap!.fps >= mostFps;
    parts.push(
      `${settingWords(winner.r)}: ${capacityWords(winner.cap!)}, ` +
        (n === 1 ? meets : most ? `the most of ${meets}` : `within ${noisePct} (measurement noise) of the most of ${meets}`),
    );
  } else {
    parts.push(
      `${settingWords(winner.r)}: p99 ${round1(winner.f.latencyMs.p99)} ms, ${n === 1 ? meets : `the lowest of ${meets}`} ` +
        `(no capacity measured: add offline or single stream to the plan to compare frames/s)`,
    );
  }
  if (runnerUp) parts.push(`${difference(winner.r, runnerUp.r)}: ${figureOf(runnerUp)}${lostBecause(runnerUp)}`);
  // A setting that measured more frames/s but does not meet the line: say why it was passed over.
  const faster = byCapacity
    ? judged.filter((j) => j.fails.length > 0 && j.cap !== null && j.cap.fps > winner.cap!.fps).sort((a, b) => b.cap!.fps - a.cap!.fps)[0]
    : undefined;
  if (faster) parts.push(`${difference(winner.r, faster.r)}: ${capacityWords(faster.cap!)} but ${faster.fails.join(' and ')}`);
  if (byCapacity && measured.length < fit.length) {
    const k = fit.length - measured.length;
    parts.push(`${k} more meet${k === 1 ? 's' : ''} the line with no capacity measured`);
  }
  parts.push(
    `at ${line.rateFps} frames/s: p99 ${round1(winner.f.latencyMs.p99)} ms${p99Note(winner)} within the ${round1(budgetMs)} ms budget, no frame missed` +
      (byCapacity ? `, ${round1(needFps)} frames/s of capacity needed` : ''),
  );
  return { found: true, resultId: winner.r.id, why: parts.join('; ') };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** What a result is, in words a table can show: "demo-cherry 1.0.1 · cpu · 2 thr · offline · batch 8". */
export function settingLabel(r: Pick<BenchResult, 'modelLabel' | 'provider' | 'threads' | 'scenario' | 'mode' | 'batch'>): string {
  const batch = r.scenario === 'offline' || r.mode === 'throughput' ? ` · batch ${r.batch}` : '';
  const mode = r.scenario === 'line_rate' ? ` ${r.mode}` : '';
  return `${r.modelLabel} · ${r.provider} · ${r.threads} thr · ${r.scenario.replace('_', ' ')}${mode}${batch}`;
}

export interface ComparedRow {
  readonly setting: string;
  readonly a: BenchResult | null;
  readonly b: BenchResult | null;
  /** B's p99 ÷ A's, and B's frames/s ÷ A's, where both have figures. */
  readonly p99Ratio: number | null;
  readonly fpsRatio: number | null;
}

/** Two runs side by side, matched by model, provider, threads, scenario, mode and batch; A's order, then what only B has. */
export function compareRuns(a: readonly BenchResult[], b: readonly BenchResult[]): ComparedRow[] {
  const key = (r: BenchResult): string => `${r.modelLabel}|${r.provider}|${r.threads}|${r.scenario}|${r.mode}|${r.batch}`;
  const bByKey = new Map(b.map((r) => [key(r), r]));
  const rows: ComparedRow[] = [];
  const row = (x: BenchResult | null, y: BenchResult | null): ComparedRow => {
    const fa = x?.figures;
    const fb = y?.figures;
    return {
      setting: settingLabel((x ?? y)!),
      a: x,
      b: y,
      p99Ratio: fa && fb ? Math.round((fb.latencyMs.p99 / fa.latencyMs.p99) * 1000) / 1000 : null,
      fpsRatio: fa && fb ? Math.round((fb.fps / fa.fps) * 1000) / 1000 : null,
    };
  };
  for (const x of a) {
    rows.push(row(x, bByKey.get(key(x)) ?? null));
    bByKey.delete(key(x));
  }
  for (const y of bByKey.values()) rows.push(row(null, y));
  return rows;
}

/** The cases one load-probe verdict covers: one model with one provider and thread count, at the plan's largest batch for them. */
export const firstLoadKey = (c: Pick<BenchCase, 'model' | 'provider' | 'threads'>): string => `${c.model}|${c.provider}|${c.threads}`;
