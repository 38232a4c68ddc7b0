/**
 * A real HTTP endpoint for uploads, as a plant's collector would be: takes
 * NDJSON batches, deduplicates on the Idempotency-Key (a batch sent again
 * after a lost answer is stored once), and can be told to misbehave: answer
 * 500, hang, cut the connection, or accept only part of the time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import seedrandom from 'seedrandom';

/** slow-ack: stores the batch at once and answers only after ackDelayMs (longer than the client waits), as the collector of issue 11, item 9 did. */
export type Behaviour = 'ok' | 'error' | 'hang' | 'cut' | 'flaky' | 'slow-ack';

export interface IngestServer {
  readonly url: string;
  /** Rows stored, by stream, in arrival order. */
  rows(stream: string): { seq: number; station: string; [k: string]: unknown }[];
  /** Batches answered 2xx, and batches seen again under a key already stored. */
  readonly stats: { accepted: number; replays: number; refused: number; requests: number };
  behave(b: Behaviour): void;
  /** Each batch's token, as sent. */
  readonly tokens: string[];
  /** Every request's Idempotency-Key and body, in arrival order (a batch sent again must be sent identically). */
  readonly received: { readonly key: string; readonly body: string }[];
  close(): Promise<void>;
}

export async function startIngestServer(opts: { flakyAcceptRate?: number; seed?: string; port?: number; ackDelayMs?: number } = {}): Promise<IngestServer> {
  let behaviour: Behaviour = 'ok';
  const rng = seedrandom(opts.seed ?? 'ingest');
  const stored = new Map<string, { seq: number; station: string }[]>();
  const keys = new Set<string>();
  const tokens: string[] = [];
  const received: { key: string; body: string }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const stats = { accepted: 0, replays: 0, refused: 0, requests: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    stats.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ key: String(req.headers['idempotency-key'] ?? ''), body: Buffer.concat(chunks).toString('utf8') });
      const mode =
        behaviour === 'flaky' ? (rng() < (opts.flakyAcceptRate ?? 0.5) ? 'ok' : (['error', 'cut', 'hang-short'] as const)[Math.floor(rng() * 3)]) : behaviour;
      if (mode === 'hang') return; // never answers; the client's timeout must end it
      if (mode === 'slow-ack') {
        store();
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (res.destroyed) return; // the client gave up waiting
          stats.accepted++;
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        }, opts.ackDelayMs ?? 30_000);
        timers.add(timer);
        return;
      }
      if (mode === 'hang-short') {
        // Stores the batch, then never answers: the client will send it again.
        store();
        return;
      }
      if (mode === 'cut') {
        req.socket.destroy();
        return;
      }
      if (mode === 'error') {
        stats.refused++;
        res.writeHead(500).end('collector down');
        return;
      }
      store();
      stats.accepted++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const store = (): void => {
      tokens.push(String(req.headers['authorization'] ?? ''));
      const key = String(req.headers['idempotency-key'] ?? '');
      if (keys.has(key)) {
        stats.replays++;
        return;
      }
      keys.add(key);
      for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        const row = JSON.parse(line) as { stream: string; seq: number; station: string };
        const list = stored.get(row.stream) ?? [];
        list.push(row);
        stored.set(row.stream, list);
      }
    };
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`,
    rows: (stream) => (stored.get(stream) ?? []) as { seq: number; station: string }[],
    stats,
    tokens,
    received,
    behave: (b) => (behaviour = b),
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
