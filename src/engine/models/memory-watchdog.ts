/**
 * The load probe's own memory watchdog: a thread of the probe process that
 * reads the process's resident memory every few milliseconds and kills the
 * whole process past the cap. It runs while ONNX Runtime blocks the probe's
 * main thread (creating a session, a warm-up run), and it counts native
 * allocations (ONNX Runtime's arena), not only the V8 heap. It is the cap
 * that holds on every platform; on Linux the parent also sets a data-size
 * limit (ulimit -d) and reads /proc (probe-spawn.ts).
 *
 * The thread's code is inline (eval) so that the probe needs no second
 * built file.
 */
import { Worker } from 'node:worker_threads';
import { OVER_CAP_MARKER } from './probe-protocol';

const POLL_MS = 10;

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss <= workerData.capBytes) return;
  // Rounded up: past the cap by a fraction of a MiB still reads as more than the cap.
  try { writeSync(2, '\\n' + workerData.marker + ' (' + Math.ceil(rss / 1048576) + ' MiB)\\n'); } catch {}
  // SIGKILL ends the whole process (on Windows too: it is TerminateProcess); process.exit() here would end only this thread.
  process.kill(process.pid, 'SIGKILL');
}, workerData.pollMs);
`;

/** Starts the watchdog thread; it does not keep the process alive by itself. */
export function startMemoryWatchdog(capMiB: number): Worker {
  const worker = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: { capBytes: capMiB * 1024 * 1024, marker: OVER_CAP_MARKER, pollMs: POLL_MS },
    // Plain JavaScript: not the probe's own flags (run from source, they would load tsx's hook into this thread too).
    execArgv: [],
    // The thread needs almost nothing: keep its own heap small so that it does not count against the cap.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
  });
  worker.unref();
  return worker;
}
