/**
 * What `npm run bench` reports (bench.ts and the measures beside it): one row per figure, the report with the
 * machine it ran on, and the tables printed from it.
 */
import { framesNeeded, grouped, RATIO_WORDS, samplesNote } from '../../shared/bench';
import type { MachineFacts } from '../../engine/bench/machine';

export interface BenchResult {
  readonly name: string;
  readonly model?: string;
  readonly provider?: string;
  readonly mode?: 'latency' | 'throughput';
  readonly batch?: number;
  readonly threads?: number;
  /** Per frame: for the engine, the time between decisions when frames come back to back; for the bare runtime, one run ÷ batch. */
  readonly per_frame_ms?: number;
  /** Latency of one frame (engine: decoded frame → decision) or one run (bare runtime). */
  readonly p50_ms?: number;
  readonly p95_ms?: number;
  readonly p99_ms?: number;
  readonly fps?: number;
  /** Engine per-frame time ÷ bare runtime per-frame time, same model, provider, batch, threads. */
  readonly ratio_vs_raw?: number;
  /** Engine p50 latency ÷ bare runtime p50 per frame: what resizing and the hop to the worker add to one frame. */
  readonly latency_ratio_vs_raw?: number;
  /** (p90 − p10) ÷ p50 of the per-frame times: how noisy the machine was. */
  readonly spread?: number;
  readonly loop_delay_p99_ms?: number;
  readonly frames?: number;
  /** How many latencies p50/p95/p99 come from (runs for raw.*, frames timed one at a time for engine.*): what they can support. */
  readonly samples?: number;
  /** The percentiles those samples cannot support (shared/bench.ts framesNeeded), e.g. ["p99"]. */
  readonly unsupported_percentiles?: readonly string[];
  /**
   * What ratio_vs_raw compares: the line's time with the camera's JPEG decoded, with 640×480 frames decoded
   * beforehand, or with raw frames already at the model's input (what an ffmpeg source with frames "raw" hands over).
   */
  readonly ratio_basis?: 'decode included' | 'decoded beforehand' | 'raw at the model input';
  readonly failed?: number;
  readonly [extra: string]: unknown;
}

export interface BenchReport {
  readonly machine: MachineFacts;
  readonly startedAt: string;
  readonly durationS: number;
  readonly results: BenchResult[];
}

/** A percentile cell, marked "*" where the row's samples cannot support it (the footnote says how many it needs). */
const percentileCell =
  (p: 50 | 95 | 99) =>
  (r: BenchResult): string => {
    const v = p === 50 ? r.p50_ms : p === 95 ? r.p95_ms : r.p99_ms;
    if (v === undefined) return '';
    return `${v.toFixed(2)}${r.unsupported_percentiles?.includes(`p${p}`) ? '*' : ''}`;
  };

const COLUMNS: readonly [string, (r: BenchResult) => string][] = [
  ['model', (r) => r.model ?? ''],
  ['result', (r) => r.name],
  ['batch', (r) => String(r.batch ?? '')],
  ['thr', (r) => String(r.threads ?? '')],
  ['ms/frame', (r) => r.per_frame_ms?.toFixed(2) ?? ''],
  ['p50 ms', percentileCell(50)],
  ['p95 ms', percentileCell(95)],
  ['p99 ms', percentileCell(99)],
  ['frames/s', (r) => r.fps?.toFixed(1) ?? ''],
  ['× raw', (r) => (r.ratio_vs_raw !== undefined ? r.ratio_vs_raw.toFixed(3) : '')],
  ['spread', (r) => (r.spread !== undefined ? `${(r.spread * 100).toFixed(0)}%` : '')],
  ['loop p99 ms', (r) => r.loop_delay_p99_ms?.toFixed(2) ?? ''],
];

