/** Runs the built headless station (out/main/station.js) as a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_STATION, ROOT } from './paths';

export interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the station to its end (for start-up errors and --help). */
export function runStation(args: readonly string[], timeoutMs = 20_000): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_STATION, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`station did not exit within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningStation {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** Sends SIGINT and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const READY = /LineSight station ready at (http:\/\/[^\s]+:\d+)/;

/** How to start it: the built station under this Node (default), or another command (an installed launcher). */
export interface StartWith {
  readonly command?: readonly [string, ...string[]];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Starts the station and resolves once it prints its ready line. */
export function startStation(args: readonly string[], timeoutMs = 30_000, how: StartWith = {}): Promise<RunningStation> {
  return new Promise((resolve, reject) => {
    const [cmd, ...pre] = how.command ?? [process.execPath, BUILT_STATION];
    const child = spawn(cmd, [...pre, ...args], { cwd: how.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(how.env ? { env: how.env } : {}) });
    let output = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`station not ready within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      output += d.toString();
      const ready = READY.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({
          url: ready[1]!,
          child,
          output: () => output,
          stop: async (signal = 'SIGINT') => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`station exited (code ${code}) before it was ready: ${output}`));
    });
  });
}

/** The built station on a free port with `config` written as its config file in `dataDir`, its data folder. */
export async function startStationWithConfig(dataDir: string, config: object): Promise<{ station: RunningStation; dataDir: string }> {
  const file = join(dataDir, 'station.json');
  writeFileSync(file, JSON.stringify(config));
  return { station: await startStation(['--port', '0', '--data-dir', dataDir, '--config', file]), dataDir };
}
