/**
 * A real HTTP server that streams multipart JPEGs like an IP camera, and can
 * misbehave on demand: stall (keep the connection, send nothing), cut the
 * connection in the middle of a frame, or leave out Content-Length.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface MjpegServerOptions {
  readonly frames: readonly Buffer[];
  readonly fps: number;
  /** The boundary parameter as the camera writes it. */
  readonly boundary?: string;
  readonly contentLength?: boolean;
}

export interface MjpegServer {
  readonly url: string;
  /** Connections served so far. */
  readonly connections: number;
  /** Stop sending (connections stay open). */
  stall(): void;
  resume(): void;
  /** Destroy every open connection, halfway through a frame. */
  cut(): void;
  close(): Promise<void>;
}

export async function startMjpegServer(opts: MjpegServerOptions): Promise<MjpegServer> {
  const boundary = opts.boundary ?? 'linesightframe';
  const delimiter = boundary.startsWith('--') ? boundary : `--${boundary}`;
  let stalled = false;
  let connections = 0;
  const sockets = new Set<Socket>();
  const streams = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    connections++;
    res.writeHead(200, { 'content-type': `multipart/x-mixed-replace; boundary=${boundary}`, 'cache-control': 'no-cache' });
    streams.add(res);
    let n = 0;
    const timer = setInterval(() => {
      if (stalled) return;
      const jpeg = opts.frames[n++ % opts.frames.length]!;
      const headers = `${delimiter}\r\nContent-Type: image/jpeg\r\n${opts.contentLength === false ? '' : `Content-Length: ${jpeg.length}\r\n`}\r\n`;
      // Written in pieces, as a network would deliver it.
      res.write(headers.slice(0, 7));
      res.write(headers.slice(7));
      res.write(jpeg.subarray(0, 100));
      res.write(jpeg.subarray(100));
      res.write('\r\n');
    }, 1000 / opts.fps);
    res.on('close', () => {
      clearInterval(timer);
      streams.delete(res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/stream.mjpg`,
    get connections() {
      return connections;
    },
    stall: () => (stalled = true),
    resume: () => (stalled = false),
    cut: () => {
      for (const res of streams) res.write(`${delimiter}\r\nContent-Type: image/jpeg\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(100)}`);
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
