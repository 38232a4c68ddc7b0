/**
 * What the station benches share (station.clients, station.flood): the real
 * engine on the demo, started in this process, and a process of clients at
 * the lowest CPU priority (client-swarm.ts), as browsers on other PCs take
 * nothing from the station's cores.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ServerConfigSchema } from '../../shared/access-config';
import { StationConfigSchema, type StationConfigInput } from '../../shared/config';
import { createApiHandlers } from '../../engine/api/handlers';
import type { AppLayout } from '../../engine/app-layout';
import { resolvePaths } from '../../engine/config-loader';
import type { WorkerEntries } from '../../engine/rpc/worker-entry';
import { silentLogger } from '../../engine/logger';
import { StationEngine } from '../../engine/station-engine';
import { startStationServer, type StationServer } from '../../station/http-server';

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on 127.0.0.1 now (for servers, like modbus-serial's, that cannot listen on port 0 and say which they got). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The client process, driven line by line (client-swarm.ts). */
export class Swarm {
  private readonly replies: ((line: string) => void)[] = [];
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => this.replies.shift()?.(line));
  }

  static start(): Swarm {
    const file = join(dirname(fileURLToPath(import.meta.url)), 'client-swarm.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['pipe', 'pipe', 'pipe'] });
    // The browsers are on other PCs: here they share the station's cores, so they take only what the station leaves.
    if (child.pid !== undefined) setPriority(child.pid, 19);
    return new Swarm(child);
  }

  send<T>(command: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.replies.push((line) => {
        const reply = JSON.parse(line) as T & { error?: string };
        if (reply.error) reject(new Error(`client swarm: ${reply.error}`));
        else resolve(reply);
      });
      this.child.stdin.write(`${command}\n`);
    });
  }

  stop(): void {
    this.child.stdin.write('exit\n');
  }
}

/** The station's engine on the demo model and frames, replayed at `fps`, in this process. */
export async function startBenchStation(
  opts: { readonly app: AppLayout; readonly workers: WorkerEntries; readonly modelDir?: string },
  fps: number,
  dataDir: string,
  /** Folders models may be imported from (a bench that registers a candidate). */
  importRoots: readonly string[] = [],
  /** More of the config (a PLC link, sensors off). */
  extra: Omit<StationConfigInput, 'source' | 'inference' | 'model'> = {},
): Promise<StationEngine> {
  const config = resolvePaths(
    StationConfigSchema.parse({
      ...extra,
      source: { kind: 'replay', fps, loop: true },
      inference: { providers: ['cpu'] },
      model: { importRoots: [...importRoots] },
    }),
    process.cwd(),
    opts.app,
  );
  return StationEngine.start({
    config,
    modelDir: opts.modelDir ?? opts.app.defaultModelDir,
    databasePath: join(dataDir, 'linesight.sqlite'),
    dataDir,
    logger: silentLogger,
    workers: opts.workers,
    app: opts.app,
  });
}

/** The station's own server for that engine on a free port of 127.0.0.1, and its WebSocket's address. */
export async function serveBenchStation(engine: StationEngine, app: AppLayout): Promise<{ server: StationServer; wsUrl: string }> {
  const server = await startStationServer({
    engine,
    handlers: createApiHandlers(engine),
    rendererDir: app.rendererDir,
    server: ServerConfigSchema.parse({}),
    port: 0,
  });
  return { server, wsUrl: `${server.url.replace('http:', 'ws:')}/ws` };
}
