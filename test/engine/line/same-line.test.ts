/**
 * One line, many users (issue 13): the station and the benchmark panel's path
 * (bench/scenarios/bench-line.ts) run the same InspectionLine, so a change in a
 * verdict rule's input reaches both. Here the input is the clock the capture
 * times are judged by: in step, both judge the same picture with the model and
 * reach the same verdict; five seconds ahead, every frame is stale to both, and
 * both reject it with the same reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DecisionConfigSchema } from '../../../src/shared/storage-config';
import { BenchLine, type FrameTiming } from '../../../src/engine/bench/scenarios/bench-line';
import { OFFLINE_SESSION } from '../../../src/engine/evaluation/score-images';
import { sourceWorkerEntry } from '../../../src/engine/rpc/worker-entry';
import type { LineClock } from '../../../src/engine/line/inspection-line';
import { loadImagePackage } from '../../../src/engine/model-package';
import type { InspectionRow } from '../../../src/engine/storage/inspection-log';
import { useRunningEngines } from '../../helpers/engine';
import { DEMO_FRAMES_DIR, DEMO_MODEL_DIR } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';
import { waitFor } from '../../helpers/wait';

const FRAME = join(DEMO_FRAMES_DIR, '00000.jpg');
const RULES = DecisionConfigSchema.parse({}); // the station's defaults: deadline 1000 ms, stale 2000 ms

describe('the station and the benchmark run the same line', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  /** The station's verdict on the demo frame 00000.jpg, replayed, judged by `clock`. */
  async function stationVerdict(clock: LineClock): Promise<{ decision: string; rejectScore: number | null; failSafeReason: string | null }> {
    const engine = await engines.start(tempDir(), { source: { kind: 'replay', files: [FRAME], fps: 5, loop: false }, sensors: { sources: [] } }, { clock });
    await waitFor('the frame decided', () => engine.getRecentInspections(1).length === 1, 20_000);
    const [i] = engine.getRecentInspections(1);
    return { decision: i!.decision, rejectScore: i!.rejectScore, failSafeReason: i!.failSafeReason ?? null };
  }

  /** The benchmark panel's line's verdict on the same picture, judged by `clock`, with the station's rules. */
  async function benchVerdict(clock: LineClock): Promise<{ decision: string; rejectScore: number | null; failSafeReason: string | null }> {
    const rows: InspectionRow[] = [];
    const pkg = await loadImagePackage(DEMO_MODEL_DIR);
    const line = await BenchLine.open(pkg, {
      ...{ settings: OFFLINE_SESSION, entry: sourceWorkerEntry(), mode: 'latency', batch: 1 },
      log: { append: (row) => rows.push(row) },
      rules: RULES,
      clock,
    });
    try {
      const timings: FrameTiming[] = [];
      line.pipeline({}, (t) => timings.push(t), 'enforced')(new Uint8Array(readFileSync(FRAME)));
      await waitFor('the frame decided', () => timings.length === 1, 20_000);
      const [row] = rows;
      expect(timings[0]!.failed).toBe(row!.failSafeReason !== null);
      return { decision: row!.decision, rejectScore: row!.rejectScore, failSafeReason: row!.failSafeReason };
    } finally {
      await line.close();
    }
  }

  it('in step with the camera, both judge the picture with the model and reach the same verdict', async () => {
    const inStep: LineClock = { now: () => Date.now() };
    const station = await stationVerdict(inStep);
    const bench = await benchVerdict(inStep);
    expect(station.failSafeReason).toBeNull();
    expect(bench).toEqual({ ...station, rejectScore: expect.closeTo(station.rejectScore!, 6) });
  });

  it('five seconds ahead of the camera, every frame is stale to both: rejected, unjudged, with the same reason', async () => {
    const ahead: LineClock = { now: () => Date.now() + 5000 };
    const stale = /^stale failed: frame is 50\d\d ms old \(over 2000 ms\): not judged$/;
    const station = await stationVerdict(ahead);
    const bench = await benchVerdict(ahead);
    expect(station).toMatchObject({ decision: 'pit', rejectScore: null, failSafeReason: expect.stringMatching(stale) });
    expect(bench).toMatchObject({ decision: 'pit', rejectScore: null, failSafeReason: expect.stringMatching(stale) });
  });
});
