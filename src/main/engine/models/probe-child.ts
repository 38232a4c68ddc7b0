/**
 * The load probe: a child process of the station (not a thread of it) that
 * does what the station's first load of a model would do (prepare, create the
 * session with the requested settings, warm-up runs proving the output) under
 * a memory cap, and sends back the prepared bytes and the load info. A model
 * that needs more memory than the cap, crashes ONNX Runtime or hangs ends this
 * process, never the station (issue 11, item 5). Built by electron-vite as
 * out/main/model-probe.js; run from source through tsx (worker-entry.ts).
 */
import { constants, setPriority } from 'node:os';
import { openWarmSession } from '../inference/warm-session';
import { startMemoryWatchdog } from './memory-watchdog';
import { ModelCheckError } from './prepare-model';
import { MEMORY_FLAG, type FromProbe, type ProbeRequest } from './probe-protocol';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

const capArg = process.argv.find((a) => a.startsWith(MEMORY_FLAG));
const capMiB = capArg ? Number(capArg.slice(MEMORY_FLAG.length)) : NaN;
const send = process.send?.bind(process);
if (!send || !Number.isFinite(capMiB) || capMiB <= 0) {
  process.stderr.write(`model probe: run it from the station (an IPC channel and ${MEMORY_FLAG}N are needed)\n`);
  process.exit(2);
}
startMemoryWatchdog(capMiB);
try {
  // Below normal: a probe beside a running line leaves the cores to the line. ONNX Runtime's threads,
  // created later, inherit it (on Linux the nice value is per thread).
  setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // not allowed here: the probe runs at normal priority
}

function reply(message: FromProbe): void {
  // Exit once the answer is written: the channel would otherwise keep the process waiting for more.
  send!(message, undefined, undefined, () => process.exit(0));
}

async function probe(request: ProbeRequest): Promise<void> {
  try {
    const warm = await openWarmSession(request);
    await warm.session.release();
    reply({ type: 'loaded', info: warm.info, prepared: warm.prepared, peakMiB: process.resourceUsage().maxRSS / 1024 });
  } catch (err) {
    reply({ type: 'load-failed', message: messageOf(err), problems: err instanceof ModelCheckError ? err.problems : [messageOf(err)] });
  }
}

process.once('message', (request: ProbeRequest) => void probe(request));
// The station went away: nothing to report to.
process.once('disconnect', () => process.exit(0));
