/**
 * The station's budgets (issue 18), measured on the built headless station
 * (out/main/station.js, npm run build) as a process of its own:
 *
 *   startup.first_decision  launch to the first decision, demo config (goal ≤ 3 s)
 *   memory.rss              resident memory with resnet50-shaped loaded and the demo line running (goal < 500 MB),
 *                           and its growth over a soak (goal < 5 %): from the end of the first minute (or the
 *                           soak's first tenth, if shorter) to the end
 *
 * The process's RSS holds its worker threads (inference, log, query) too. Read from /proc: Linux only; elsewhere
 * the row says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shapedModelPackage } from '../../engine/bench/shaped-models';
import { round } from '../../engine/bench/stats';
import type { BenchResult } from '../bench/bench-report';
import type { Progress } from '../bench/bench';
import { sleep } from './bench-harness';

export const STARTUP_GOAL_MS = 3000;
export const RSS_GOAL_MB = 500;
export const RSS_GROWTH_GOAL = 0.05;
const READY = /LineSight station ready at (http:\/\/[^\s]+:\d+)/;

interface Launched {
  readonly child: ChildProcess;
  readonly url: string;
  readonly launchedAt: number;
  stop(): Promise<void>;
}

function launch(root: string, dataDir: string, config: object): Promise<Launched> {
  const file = join(dataDir, 'station.json');
  writeFileSync(file, JSON.stringify(config));
  const launchedAt = performance.now();
  const child = spawn(process.execPath, [join(root, 'out', 'main', 'station.js'), '--port', '0', '--data-dir', dataDir, '--config', file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGINT');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the station was not ready within 60 s: ${output.slice(-500)}`));
    }, 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const ready = READY.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, url: ready[1]!, launchedAt, stop });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the station exited before it was ready: ${output.slice(-500)}`));
    });
  });
}

async function classified(url: string): Promise<number> {
  const r = await fetch(`${url}/api/status`);
  if (!r.ok) return 0;
  return ((await r.json()) as { frames: { classified: number } }).frames.classified;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function builtStation(root: string): string | null {
  return existsSync(join(root, 'out', 'main', 'station.js')) ? null : 'the station is not built: npm run build first';
}

export async function benchStartup(root: string, runs: number, progress: Progress): Promise<BenchResult> {
  const missing = builtStation(root);
  if (missing) return { name: 'startup.first_decision', status: 'not run', error: missing };
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    progress(`startup.first_decision: launch ${i + 1} of ${runs} (demo config, a fresh data folder)`);
    const dataDir = mkdtempSync(join(tmpdir(), 'linesight-startup-'));
    let station: Launched | null = null;
    try {
      station = await launch(root, dataDir, { sensors: { sources: [] } });
      while ((await classified(station.url)) < 1) await sleep(25);
      times.push(performance.now() - station.launchedAt);
    } finally {
      await station?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)]!;
  return {
    name: 'startup.first_decision',
    model: 'demo-cherry',
    p50_ms: round(p50, 0),
    max_ms: round(sorted.at(-1)!, 0),
    samples: times.length,
    goal_ms: STARTUP_GOAL_MS,
    goal_met: p50 <= STARTUP_GOAL_MS,
  };
}

export async function benchMemory(root: string, soakS: number, progress: Progress): Promise<BenchResult> {
  const missing = builtStation(root) ?? (existsSync('/proc/self/status') ? null : 'resident memory is read from /proc: Linux only');
  if (missing) return { name: 'memory.rss', status: 'not run', error: missing };
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-memory-'));
  const modelDir = join(dataDir, 'resnet50-shaped');
  const pkg = shapedModelPackage('resnet50-shaped');
  mkdirSync(modelDir);
  writeFileSync(join(modelDir, 'model.onnx'), pkg.bytes);
  writeFileSync(join(modelDir, 'manifest.json'), JSON.stringify({ ...pkg.manifest, modelFile: 'model.onnx' }));
  let station: Launched | null = null;
  try {
    progress(`memory.rss: the station with resnet50-shaped and the demo line, a ${soakS} s soak`);
    station = await launch(root, dataDir, { sensors: { sources: [] }, model: { dir: modelDir }, source: { kind: 'replay', fps: 5, loop: true } });
    while ((await classified(station.url)) < 1) await sleep(50);
    const pid = station.child.pid!;
    const settleS = Math.min(60, Math.max(5, soakS / 10));
    await sleep(settleS * 1000);
    const start = rssMb(pid);
    let peak = start;
    const until = performance.now() + (soakS - settleS) * 1000;
    while (performance.now() < until) {
      await sleep(1000);
      peak = Math.max(peak, rssMb(pid));
    }
    const end = rssMb(pid);
    const decided = await classified(station.url);
    const growth = (end - start) / start;
    return {
      name: 'memory.rss',
      model: 'resnet50-shaped',
      rss_mb: round(end, 1),
      rss_after_settle_mb: round(start, 1),
      rss_peak_mb: round(peak, 1),
      growth: round(growth, 4),
      soak_s: soakS,
      frames: decided,
      goal_mb: RSS_GOAL_MB,
      growth_goal: RSS_GROWTH_GOAL,
      goal_met: peak < RSS_GOAL_MB && growth < RSS_GROWTH_GOAL,
    };
  } finally {
    await station?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
