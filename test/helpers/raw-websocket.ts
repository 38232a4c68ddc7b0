/**
 * A WebSocket client by hand, on a plain TCP socket: it can send what no
 * well-behaved library would (oversized, unmasked, invalid UTF-8, reserved
 * bits and opcodes), choose its Host and Origin, and stop reading. For the
 * attack tests of the station's boundary.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawSocketOptions {
  readonly host?: string;
  readonly origin?: string;
  readonly path?: string;
}

export interface RawWebSocket {
  readonly socket: Socket;
  /** The server's answer to the upgrade: its status line. */
  readonly status: string;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
  /** Bytes received after the handshake. */
  received(): number;
  send(frame: Buffer): void;
}

/** Opens a TCP connection and asks for the upgrade; resolves with the status line the server answered. */
export function rawWebSocket(port: number, opts: RawSocketOptions = {}): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    let received = 0;
    let upgraded = false;
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      const lines = [
        `GET ${opts.path ?? '/ws'} HTTP/1.1`,
        `Host: ${opts.host ?? `127.0.0.1:${port}`}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...(opts.origin ? [`Origin: ${opts.origin}`] : []),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        received += chunk.length;
        return;
      }
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      received += Buffer.byteLength(head.slice(end + 4), 'latin1');
      resolve({ socket, status: head.slice(0, head.indexOf('\r\n')), closed, received: () => received, send: (f) => socket.write(f) });
    });
    socket.once('close', () => !upgraded && reject(new Error(`closed before answering the upgrade: ${head}`)));
  });
}

/** One WebSocket frame: `first` is FIN, RSV and opcode; masked as a client must, unless told not to. */
export function frame(first: number, payload: Buffer, opts: { masked?: boolean } = {}): Buffer {
  const masked = opts.masked ?? true;
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = first;
  if (length < 126) header[1] = length;
  else if (length < 65_536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  header[1]! |= 0x80;
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([header, key, body]);
}

export const TEXT = 0x81;

/** A text frame carrying a request in the station's wire format. */
export function requestFrame(id: number, op: string, payload: unknown = {}): Buffer {
  return frame(TEXT, Buffer.from(JSON.stringify({ kind: 'request', id, op, payload })));
}