const OTHER_COLUMNS: readonly [string, (r: BenchResult) => string][] = [
  ['result', (r) => r.name],
  ['of', (r) => String(r['source'] ?? r.model ?? '')],
  ['µs/sample', (r) => (typeof r['us_per_sample'] === 'number' ? r['us_per_sample'].toFixed(1) : '')],
  ['raw µs', (r) => (typeof r['raw_us_per_sample'] === 'number' ? r['raw_us_per_sample'].toFixed(1) : '')],
  ['× raw', (r) => (r.ratio_vs_raw !== undefined ? r.ratio_vs_raw.toFixed(3) : '')],
  ['µs/frame', (r) => (typeof r['us_per_frame'] === 'number' ? r['us_per_frame'].toFixed(1) : '')],
  ['rows/s', (r) => (typeof r['rows_per_s'] === 'number' ? String(r['rows_per_s']) : '')],
  ['frames/s', (r) => (r.name === 'station.clients' ? `${String(r['fps_alone'])} → ${String(r['fps_with_clients'])}` : '')],
  ['drop %', (r) => (typeof r['fps_drop_pct'] === 'number' ? r['fps_drop_pct'].toFixed(2) : '')],
  ['loop p99 ms', (r) => r.loop_delay_p99_ms?.toFixed(2) ?? ''],
  ['frames', (r) => String(r.frames ?? '')],
];

/** The results as fixed-width tables: the models, then the other figures; then the notes the models' table needs. */
export function formatTable(results: readonly BenchResult[]): string {
  const models = results.filter((r) => r.name.startsWith('raw.') || r.name.startsWith('engine.') || r.name.startsWith('scenario.'));
  const others = results.filter((r) => !models.includes(r));
  const tables = [table(models, COLUMNS)];
  if (others.length > 0) tables.push(table(others, OTHER_COLUMNS));
  const notes = tableNotes(models);
  return [...tables, ...(notes.length > 0 ? [notes.join('\n')] : [])].join('\n\n');
}

/**
 * The footnotes of the models' table: what "× raw" compares on each kind of row (two different ratios: near 1 on
 * engine.*, several times that on scenario.*, where the JPEG decode is in the engine's time only), and why a
 * percentile carries "*".
 */
export function tableNotes(models: readonly BenchResult[]): string[] {
  const notes: string[] = [];
  if (models.some((r) => r.name.startsWith('engine.'))) {
    notes.push(
      `× raw on engine.* rows: ${RATIO_WORDS.decodedBeforehand} — engine time per frame ÷ bare onnxruntime-node session.run per frame, same model, batch and threads, ` +
        'frames decoded at 640×480 before timing: what resize, tensor, worker and decision add around the model.',
    );
  }
  if (models.some((r) => r.ratio_basis === 'raw at the model input')) {
    notes.push(
      'engine.int8 rows marked "raw at the model input": frames handed over already at the model\'s input size and fit, as an ffmpeg source with ' +
        'frames "raw" delivers them (README, Cameras): the line\'s tensor, worker and decision around the model, with no resize.',
    );
  }
  if (models.some((r) => r.name.startsWith('scenario.'))) {
    notes.push(
      `× raw on scenario.* rows: ${RATIO_WORDS.decodeIncluded} — the benchmark panel's figure: the line decodes and resizes each 640×480 JPEG, ` +
        'the bare runtime is handed a tensor, so a small model reads several times 1; single_stream: latency p50 ÷ one bare run; offline: time per frame ÷ bare time per frame.',
    );
  }
  const flagged = models.filter((r) => (r.unsupported_percentiles?.length ?? 0) > 0 && r.samples !== undefined);
  if (flagged.length > 0) {
    // The row with the fewest samples makes the example; the rule is the same for every row.
    const fewest = Math.min(...flagged.map((r) => r.samples!));
    notes.push(
      `* too few samples for that percentile (it needs 10 beyond it: p99 ≥ ${grouped(framesNeeded(99))}, p95 ≥ ${framesNeeded(95)}, p50 ≥ ${framesNeeded(50)}; ` +
        `MLPerf's single stream asks ≥ 1,024): ${samplesNote(fewest)!}.`,
    );
  }
  return notes;
}

function table(results: readonly BenchResult[], columns: readonly [string, (r: BenchResult) => string][]): string {
  const rows = results.map((r) => columns.map(([, cell]) => cell(r)));
  const widths = columns.map(([title], i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(columns.map(([title]) => title)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
