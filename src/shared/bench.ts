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
 * model, provider, threads and batch, measured in the same run (BRIEF.md).
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
export const StageMsSchema = z.object({ decode: Ms, preprocess: Ms, inference: Ms, decision: Ms, log: Ms, other: Ms });
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
  /** Mean per frame and stage; inference is the batch's time shared by its frames; other = waiting and hops. */
  stagesMs: StageMsSchema,
  /** The bare onnxruntime-node floor, same model, provider, threads and batch. */
  raw: z.object({ perFrameMs: Ms, runP50Ms: Ms, fps: z.number() }),
  /** Engine time per frame ÷ bare runtime time per frame (single stream and line rate: latency p50 ÷ one run). */
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
 * The fastest settings that meet the line: at the line's rate no frame
 * missed its deadline and p99 stays under the deadline with headroom, and
 * where the same settings were measured offline, their throughput beats the
 * rate with headroom. Of those, the lowest p99; a tie goes to fewer threads
 * (they leave more CPU to the rest of the station).
 */
export function recommend(items: readonly BenchResult[], line: { rateFps: number; deadlineMs: number; headroom: number }): Recommendation {
  const rated = items.filter((r) => r.scenario === 'line_rate' && r.status === 'done' && r.figures?.lineRate);
  if (rated.length === 0) return { found: false, why: 'no line-rate result: run the line_rate scenario to get a recommendation' };
  const budgetMs = line.deadlineMs * (1 - line.headroom);
  const needFps = line.rateFps * (1 + line.headroom);
  const same = (o: BenchResult, r: BenchResult): boolean => o.status === 'done' && o.model === r.model && o.provider === r.provider && o.threads === r.threads;
  // What the settings can do flat out: offline at the same batch, or for one frame at a time, single stream.
  const capacity = (r: BenchResult): number | null => {
    const offline = items.find((o) => o.scenario === 'offline' && same(o, r) && o.batch === r.batch);
    const single = r.batch === 1 ? items.find((o) => o.scenario === 'single_stream' && same(o, r)) : undefined;
    return offline?.figures?.fps ?? single?.figures?.fps ?? null;
  };
  const fit = rated.filter((r) => {
    const f = r.figures!;
    const cap = capacity(r);
    return f.lineRate!.missed === 0 && f.latencyMs.p99 <= budgetMs && (cap === null || cap >= needFps);
  });
  if (fit.length === 0) {
    const best = [...rated].sort((a, b) => a.figures!.latencyMs.p99 - b.figures!.latencyMs.p99)[0]!;
    return {
      found: false,
      why: `no setting meets ${line.rateFps} frames/s with p99 under ${round1(budgetMs)} ms (${Math.round(line.headroom * 100)}% headroom on the ${line.deadlineMs} ms deadline); the best had p99 ${round1(best.figures!.latencyMs.p99)} ms and missed ${best.figures!.lineRate!.missed}`,
    };
  }
  fit.sort((a, b) => a.figures!.latencyMs.p99 - b.figures!.latencyMs.p99 || a.threads - b.threads);
  const r = fit[0]!;
  const cap = capacity(r);
  return {
    found: true,
    resultId: r.id,
    why:
      `${r.modelLabel} on ${r.provider}, ${r.threads} thread${r.threads === 1 ? '' : 's'}, ${r.mode} mode${r.mode === 'throughput' ? `, batch ${r.batch}` : ''}: ` +
      `p99 ${round1(r.figures!.latencyMs.p99)} ms at ${line.rateFps} frames/s (budget ${round1(budgetMs)} ms), no frame missed` +
      (cap !== null ? `, ${round1(cap)} frames/s offline (needs ${round1(needFps)})` : ''),
  };
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
