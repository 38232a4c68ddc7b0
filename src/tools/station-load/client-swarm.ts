/**
 * A process of clients for the clients and flood benches, kept apart from the
 * station's process as remote browsers are. Reads commands on stdin, one a
 * line: "connect N URL" opens N live-page clients, "flood N URL" opens N
 * clients that ask as fast as the station lets them (flood-client.ts),
 * "disconnect" closes them all and prints their counts as one JSON line,
 * "exit" ends.
 */
import { createInterface } from 'node:readline';
import { FloodClient } from './flood-client';
import { LivePageClient, type LivePageCounts } from '../../station/live-page-client';

let clients: LivePageClient[] = [];
let flooders: FloodClient[] = [];
let since = { cpu: process.cpuUsage(), at: performance.now() };

async function handle(line: string): Promise<void> {
  const [command, ...args] = line.trim().split(/\s+/);
  if (command === 'connect') {
    const n = Number(args[0]);
    since = { cpu: process.cpuUsage(), at: performance.now() };
    clients = await Promise.all(Array.from({ length: n }, () => LivePageClient.open(args[1]!)));
    process.stdout.write(`${JSON.stringify({ connected: clients.length })}\n`);
  } else if (command === 'flood') {
    const n = Number(args[0]);
    since = { cpu: process.cpuUsage(), at: performance.now() };
    flooders = await Promise.all(Array.from({ length: n }, () => FloodClient.open(args[1]!)));
    process.stdout.write(`${JSON.stringify({ flooding: flooders.length })}\n`);
  } else if (command === 'disconnect') {
    const closing = clients;
    clients = [];
    const floods = flooders;
    flooders = [];
    await Promise.all([...closing.map((c) => c.close()), ...floods.map((f) => f.close())]);
    const answered = floods.reduce((n, f) => n + f.counts.answered, 0);
    const refused = floods.reduce((n, f) => n + f.counts.refused, 0);
    const total: LivePageCounts = { requests: 0, images: 0, events: 0, bytesIn: 0 };
    for (const c of closing) for (const k of Object.keys(total) as (keyof LivePageCounts)[]) total[k] += c.counts[k];
    const cpu = process.cpuUsage(since.cpu);
    // This process's CPU while connected, in cores: what the "browsers" took from a machine they share with the station.
    const cores = (cpu.user + cpu.system) / 1000 / (performance.now() - since.at);
    process.stdout.write(`${JSON.stringify({ disconnected: closing.length + floods.length, ...total, answered, refused, cores })}\n`);
  } else if (command === 'exit') {
    process.exit(0);
  }
}

let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue
    .then(() => handle(line))
    .catch((err: unknown) => {
      process.stdout.write(`${JSON.stringify({ error: String(err) })}\n`);
    });
});
