/**
 * Starts the load probe as a child process with its memory capped, the
 * platform's way:
 *
 * - Linux and other POSIX systems: through /bin/sh, `ulimit -d` (RLIMIT_DATA:
 *   the process's private writable memory, which since Linux 4.7 includes
 *   anonymous mappings, so ONNX Runtime's arena and V8's heap) set to the cap
 *   plus the thread stacks that count there without being used. One huge
 *   allocation (a 60000×60000 float tensor is 14.4 GB) then fails at once
 *   inside ONNX Runtime and the probe reports it. Not RLIMIT_AS (`ulimit -v`):
 *   Node reserves address space it never uses (1.6 GB for 100 MiB resident,
 *   measured here), so a limit on it says little about memory. (macOS
 *   accepts the limit but does not enforce it.)
 * - Everywhere: the probe's own watchdog thread (memory-watchdog.ts) and a
 *   V8 heap limit. On Windows these are what holds.
 * - Linux: the parent also reads the child's resident memory in /proc and
 *   kills it past the cap, whatever the child does (see residentMiB).
 *
 * Under Electron the child is Electron's own binary run as Node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { WorkerEntry } from '../rpc/worker-entry';
import { MEMORY_FLAG } from './probe-protocol';

/**
 * What counts as data without being memory: the stacks of Node's, V8's and ONNX Runtime's threads
 * (8 MiB each, mostly untouched). Measured here: a probe of the demo model has 76 MiB of data for
 * 100 MiB resident; 512 MiB leaves room for the threads of a many-core machine.
 */
export const DATA_HEADROOM_MIB = 512;

export function spawnProbe(entry: WorkerEntry, memoryMiB: number): ChildProcess {
  const node = process.execPath;
  // No WebAssembly: the probe needs none, and each instance's ~10 GB reservation is no use under a memory
  // cap (run from source, tsx then parses with JavaScript instead).
  const args = [...entry.execArgv, '--no-expose-wasm', `--max-old-space-size=${memoryMiB}`, entry.file, `${MEMORY_FLAG}${memoryMiB}`];
  const options = {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'] as ('ignore' | 'pipe' | 'ipc')[],
    // Structured clone: the model's bytes go as one Uint8Array, not as JSON.
    serialization: 'advanced' as const,
    // Electron's binary runs as plain Node with this set; Node ignores it.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    windowsHide: true,
  };
  if (process.platform === 'win32') return spawn(node, args, options);
  const kib = (memoryMiB + DATA_HEADROOM_MIB) * 1024;
  // A failed ulimit (a hard limit already lower) leaves the lower limit in force: start anyway.
  return spawn('/bin/sh', ['-c', 'ulimit -d "$1" 2>/dev/null; shift; exec "$@"', 'linesight-model-probe', String(kib), node, ...args], options);
}

/** The child's resident memory in MiB, where the platform tells (Linux /proc); null elsewhere or once it has gone. */
export function residentMiB(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}
