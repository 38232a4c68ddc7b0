/**
 * The benchmark's machinery, not its figures (figures belong to `npm run
 * bench`, never to a test): the generated models have the shapes they claim,
 * and a quick run writes every result the later issues build on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { BenchPlanSchema, unsupportedPercentiles } from '../../src/shared/bench';
import { formatTable, runBench, scenarioResult, type BenchReport } from '../../src/tools/bench/bench';
import { modelResolver } from '../../src/engine/bench/scenarios/model-refs';
import { runPlan } from '../../src/engine/bench/scenarios/plan-runner';
import { shapedModelPackage } from '../../src/engine/bench/shaped-models';
import { benchSensorPipeline, benchSourceOverhead } from '../../src/tools/bench/sensor-and-source-bench';
import { OFFLINE_SESSION } from '../../src/engine/evaluation/score-images';
import { isTabularPackage, loadModelPackage } from '../../src/engine/model-package';
import { sourceWorkerEntries, sourceWorkerEntry } from '../../src/engine/rpc/worker-entry';
import { benchStationClients, HEADROOM } from '../../src/tools/station-load/clients-bench';
import { parseOnnx } from '../../src/engine/onnx/onnx-inspect';
import { DEMO_FRAMES_DIR, LAYOUT, ROOT } from '../helpers/paths';

function parameters(bytes: Uint8Array): number {
  return (parseOnnx(bytes).graph!.initializer ?? []).reduce((n, t) => n + (t.dims ?? []).reduce((a: number, d) => a * Number(d), 1), 0);
}

describe('shaped benchmark models', () => {
  it('have the parameter counts of the networks they stand for (2-class head)', () => {
    // ResNet-18 11.2 M and ResNet-50 23.5 M without their 1000-class head; MobileNetV2 2.2 M.
    expect(parameters(shapedModelPackage('resnet18-shaped').bytes) / 1e6).toBeCloseTo(11.2, 0);
    expect(parameters(shapedModelPackage('resnet50-shaped').bytes) / 1e6).toBeCloseTo(23.5, 0);
    expect(parameters(shapedModelPackage('mobilenet-shaped').bytes) / 1e6).toBeCloseTo(2.2, 0);
  });

  it('are deterministic and give finite probabilities at 224×224', async () => {
    const a = shapedModelPackage('mobilenet-shaped');
    expect(shapedModelPackage('mobilenet-shaped').manifest.sha256).toBe(a.manifest.sha256);
    const session = await ort.InferenceSession.create(a.bytes);
    const out = await session.run({ image: new ort.Tensor('float32', new Float32Array(2 * 3 * 224 * 224).fill(0.5), [2, 3, 224, 224]) });
    await session.release();
    const p = out['probabilities']!.data as Float32Array;
    expect(p.length).toBe(4);
    for (const v of p) expect(Number.isFinite(v)).toBe(true);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 5);
  });
});

describe('sensor and source figures', () => {
  it('measure features + sensor model per sample against the bare runtime, and what each frame source costs per frame', async () => {
    const pkg = await loadModelPackage(join(ROOT, 'models', 'demo-sensor'));
    if (!isTabularPackage(pkg)) throw new Error('tabular model expected');
    const sensor = await benchSensorPipeline(pkg, OFFLINE_SESSION, sourceWorkerEntry(), 50);
    expect(sensor).toMatchObject({ name: 'sensor.pipeline', model: 'demo-sensor', frames: 50 });
    for (const field of ['us_per_sample', 'raw_us_per_sample', 'feature_update_us', 'ratio_vs_raw'] as const) expect(sensor[field]).toBeGreaterThan(0);
    const sources = await benchSourceOverhead(DEMO_FRAMES_DIR, 50, 600);
    expect(sources.map((r) => r['source'])).toEqual(['replay', 'hot-folder', 'mjpeg']);
    for (const r of sources) {
      expect(r.name).toBe('source.overhead');
      expect(r.frames).toBeGreaterThan(10);
      expect(Number.isFinite(r['us_per_frame'])).toBe(true);
    }
  });
});

describe('runBench (quick)', () => {
  it('measures the bare runtime and the engine in the same run and reports every figure as a ratio', async () => {
    const frames = ['00000.jpg', '00001.jpg', '00002.jpg'].map((f) => readFileSync(join(DEMO_FRAMES_DIR, f)));
    const progress: string[] = [];
    const report: BenchReport = await runBench(
      { models: ['mobilenet-shaped'], threads: 1, throughputBatch: 4, entry: sourceWorkerEntry(), quick: true },
      frames,
      (m) => progress.push(m),
    );
    expect(progress.some((m) => /\[2\/2\] mobilenet-shaped: bare runtime and engine, batch 4/.test(m))).toBe(true);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.onnxruntime).toMatch(/^1\./);
    expect(report.results.map((r) => r.name)).toEqual(['raw.latency', 'engine.latency', 'raw.throughput', 'engine.throughput']);
    for (const r of report.results) {
      expect(r).toMatchObject({ model: 'mobilenet-shaped', provider: 'cpu', threads: 1 });
      for (const field of ['per_frame_ms', 'p50_ms', 'p95_ms', 'p99_ms', 'fps'] as const) expect(r[field]).toBeGreaterThan(0);
    }
    for (const r of report.results.filter((x) => x.name.startsWith('engine.'))) {
      expect(r.ratio_vs_raw).toBeGreaterThan(0);
      expect(r.loop_delay_p99_ms).toBeGreaterThanOrEqual(0);
      expect(r.failed).toBe(0);
    }
    expect(report.results.find((r) => r.name === 'engine.throughput')!.batch).toBe(4);
    for (const r of report.results) {
      expect(r.samples).toBeGreaterThan(0);
      // The percentiles a quick run's few samples cannot support are named, and marked in the table.
      expect(r.unsupported_percentiles ?? []).toEqual(unsupportedPercentiles(r.samples!).map((p) => `p${p}`));
    }
    expect(report.results.find((r) => r.name === 'engine.latency')!.ratio_basis).toBe('decoded beforehand');
    const [models, notes] = formatTable(report.results).split('\n\n');
    expect(models!.split('\n')).toHaveLength(2 + 4);
    expect(models).toMatch(/engine\.latency/);
    expect(notes).toMatch(/^× raw on engine\.\* rows: × bare runtime, decoded beforehand — /);
    const thin = report.results.find((r) => r.unsupported_percentiles?.includes('p99'));
    if (thin) {
      expect(models).toContain(`${thin.p99_ms!.toFixed(2)}*`);
      expect(notes).toMatch(/\* too few samples for that percentile .*: p99 from \d+ frames/);
    }
  });
});

describe('formatTable', () => {
  it("marks percentiles the samples cannot support and says what each row's × raw compares", () => {
    const table = formatTable([
      { name: 'engine.latency', model: 'mobilenet-shaped', batch: 1, threads: 1, p50_ms: 2, p95_ms: 3, p99_ms: 4, ratio_vs_raw: 1.02, samples: 2000 },
      {
        name: 'scenario.line_rate',
        model: 'demo-cherry',
        batch: 1,
        threads: 1,
        p50_ms: 8,
        p95_ms: 11,
        p99_ms: 12,
        ratio_vs_raw: 9.5,
        samples: 16,
        unsupported_percentiles: ['p99', 'p95', 'p90', 'p50'],
      },
    ]);
    const [models, notes] = table.split('\n\n');
    const [, , engine, line] = models!.split('\n');
    expect(engine).not.toContain('*');
    expect(line).toMatch(/8\.00\*\s+11\.00\*\s+12\.00\*/);
    expect(notes!.split('\n')).toEqual([
      expect.stringMatching(
        /^× raw on engine\.\* rows: × bare runtime, decoded beforehand — engine time per frame ÷ bare onnxruntime-node session\.run per frame/,
      ),
      expect.stringMatching(/^× raw on scenario\.\* rows: × bare runtime, decode included — the benchmark panel's figure/),
      "* too few samples for that percentile (it needs 10 beyond it: p99 ≥ 1,000, p95 ≥ 200, p50 ≥ 20; MLPerf's single stream asks ≥ 1,024): " +
        'p99 from 16 frames is in effect the slowest frame; a p99 needs ≥ 1,000 frames (p95 200, p90 100, p50 20).',
    ]);
  });
});

