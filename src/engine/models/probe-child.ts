/**
 * The load probe: a child process of the station (not a thread of it) that
 * does what the station's first load of a model would do (prepare, create the
 * session with the requested settings, a warm-up run proving the output) and
 * then what the line will do with it (runs at the line's batch on inputs at
 * the extremes of what preprocessing gives: probe-inputs.ts), under a memory
 * cap, and sends back the prepared bytes and the load info. A model that
 * needs more memory than the cap, crashes ONNX Runtime or hangs ends this
 * process, never the station (issue 11, item 5). Built by electron-vite as
 * out/main/model-probe.js; run from source through tsx (worker-entry.ts).
 */
import { createHash } from 'node:crypto';
import { constants, setPriority } from 'node:os';
import { openWarmSession, runChecked, type WarmSession } from '../inference/warm-session';
import { startMemoryWatchdog } from './memory-watchdog';
import { ModelCheckError } from '../model-prep/prepare-model';
import { probeInputs } from './probe-inputs';
import { MEMORY_FLAG, type FromProbe, type ProbeJob, type ProbeRequest } from './probe-protocol';
import { messageOf } from '../error-message';


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

/**
 * The line's batch on each probe input, one after another in one buffer. A run that fails says on which
 * input and batch (ONNX Runtime's words kept: the station reads "Failed to allocate memory" as over the cap).
 */
async function runAsTheLineWill(warm: WarmSession, job: ProbeJob): Promise<void> {
  const plan = probeInputs(job.manifest, job.batch);
  const data = new Float32Array(plan.size);
  for (const input of plan.inputs) {
    // Zeros at batch 1 was the warm-up run.
    if (job.batch === 1 && input.name === 'zeros') continue;
    input.fill(data);
    try {
      await runChecked(warm.session, job, data, plan.dims);
    } catch (err) {
      const said = err instanceof ModelCheckError ? err.problems.join('; ') : messageOf(err);
      throw new ModelCheckError(job.modelFile, [`at batch ${job.batch} on ${input.name}: ${said}`]);
    }
  }
}

async function probe(request: ProbeRequest): Promise<void> {
  try {
    // One warm-up run proves the output; the line's worker warms itself up.
    const warm = await openWarmSession({ ...request, settings: { ...request.settings, warmupRuns: 1 } });
    try {
      await runAsTheLineWill(warm, request);
    } finally {
      await warm.session.release();
    }
    const preparedSha256 = createHash('sha256').update(warm.prepared).digest('hex');
    reply({
      type: 'loaded',
      info: warm.info,
      prepared: warm.repaired ? warm.prepared : null,
      preparedSha256,
      peakMiB: process.resourceUsage().maxRSS / 1024,
    });
  } catch (err) {
    reply({ type: 'load-failed', message: messageOf(err), problems: err instanceof ModelCheckError ? err.problems : [messageOf(err)] });
  }
}

process.once('message', (request: ProbeRequest) => void probe(request));
// The station went away: nothing to report to.
process.once('disconnect', () => process.exit(0));
