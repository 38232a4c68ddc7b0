/**
 * The bench's figures for the rest of the station:
 *   sensor.pipeline  one sample through the rolling features and the sensor
 *                    model (its worker), against a bare session.run on the
 *                    same feature vector;
 *   source.overhead  what a frame source costs the station's process per frame
 *                    (CPU time ÷ frames), for replay, hot folder and MJPEG, the
 *                    camera stand-in running in a process of its own.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { HotFolderSourceSchema, MjpegSourceSchema } from '../../shared/source-config';
import { sessionOptions } from '../../engine/inference/session-factory';
import type { SessionSettings } from '../../engine/inference/session-settings';
import type { WorkerEntry } from '../../engine/rpc/worker-entry';
import type { TabularModelPackage } from '../../engine/model-package';
import { prepareModel } from '../../engine/model-prep/prepare-model';
import { FeatureExtractor } from '../../engine/sensors/features/feature-extractor';
import { MachineSignal } from '../../engine/sensors/simulation/machine-signal';
import type { FrameSource } from '../../engine/sources/frame-source';
import { HotFolderSource } from '../../engine/sources/hot-folder-source';
import { MjpegSource } from '../../engine/sources/mjpeg-source';
import { ReplaySource } from '../../engine/sources/replay-source';
import { TabularModel } from '../../engine/tabular/tabular-model';
import type { BenchResult } from './bench-report';
import { round, spreadOf } from '../../engine/bench/stats';

export async function benchSensorPipeline(pkg: TabularModelPackage, settings: SessionSettings, entry: WorkerEntry, samples: number): Promise<BenchResult> {
  const windowSamples = 256;
  const extractor = new FeatureExtractor(pkg.manifest.features, windowSamples, 200);
  const signal = new MachineSignal('bench', 200, { bearingWear: { startS: 2, rampS: 5 } });
  const push = (): void => {
    const s = signal.next();
    extractor.push({ vibration_g: s.vibration_g, temperature_c: s.temperature_c, humidity_pct: s.humidity_pct });
  };
  for (let i = 0; i < windowSamples; i++) push();
  // The rolling update alone (what every sample costs when the model is asked only every evaluateMs).
  const updates = 20_000;
  const tu = performance.now();
  for (let i = 0; i < updates; i++) push();
  const updateUs = ((performance.now() - tu) * 1000) / updates;
  const model = await TabularModel.load(pkg, { settings, entry, capacity: 1 });
  const times: number[] = [];
  let vector: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      push();
      const v = extractor.vector();
      if (!v.ok) throw new Error(v.reason);
      vector = [...v.values];
      await model.predict([vector]);
      times.push(performance.now() - t0);
    }
  } finally {
    await model.close();
  }
  // The floor: the same model, a bare session.run on the last feature vector, on this thread.
  const { bytes } = prepareModel({ file: pkg.modelPath, bytes: pkg.bytes, manifest: pkg.manifest, labels: pkg.labels });
  const session = await ort.InferenceSession.create(bytes, sessionOptions(settings, 'cpu', false));
  const feeds = { [pkg.manifest.input.name]: new ort.Tensor('float32', Float32Array.from(vector), [1, vector.length]) };
  const raw: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await session.run(feeds, [pkg.manifest.output.name]);
    raw.push(performance.now() - t0);
  }
  await session.release();
  const s = spreadOf(times);
  const r = spreadOf(raw);
  return {
    name: 'sensor.pipeline',
    model: pkg.manifest.name,
    provider: 'cpu',
    batch: 1,
    threads: settings.intraOpThreads,
    us_per_sample: round(s.p50 * 1000, 1),
    p50_ms: round(s.p50),
    p95_ms: round(s.p95),
    p99_ms: round(s.p99),
    raw_us_per_sample: round(r.p50 * 1000, 1),
    feature_update_us: round(updateUs, 2),
    ratio_vs_raw: round(s.p50 / r.p50),
    spread: round(s.spread),
    frames: samples,
  };
}

/** CPU time of this process over `ms` with nothing running: what the source's figure is net of. */
async function idleCpu(ms: number): Promise<number> {
  const before = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/** CPU time of this process per frame delivered while the source runs for `ms`, net of the idle process. */
async function cpuPerFrame(source: FrameSource, ms: number): Promise<{ usPerFrame: number; frames: number }> {
  const idle = await idleCpu(ms);
  let frames = 0;
  source.start(() => frames++);
  // Let it connect and settle before measuring.
  await new Promise((r) => setTimeout(r, 500));
  const before = process.cpuUsage();
  const startFrames = frames;
  await new Promise((r) => setTimeout(r, ms));
  const used = process.cpuUsage(before);
  const delivered = frames - startFrames;
  await source.stop();
  return { usPerFrame: delivered === 0 ? Number.NaN : Math.max(0, used.user + used.system - idle) / delivered, frames: delivered };
}

function feeder(args: readonly string[]): Promise<{ line: string; stop: () => void }> {
  const child = fork(join(import.meta.dirname, 'frame-feeder.ts'), [...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ line: d.toString().trim(), stop: () => child.kill() }));
    child.once('exit', (code) => reject(new Error(`frame feeder exited (${code})`)));
  });
}

export async function benchSourceOverhead(framesDir: string, fps: number, ms: number): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const result = (kind: string, m: { usPerFrame: number; frames: number }): BenchResult => ({
    name: 'source.overhead',
    source: kind,
    fps,
    us_per_frame: round(m.usPerFrame, 1),
    frames: m.frames,
  });

  out.push(result('replay', await cpuPerFrame(await ReplaySource.open({ dir: framesDir, fps, loop: true }), ms)));

  const dir = mkdtempSync(join(tmpdir(), 'linesight-bench-hot-'));
  const writer = await feeder(['hot-folder', framesDir, String(fps), dir]);
  try {
    const source = new HotFolderSource({
      ...HotFolderSourceSchema.parse({ kind: 'hot-folder', dir, afterRead: 'delete', settleMs: 50 }),
      processedDir: join(dir, 'processed'),
    });
    out.push(result('hot-folder', await cpuPerFrame(source, ms)));
  } finally {
    writer.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const camera = await feeder(['mjpeg', framesDir, String(fps)]);
  try {
    out.push(result('mjpeg', await cpuPerFrame(new MjpegSource(MjpegSourceSchema.parse({ kind: 'mjpeg', url: camera.line })), ms)));
  } finally {
    camera.stop();
  }
  return out;
}