describe('station.clients (quick)', () => {
  it('runs the demo at full speed and measures it alone and with live-page clients in another process', async () => {
    const progress: string[] = [];
    const r = await benchStationClients({
      app: LAYOUT,
      workers: sourceWorkerEntries(),
      clients: 2,
      rounds: 1,
      windowMs: 1000,
      searchSteps: 1,
      progress: (m) => progress.push(m),
    });
    expect(r).toMatchObject({ name: 'station.clients', model: 'demo-cherry', clients: 2 });
    expect(r['line_rate_fps']).toBe(Math.round((r['highest_rate_fps'] as number) * HEADROOM));
    for (const field of ['fps_alone', 'fps_with_clients', 'requests_per_s', 'images_per_s', 'events_per_s', 'client_process_cores'] as const) {
      expect(r[field]).toBeGreaterThan(0);
    }
    expect(typeof r['fps_drop_pct']).toBe('number');
    expect(progress.some((m) => /round 1\/1: .* frames\/s alone, .* with 2 clients/.test(m))).toBe(true);
    expect(formatTable([r])).toMatch(/station\.clients/);
  });
});

describe('scenario results (quick)', () => {
  it("runs the panel's plan runner on the demo model and reports single stream and offline as CLI results, each with its ratio", async () => {
    const frames = ['00000.jpg', '00001.jpg', '00002.jpg', '00003.jpg'].map((f) => new Uint8Array(readFileSync(join(DEMO_FRAMES_DIR, f))));
    const workers = sourceWorkerEntries();
    const plan = BenchPlanSchema.parse({ models: ['bundled:demo-cherry'], scenarios: ['single_stream', 'offline'], batches: [4], budget: 'quick' });
    const { state, outcomes } = await runPlan(
      plan,
      {
        resolveModel: modelResolver({ bundledDir: join(ROOT, 'models') }),
        frames,
        inferenceEntry: workers.inference,
        logEntry: workers.log,
        baseSettings: OFFLINE_SESSION,
        lineRateFps: 10,
        deadlineMs: 1000,
        staleMs: 2000,
      },
      { progress: () => {}, outcome: () => {}, cancelled: () => false },
    );
    expect(state).toBe('done');
    const results = outcomes.map(scenarioResult);
    expect(results.map((r) => [r.name, r.model, r.batch])).toEqual([
      ['scenario.single_stream', 'demo-cherry', 1],
      ['scenario.offline', 'demo-cherry', 4],
    ]);
    for (const r of results) {
      for (const field of ['per_frame_ms', 'p50_ms', 'p99_ms', 'fps', 'ratio_vs_raw', 'raw_per_frame_ms'] as const) expect(r[field]).toBeGreaterThan(0);
      expect(r.failed).toBe(0);
      expect(r).toMatchObject({ ratio_basis: 'decode included', samples: r.frames });
      expect(r['stages_ms']).toHaveProperty('queue');
    }
    const table = formatTable(results);
    expect(table).toMatch(/demo-cherry\s+scenario\.offline\s+4/);
    expect(table).toMatch(/\n× raw on scenario\.\* rows: × bare runtime, decode included — /);
    expect(table).not.toMatch(/engine\.\* rows/);
  });
});
