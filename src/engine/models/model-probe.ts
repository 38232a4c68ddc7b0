/**
 * Loads a model once in a child process under a memory cap and a time limit
 * (the load probe), before anything loads it into the station's own process.
 * A model that needs more than the cap, kills ONNX Runtime or never finishes
 * loading is refused with a sentence a technician can act on; the station,
 * its line and its active model are untouched (issue 11, item 5). A model
 * that fails an ordinary check is refused as the trial load always did
 * (ModelLoadError with its problems).
 */
import type { ChildProcess } from 'node:child_process';
import { ModelLoadError } from '../inference/inference-client';
import type { LoadedInfo } from '../inference/protocol';
import type { WorkerEntry } from '../rpc/worker-entry';
import { ModelProblemsError } from '../model-prep/model-problems';
import { OVER_CAP_MARKER, type FromProbe, type ProbeJob, type ProbeRequest } from './probe-protocol';
import { residentMiB, spawnProbe } from './probe-spawn';

export interface ProbeLimits {
  /** model.loadMemoryMiB */
  readonly memoryMiB: number;
  /** model.loadTimeoutS, in ms */
  readonly timeoutMs: number;
}

export interface ProbeOutcome {
  readonly info: LoadedInfo;
  /** What ONNX Runtime loaded: the file's bytes themselves when nothing needed repairing. */
  readonly prepared: Uint8Array;
  /** Its sha256, hashed by the probe. */
  readonly preparedSha256: string;
  readonly peakMiB: number;
  /** From spawn to answer: what the probe added to the load. */
  readonly probeMs: number;
}

export type RefusalReason = 'memory' | 'timeout' | 'crashed';

/** The probe ended without loading the model: over the memory cap, out of time, or dead. */
export class ModelProbeRefused extends ModelProblemsError {
  override readonly name = 'ModelProbeRefused';
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message, [message]);
  }
}

const RSS_POLL_MS = 25;
/** What ONNX Runtime, the C++ runtime and V8 say when an allocation fails (under the address-space limit, that is the cap). */
const OUT_OF_MEMORY = /Failed to allocate memory|bad_alloc|Array buffer allocation failed|out of memory|Cannot allocate memory|ENOMEM|heap limit|Failed to reserve virtual memory/i;

function refusal(model: string, limits: ProbeLimits, batch: number, reason: RefusalReason, detail: string): ModelProbeRefused {
  const message =
    reason === 'memory'
      ? batch > 1
        ? // The line's batch is part of what did not fit: a smaller inference.maxBatch may.
          `model ${model} needs more than ${limits.memoryMiB} MiB to load and run at batch ${batch} (model.loadMemoryMiB; inference.maxBatch): refused`
        : `model ${model} needs more than ${limits.memoryMiB} MiB to load (model.loadMemoryMiB): refused`
      : reason === 'timeout'
        ? `model ${model} did not finish loading within ${+(limits.timeoutMs / 1000).toFixed(1)} s (model.loadTimeoutS): refused`
        : `model ${model} ended the process that tried to load it (${detail}): refused`;
  return new ModelProbeRefused(reason, message);
}

/** Ends the child however it is, and waits until it has gone. */
function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return gone;
}

/**
 * Runs the probe for one model at the line's batch (`job.batch`). `model` names it in messages (name,
 * version and file). Resolves with what the load gave; rejects with ModelProbeRefused or ModelLoadError.
 */
export function probeModel(model: string, job: ProbeJob, entry: WorkerEntry, limits: ProbeLimits): Promise<ProbeOutcome> {
  const started = performance.now();
  const child = spawnProbe(entry, limits.memoryMiB);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // The tail is enough to tell why it died; a chatty child must not grow the station's memory.
    stderr = (stderr + chunk).slice(-8192);
  });

  return new Promise<ProbeOutcome>((resolve, reject) => {
    let settled = false;
    let killedFor: RefusalReason | null = null;
    const finish = (outcome: { ok: ProbeOutcome } | { err: Error }): void => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      clearTimeout(timer);
      // Whatever happened, the child does not outlive its answer.
      void kill(child).then(() => ('ok' in outcome ? resolve(outcome.ok) : reject(outcome.err)));
    };
    const stop = (reason: RefusalReason): void => {
      killedFor ??= reason;
      child.kill('SIGKILL');
    };
    const watch = setInterval(() => {
      const rss = child.pid === undefined ? null : residentMiB(child.pid);
      if (rss !== null && rss > limits.memoryMiB) stop('memory');
    }, RSS_POLL_MS);
    const timer = setTimeout(() => stop('timeout'), limits.timeoutMs);

    child.on('message', (m: FromProbe) => {
      if (m.type === 'loaded') {
        const prepared = m.prepared ?? job.modelBytes;
        finish({ ok: { info: m.info, prepared, preparedSha256: m.preparedSha256, peakMiB: m.peakMiB, probeMs: performance.now() - started } });
      }
      else if (OUT_OF_MEMORY.test(m.message)) finish({ err: refusal(model, limits, job.batch, 'memory', m.message) });
      else finish({ err: new ModelLoadError(m.message, m.problems) });
    });
    child.on('error', (err) => finish({ err: refusal(model, limits, job.batch, 'crashed', `it could not be started: ${err.message}`) }));
    // 'close', not 'exit': it comes once stderr has been read to its end, with the watchdog's last words.
    child.on('close', (code, signal) => {
      if (killedFor) return finish({ err: refusal(model, limits, job.batch, killedFor, '') });
      if (stderr.includes(OVER_CAP_MARKER) || OUT_OF_MEMORY.test(stderr)) return finish({ err: refusal(model, limits, job.batch, 'memory', '') });
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const said = stderr.trim().split('\n').at(-1);
      finish({ err: refusal(model, limits, job.batch, 'crashed', said ? `${how}: ${said.slice(0, 300)}` : how) });
    });
    const message: ProbeRequest = { type: 'probe', ...job };
    child.send(message, (err) => {
      if (err) finish({ err: refusal(model, limits, job.batch, 'crashed', `the model could not be handed to it: ${err.message}`) });
    });
  });
}
