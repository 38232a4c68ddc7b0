/**
 * A benchmark run in a thread of its own: the bare runtime's floor runs
 * onnxruntime-node on the calling thread, which blocks it, and the run's
 * pipeline would compete with the station's; here neither holds up the
 * thread that serves the UI, which keeps showing progress and can cancel.
 */
import { parentPort } from 'node:worker_threads';
import type { BenchModelRef } from '../../../../shared/bench';
import type { ImageModelPackage } from '../../model-package';
import type { FromBenchWorker, ToBenchWorker } from './bench-protocol';
import { modelResolver } from './model-refs';
import { runPlan } from './plan-runner';

if (!parentPort) throw new Error('bench-worker must run as a worker thread');
const port = parentPort;
const send = (m: FromBenchWorker): void => port.postMessage(m);
let cancelled = false;

port.on('message', (m: ToBenchWorker) => {
  if (m.type === 'cancel') {
    cancelled = true;
    return;
  }
  const given = new Map<BenchModelRef, ImageModelPackage | { readonly error: string }>(m.packages);
  const resolveOther = modelResolver({ bundledDir: m.bundledDir });
  const resolveModel = async (ref: BenchModelRef): Promise<ImageModelPackage> => {
    const pkg = given.get(ref);
    if (pkg && 'error' in pkg) throw new Error(pkg.error);
    return pkg ?? resolveOther(ref);
  };
  runPlan(
    m.plan,
    {
      resolveModel,
      frames: m.frames,
      inferenceEntry: m.inferenceEntry,
      logEntry: m.logEntry,
      baseSettings: m.baseSettings,
      lineRateFps: m.lineRateFps,
      deadlineMs: m.deadlineMs,
      staleMs: m.staleMs,
      refused: new Map(m.refused),
    },
    { progress: (progress) => send({ type: 'progress', progress }), outcome: (outcome) => send({ type: 'outcome', outcome }), cancelled: () => cancelled },
  ).then(
    ({ state }) => {
      send({ type: 'finished', state });
      port.close();
    },
    (err: unknown) => {
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      port.close();
    },
  );
});
