/**
 * Does the line keep its rate while a model is taught on the station (issue 15)?
 * The real engine on the demo (replayed at --fps, 10 by default), measured for
 * --seconds alone, then while the Teach service teaches on a labelled folder
 * (the castings by default) to the end: frames per second, frames dropped,
 * the line's p99 latency and the event loop's p99, before and during, and how
 * long teaching took. Prints one JSON line at the end.
 *
 * Run: npx tsx src/tools/station-load/teach-beside-line.ts [--data DIR] [--fps N] [--seconds S]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StationConfigSchema } from '../../shared/config';
import type { StationStatus } from '../../shared/status';
import { appLayout } from '../../engine/app-layout';
import { resolvePaths } from '../../engine/config-loader';
import { silentLogger } from '../../engine/logger';
import { sourceWorkerEntries } from '../../engine/rpc/worker-entry';
import { StationEngine } from '../../engine/station-engine';
import { sleep } from './bench-harness';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const { values } = parseArgs({ options: { data: { type: 'string' }, fps: { type: 'string' }, seconds: { type: 'string' } } });
const data = resolve(values.data ?? join(ROOT, '..', 'shared', 'data', 'images', 'casting', 'train'));
const fps = Number(values.fps ?? 10);
const seconds = Number(values.seconds ?? 20);

interface Window {
  readonly fps: number;
  readonly dropped: number;
  readonly failSafe: number;
  readonly p99Ms: number;
  readonly loopP99Ms: number;
}

function windowOf(from: StationStatus, to: StationStatus, ms: number, loopP99: number[]): Window {
  return {
    fps: ((to.frames.classified - from.frames.classified) * 1000) / ms,
    dropped: to.frames.dropped - from.frames.dropped,
    failSafe: to.frames.errors - from.frames.errors,
    p99Ms: to.latencyMs.total.p99,
    loopP99Ms: Math.max(...loopP99),
  };
}

async function main(): Promise<void> {
  const app = appLayout(ROOT);
  const dataDir = mkdtempSync(join(tmpdir(), 'linesight-teach-beside-'));
  const config = resolvePaths(
    StationConfigSchema.parse({ source: { kind: 'replay', fps, loop: true }, inference: { providers: ['cpu'] }, model: { importRoots: [dirname(data)] } }),
    process.cwd(),
    app,
  );
  const engine = await StationEngine.start({
    config,
    modelDir: app.defaultModelDir,
    databasePath: join(dataDir, 'linesight.sqlite'),
    dataDir,
    logger: silentLogger,
    workers: sourceWorkerEntries(),
    app,
  });
  try {
    await sleep(3000); // warm
    const loop: number[] = [];
    let t0 = performance.now();
    let s0 = engine.getStatus();
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      loop.push(engine.getStatus().loopDelayP99Ms);
    }
    const alone = windowOf(s0, engine.getStatus(), performance.now() - t0, loop);
    process.stderr.write(`alone: ${JSON.stringify(alone)}\n`);

    loop.length = 0;
    t0 = performance.now();
    s0 = engine.getStatus();
    await engine.teaching.start(
      {
        data,
        rejectLabel: 'def_front',
        name: 'beside-the-line',
        calibration: { target: 0.95, confidence: 0.95, maxFalseReject: 0.02, recallOn: 'reject-or-divert' },
      },
      'teach-beside-line',
    );
    for (;;) {
      await sleep(1000);
      loop.push(engine.getStatus().loopDelayP99Ms);
      const run = engine.teaching.latest()!;
      if (run.progress) process.stderr.write(`\r${run.progress.message}    `);
      if (run.state !== 'running') {
        if (run.state !== 'done') throw new Error(`teaching ${run.state}: ${run.error}`);
        break;
      }
    }
    const teachMs = performance.now() - t0;
    const during = windowOf(s0, engine.getStatus(), teachMs, loop);
    process.stderr.write(`\nduring: ${JSON.stringify(during)}\n`);
    const run = engine.teaching.latest()!;
    process.stdout.write(
      `${JSON.stringify({ fps_asked: fps, alone, during, teach_seconds: teachMs / 1000, pictures: run.counts.reduce((s, c) => s + c.total, 0), held_out_accuracy: run.heldOut?.accuracy })}\n`,
    );
  } finally {
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
