/**
 * Making an INT8 variant in a thread of its own (issue 18): measuring the
 * activation ranges runs the model on every calibration frame and keeps a
 * histogram of every activation in JavaScript — seconds to minutes of CPU
 * that must never delay the line, so it runs here, at the lowest priority
 * (rpc/thread-priority.ts), with one onnxruntime thread. The pictures are
 * read here too: regular files only, capped, and inside the import folders.
 */
import { join } from 'node:path';
import { readPictures, MAX_PICTURE_BYTES } from '../labelled/read-pictures';
import { imageFormatOf } from '../preprocess/image-format';
import { pickEvenly, picturesUnder } from '../quantize/calibration-frames';
import { quantizeModel } from '../quantize/quantize-model';
import { transferring } from '../rpc/rpc-protocol';
import { serveWorker } from '../rpc/serve-worker';
import { lowerThreadPriority } from '../rpc/thread-priority';
import type { QuantizeJob, QuantizeProtocol } from './quantize-protocol';

/** Pictures read at once: enough to keep the disk busy, few enough that a cancel is heard soon. */
const READ_CHUNK = 16;

let cancelled = false;

class Cancelled extends Error {
  override readonly name = 'QuantizeCancelled';
}

async function readFrames(job: QuantizeJob, stopHere: () => void): Promise<{ frames: Uint8Array[]; passedOver: number }> {
  const names = await picturesUnder(job.folder);
  if (names.length === 0) throw new Error(`there are no pictures under ${job.folder}: give a folder of pictures of the line (good and defective)`);
  const picked = pickEvenly(names, job.maxFrames);
  const frames: Uint8Array[] = [];
  let passedOver = 0;
  let bytes = 0;
  for (let start = 0; start < picked.length; start += READ_CHUNK) {
    stopHere();
    const chunk = picked.slice(start, start + READ_CHUNK).map((n) => join(job.folder, n));
    for (const got of await readPictures(chunk, { ...(job.roots ? { roots: job.roots } : {}), maxBytes: MAX_PICTURE_BYTES })) {
      if (got instanceof Error || imageFormatOf(got) === null) {
        passedOver++;
        continue;
      }
      bytes += got.length;
      if (bytes > job.maxTotalBytes) {
        const mib = (job.maxTotalBytes / 1024 / 1024).toFixed(0);
        throw new Error(
          `the ${picked.length} pictures picked come to more than the ${mib} MiB measured at once (after ${frames.length}): ask for at most ${frames.length} frames`,
        );
      }
      frames.push(got);
    }
    voice.note({ stage: 'reading', done: Math.min(start + READ_CHUNK, picked.length), total: picked.length });
  }
  if (frames.length === 0) throw new Error(`none of the ${picked.length} pictures picked under ${job.folder} could be read as a picture`);
  return { frames, passedOver };
}

// Not serial: a cancel must reach the thread while a quantise call is running.
const voice = serveWorker<QuantizeProtocol>('quantize-worker', {
  open: () => null,
  calls: {
    quantize: async (job) => {
      cancelled = false;
      const flag = job.cancelFlag ? new Int32Array(job.cancelFlag) : null;
      const stopHere = (): void => {
        if (cancelled || (flag && Atomics.load(flag, 0) === 1)) throw new Cancelled('quantising was cancelled');
      };
      const priority = lowerThreadPriority();
      const { frames, passedOver } = await readFrames(job, stopHere);
      const q = await quantizeModel(job.pkg, frames, {
        method: job.method,
        // One onnxruntime thread: the line's workers keep the other cores.
        threads: 1,
        onProgress: (done, total) => {
          // Thrown from between two batches: the quantiser releases its session and stops.
          stopHere();
          voice.note({ stage: 'measuring', done, total });
        },
      });
      stopHere();
      // A copy of its own to move: the encoder's bytes may share a buffer with others.
      const bytes = q.bytes.slice();
      return transferring({ bytes, sha256: q.sha256, manifest: q.manifest, report: q.report, passedOver, priority }, [bytes.buffer]);
    },
  },
  tells: {
    cancel: () => {
      cancelled = true;
    },
  },
});
