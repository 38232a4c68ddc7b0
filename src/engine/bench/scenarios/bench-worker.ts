/**
 * A benchmark run in a thread of its own: the bare runtime's floor runs
 * onnxruntime-node on the calling thread, which blocks it, and the run's
 * line would compete with the station's; here neither holds up the thread
 * that serves the UI, which keeps showing progress and can cancel.
 */
import type { BenchModelRef } from '../../../shared/bench';
import type { ImageModelPackage } from '../../model-package';
import { serveWorker } from '../../rpc/serve-worker';
import type { BenchProtocol } from './bench-protocol';
import { modelResolver } from './model-refs';
import { runPlan } from './plan-runner';

let cancelled = false;

const voice = serveWorker<BenchProtocol>('bench-worker', {
  open: () => null,
  calls: {
    run: async (m) => {
      const given = new Map<BenchModelRef, ImageModelPackage | { readonly error: string }>(m.packages);
      const resolveOther = modelResolver({ bundledDir: m.bundledDir });
      const resolveModel = async (ref: BenchModelRef): Promise<ImageModelPackage> => {
        const pkg = given.get(ref);
        if (pkg && 'error' in pkg) throw new Error(pkg.error);
        return pkg ?? resolveOther(ref);
      };
      const { state } = await runPlan(
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
        {
          progress: (progress) => voice.note({ type: 'progress', progress }),
          outcome: (outcome) => voice.note({ type: 'outcome', outcome }),
          cancelled: () => cancelled,
        },
      );
      return { state };
    },
  },
  tells: {
    cancel: () => {
      cancelled = true;
    },
  },
});
