/**
 * linesight-station: the headless station. Runs the engine, serves the UI and
 * the API on 127.0.0.1 (or server.host), prints a "ready" line with the
 * addresses a person can open, and on Ctrl-C flushes the log and exits 0.
 * Any start-up problem: one clear message, exit code 2.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isLoopbackHost } from '../shared/access-config';
import { createApiHandlers } from '../engine/api/handlers';
import { bootEngine } from '../engine/boot';
import { consoleLogger } from '../engine/logger';
import { defaultDataDir, stationLayout, stationWorkers } from './app-paths';
import { readyLines } from './addresses';
import { startStationServer } from './http-server';

const USAGE = `Usage: npm run station -- [options]

  --port N          port for the UI and API (default 5780, or server.port in the config file)
  --data-dir DIR    where the SQLite log lives (default: ${defaultDataDir()})
  --config FILE     station configuration (JSON); without it, the demo default
  -h, --help        this text`;

class UsageError extends Error {}

function parseCommandLine(argv: readonly string[]): { port?: number; dataDir: string; config?: string; help: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65_535) throw new UsageError(`--port must be a number from 0 to 65535, not "${values.port}"`);
  }
  return {
    ...(port !== undefined ? { port } : {}),
    dataDir: resolve(values['data-dir'] ?? defaultDataDir()),
    ...(values.config !== undefined ? { config: values.config } : {}),
    help: values.help ?? false,
  };
}

/** Why the server could not listen, naming the port and where it came from, and what to do. */
function whyNotServing(e: NodeJS.ErrnoException, port: number, fromOption: boolean, host: string): string {
  const portName = `port ${port} (${fromOption ? '--port' : 'server.port in the config file, or the default'})`;
  const choose = 'choose another with --port N or server.port';
  switch (e.code) {
    case 'EADDRINUSE':
      return `${portName} is already in use on ${host}: another station, or another program, listens there; stop it, or ${choose}`;
    case 'EACCES':
    case 'EPERM':
      return `${portName} on ${host} is not allowed to this user (ports below 1024 need administrator rights): ${choose}`;
    case 'EADDRNOTAVAIL':
      return `server.host ${host} is not an address of this PC: use one of its addresses, 0.0.0.0 for all of them, or 127.0.0.1`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `server.host ${host} is not a name this PC can resolve: use an address`;
    default:
      return `${e.message} (${portName}, server.host ${host})`;
  }
}

// The last line of defence (issue 11): a promise some part forgot to catch is logged, not the end of the line.
// Every known path catches its own; this only keeps an oversight from stopping the station's decisions.
process.on('unhandledRejection', (reason) =>
  consoleLogger.error(`internal error (the line goes on): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`),
);

async function main(): Promise<void> {
  let args;
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`linesight-station: ${(err as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const paths = stationLayout();
  if (!existsSync(paths.rendererDir)) {
    process.stderr.write(`linesight-station: the UI is not built (${paths.rendererDir} is missing): run npm run build\n`);
    process.exit(2);
  }
  let booted;
  try {
    booted = await bootEngine({
      configFile: args.config,
      dataDir: args.dataDir,
      app: paths,
      logger: consoleLogger,
      workers: stationWorkers(),
    });
  } catch (err) {
    process.stderr.write(`linesight-station: cannot start: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const { engine, resolved } = booted;
  const port = args.port ?? resolved.config.server.port;
  const host = resolved.config.server.host;
  let server;
  try {
    server = await startStationServer({
      engine,
      handlers: createApiHandlers(engine),
      rendererDir: paths.rendererDir,
      server: resolved.config.server,
      port,
    });
  } catch (err) {
    await engine.stop();
    process.stderr.write(`linesight-station: cannot serve: ${whyNotServing(err as NodeJS.ErrnoException, port, args.port !== undefined, host)}\n`);
    process.exit(2);
  }
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info(`${signal}: stopping the line and flushing the log`);
    await server.close();
    await engine.stop();
    process.exit(0);
  };
  // Listening before saying ready: a stop asked the moment the ready line is read must find its handler.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  const ready = readyLines({ host, port: server.port, tokenRequired: !isLoopbackHost(host) });
  process.stdout.write(`${ready.join('\n')}\n`);
}

void main();
