/**
 * Teaching in a thread of its own (issue 15): feature extraction blocks the
 * thread it runs on (onnxruntime-node's run, the fit's loops), and must
 * never hold up the line. The thread lowers its own priority first — on
 * Linux a nice value is a thread's own, and the inference threads
 * onnxruntime starts from here inherit it — so the line's threads win
 * every contended core; sharp's decodes share libuv's pool with the line.
 */
import { serveWorker } from '../rpc/serve-worker';
import { lowerThreadPriority } from '../rpc/thread-priority';
import { loadBackbonePackage } from './backbone-package';
import { readLabelledFolder } from '../labelled/labelled-folder';
import { MAX_PICTURE_BYTES } from '../labelled/read-pictures';
import type { TeachProtocol } from './teach-protocol';
import { teachModel } from './teach-model';
import { transferring } from '../rpc/rpc-protocol';

let abort = new AbortController();

// Not serial: a cancel must reach the thread while a teach call is running.
const voice = serveWorker<TeachProtocol>('teach-worker', {
  open: () => null,
  calls: {
    teach: async (job) => {
      abort = new AbortController();
      const flag = job.cancelFlag ? new Int32Array(job.cancelFlag) : null;
      const checkFlag = (): void => {
        if (flag && Atomics.load(flag, 0) === 1) abort.abort();
      };
      const priority = lowerThreadPriority();
      const set = await readLabelledFolder(job.dataDir, job.heldOutShare);
      voice.note({ phase: 'reading', done: set.pictures.length, total: set.pictures.length });
      const backbone = await loadBackbonePackage(job.backbone);
      const taught = await teachModel(set, backbone, {
        rejectLabel: job.rejectLabel,
        heldOutShare: job.heldOutShare,
        name: job.name,
        version: job.version,
        ...(job.steps !== undefined ? { steps: job.steps } : {}),
        ...(job.l2 !== undefined ? { l2: job.l2 } : {}),
        onProgress: (phase, done, total) => {
          checkFlag();
          voice.note({ phase, done, total });
        },
        signal: abort.signal,
        cancelled: () => flag !== null && Atomics.load(flag, 0) === 1,
        limits: { ...(job.roots ? { roots: job.roots } : {}), maxBytes: MAX_PICTURE_BYTES },
      });
      // A copy of its own to move: the encoder's bytes may share a buffer with others.
      const modelBytes = taught.modelBytes.slice();
      const result = {
        taught: { ...taught, modelBytes },
        counts: set.counts,
        heldOutPictures: set.pictures.filter((p) => p.heldOut).map((p) => ({ name: p.name, path: p.path, label: p.label })),
        labels: set.labels,
        fingerprint: set.fingerprint,
        priority,
      };
      return transferring(result, [modelBytes.buffer]);
    },
  },
  tells: {
    cancel: () => abort.abort(),
  },
});
