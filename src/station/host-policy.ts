/**
 * Which names the station answers to. A web page on any site the station PC
 * opens can make its browser send requests to 127.0.0.1 under the site's own
 * name (DNS rebinding), and a page may open a WebSocket to any address: so
 * the Host of every request, and the Origin of every browser's request, must
 * name the station itself — the address it is bound to (any of this PC's
 * addresses when bound to all of them), loopback, `localhost`, this PC's
 * name, or a name in `server.allowedHosts` — or the request is refused. A
 * name the attacker's DNS controls is never among them. Pure: no I/O.
 */

export interface HostPolicyOptions {
  /** server.allowedHosts: exact names, or ".example.com" for the name and every name below it. */
  readonly allowedHosts: readonly string[];
  /** This PC's own name (os.hostname()). */
  readonly machineName: string;
  /** server.host: an address, or a name. */
  readonly boundHost: string;
  /** This PC's addresses (os.networkInterfaces()), answered to when bound to all of them (0.0.0.0 or ::). */
  readonly machineAddresses: readonly string[];
}

/** The host name of a Host header value (`name:port`, `[v6]:port`), lower case, or null when it is not one. */
export function hostNameOf(hostHeader: string): string | null {
  const value = hostHeader.trim().toLowerCase();
  if (value.length === 0 || value.length > 300) return null;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return null;
    const rest = value.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    return value.slice(1, end);
  }
  const match = /^([a-z0-9_.-]+)(?::\d{1,5})?$/.exec(value);
  return match ? match[1]! : null;
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

export class HostPolicy {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(opts: HostPolicyOptions) {
    this.exact.add('localhost');
    for (const a of LOOPBACK) this.exact.add(a);
    const bound = opts.boundHost
      .trim()
      .toLowerCase()
      .replace(/^\[|\]$/g, '');
    if (WILDCARD.has(bound)) for (const a of opts.machineAddresses) this.exact.add(a.toLowerCase().replace(/%.*$/, ''));
    else this.exact.add(bound);
    const machine = opts.machineName.trim().toLowerCase();
    if (machine) {
      this.exact.add(machine);
      this.exact.add(`${machine}.local`);
    }
    for (const raw of opts.allowedHosts) {
      const name = raw.trim().toLowerCase();
      if (name.startsWith('.')) this.suffixes.push(name);
      else this.exact.add(name);
    }
  }

  /** A host name the station answers to. */
  allowsName(name: string): boolean {
    if (this.exact.has(name) || name.endsWith('.localhost')) return true;
    return this.suffixes.some((s) => name === s.slice(1) || name.endsWith(s));
  }

  /** The request's Host header names the station. */
  allowsHost(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return false;
    const name = hostNameOf(hostHeader);
    return name !== null && this.allowsName(name);
  }

  /**
   * A browser's Origin, when there is one, is a page of the station itself (the same host and port as the
   * request's Host). Programs that are not browsers send none, and are judged by Host and the token alone.
   */
  allowsOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const name = url.hostname.replace(/^\[|\]$/g, '');
    // Origin's host and port are the request's Host: the page was served by this station.
    return this.allowsName(name) && hostHeader !== undefined && url.host === hostHeader.trim().toLowerCase();
  }
}
