/**
 * Who may talk to the station at all. Bound to loopback, the station is
 * reached only from its own PC, and everyone may. Bound to any other
 * address, every request must carry the station's token (`?token=` in the
 * page's address, which the page passes on to its WebSocket, or an
 * Authorization: Bearer header), compared in constant time. The token makes
 * a client an operator; changes still need a technician's PIN.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost, type ServerConfig } from '../shared/access-config';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class ClientAccess {
  private readonly expected: Buffer | null;

  constructor(server: Pick<ServerConfig, 'host' | 'token'>) {
    if (isLoopbackHost(server.host)) this.expected = null;
    else if (server.token === undefined) throw new Error(`the station is bound to ${server.host} and has no server.token`);
    else this.expected = digest(server.token);
  }

  get tokenRequired(): boolean {
    return this.expected !== null;
  }

  admits(req: IncomingMessage): boolean {
    if (this.expected === null) return true;
    const offered = tokenOf(req);
    // Equal-length digests: the comparison takes the same time whatever was offered.
    return offered !== null && timingSafeEqual(digest(offered), this.expected);
  }
}

function tokenOf(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  try {
    return new URL(req.url ?? '/', 'http://station').searchParams.get('token');
  } catch {
    return null;
  }
}
