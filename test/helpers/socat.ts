/**
 * A real serial port pair from socat (two ptys linked to names in a folder),
 * and the simulator command writing to one end. Killing socat pulls the
 * "cable"; starting it again with the same names plugs it back in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths';
import { waitFor } from './wait';

export interface PtyPair {
  /** The device end (the simulator writes here). */
  readonly a: string;
  /** The station end. */
  readonly b: string;
  unplug(): Promise<void>;
  plug(): Promise<void>;
  close(): Promise<void>;
}

async function kill(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
}

export async function startPtyPair(dir: string): Promise<PtyPair> {
  const a = join(dir, 'ttyA');
  const b = join(dir, 'ttyB');
  let socat: ChildProcess | null = null;
  const plug = async (): Promise<void> => {
    socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
    await waitFor('socat to make the pty pair', () => existsSync(a) && existsSync(b), 10_000, 20);
  };
  await plug();
  return {
    a,
    b,
    plug,
    unplug: async () => {
      await kill(socat);
      socat = null;
    },
    close: async () => kill(socat),
  };
}

/** Runs `npm run sensor-sim` (from source) with these arguments. */
export function startSimulator(args: readonly string[]): { process: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'tools', 'sensor-sim.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { process: child, output: () => output, stop: () => kill(child) };
}
