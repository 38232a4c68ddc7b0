/**
 * engine.int8's rows run (issue 18, src/tools/bench/bench.ts benchInt8): a float model quantised by the app, then
 * through the engine at batch 1 and the throughput batch against the float model's bare runtime, and once more from
 * raw frames already at the model's input (what an ffmpeg source with frames "raw" delivers). Times are the
 * benchmark's to judge (npm run bench), never asserted here: this checks the rows are made and made of real runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImagePackage } from '../../src/engine/model-package';
import { sourceWorkerEntry } from '../../src/engine/rpc/worker-entry';
import { benchInt8, INT8_SPEEDUP_GOAL } from '../../src/tools/bench/bench';
import { DEMO_FRAMES_DIR, DEMO_MODEL_DIR } from '../helpers/paths';

describe('engine.int8', () => {
  it('quantises the model, runs it through the engine against the float floor, and again from raw frames at its input', async () => {
    const frames = readdirSync(DEMO_FRAMES_DIR)
      .filter((f) => f.endsWith('.jpg'))
      .slice(0, 6)
      .map((f) => new Uint8Array(readFileSync(join(DEMO_FRAMES_DIR, f))));
    const progress: string[] = [];
    const rows = await benchInt8(
      [{ name: 'demo-cherry', pkg: await loadImagePackage(DEMO_MODEL_DIR) }],
      { threads: 1, throughputBatch: 4, entry: sourceWorkerEntry(), quick: true },
      frames,
      (m) => progress.push(m),
    );
    expect(rows.map((r) => [r.mode, r.batch, r.ratio_basis])).toEqual([
      ['latency', 1, 'decoded beforehand'],
      ['throughput', 4, 'decoded beforehand'],
      ['latency', 1, 'raw at the model input'],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({ name: 'engine.int8', model: 'demo-cherry', failed: 0, speedup_goal: INT8_SPEEDUP_GOAL });
      for (const k of ['per_frame_ms', 'fp32_raw_per_frame_ms', 'int8_raw_per_frame_ms', 'speedup_vs_fp32_raw'] as const) expect(r[k]).toBeGreaterThan(0);
      expect(r.goal_met).toBe((r.speedup_vs_fp32_raw as number) >= INT8_SPEEDUP_GOAL);
    }
    expect(progress[0]).toMatch(/quantising on \d+ frames/);
    expect(progress.at(-1)).toMatch(/raw frames at the model's input/);
  }, 120_000);
});
