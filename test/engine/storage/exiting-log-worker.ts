/**
 * The real log worker, with one fault injected: the thread ends (exit code 7) as soon as a file named
 * exit-log-worker appears in its data dir, which it removes first so that the worker started after it runs on.
 * Used to test that the log client starts a new worker and that no decided row is lost or written twice.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import '../../../src/engine/log/log-worker';

const EXIT_TRIGGER = 'exit-log-worker'; // log-worker-restart.test.ts names it too (importing this file would start a worker)

parentPort!.on('message', (m: { rpc: string; args?: { dataDir?: string } }) => {
  if (m.rpc !== 'open' || m.args?.dataDir === undefined) return;
  const trigger = join(m.args.dataDir, EXIT_TRIGGER);
  setInterval(() => {
    if (!existsSync(trigger)) return;
    unlinkSync(trigger);
    process.exit(7);
  }, 10).unref();
});
