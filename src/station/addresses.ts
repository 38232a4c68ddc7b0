/**
 * The addresses a person can open, for the station's ready line. Bound to
 * every address (0.0.0.0, ::), "http://0.0.0.0:5780" is no address anyone
 * can type into a browser: print loopback for this PC and the PC's own
 * network addresses for the others, each with a `?token=…` hint when the
 * station wants its token — never the token itself, which would end up in
 * logs and terminal scroll-back.
 */
import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface OpenableAddresses {
  /** The address for a browser on this PC (or the one address the station is bound to). */
  readonly here: string;
  /** Addresses for other PCs on the network; empty when bound to one address or to loopback. */
  readonly others: readonly string[];
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

const urlHost = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** IPv6 link-local addresses need a zone (%eth0) that browsers do not take: leave them out. */
const usable = (i: NetworkInterfaceInfo, ipv6: boolean): boolean =>
  !i.internal && (i.family === 'IPv4' || (ipv6 && !i.address.toLowerCase().startsWith('fe80:')));

export function openableAddresses(opts: {
  readonly host: string;
  readonly port: number;
  readonly tokenRequired: boolean;
  /** The PC's interfaces and name (tests pass their own). */
  readonly interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
  readonly machineName?: string;
}): OpenableAddresses {
  const suffix = opts.tokenRequired ? '/?token=…' : '';
  const url = (host: string): string => `http://${urlHost(host)}:${opts.port}${suffix}`;
  if (!WILDCARDS.has(opts.host)) return { here: url(opts.host), others: [] };
  const ipv6 = opts.host !== '0.0.0.0';
  const addresses = Object.values(opts.interfaces ?? networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => usable(i, ipv6))
    .map((i) => i.address);
  const name = opts.machineName ?? hostname();
  // The PC's name too, where the network knows it: easier to tell a colleague than an address.
  const others = addresses.length > 0 ? [...new Set(addresses)].map(url).concat(name ? [url(name)] : []) : [];
  return { here: url('127.0.0.1'), others };
}

/** The lines the station prints once it serves; the first names one address (the test helpers read it). */
export function readyLines(opts: Parameters<typeof openableAddresses>[0]): string[] {
  const addresses = openableAddresses(opts);
  const boundToAll = WILDCARDS.has(opts.host);
  const lines = [`LineSight station ready at ${addresses.here}${boundToAll ? ' (on this PC)' : ''}`];
  if (boundToAll) {
    lines.push(
      addresses.others.length > 0
        ? `  from other PCs: ${addresses.others.join('  ')}`
        : '  from other PCs: this PC has no network address yet (the station answers on any it gets)',
    );
  }
  if (opts.tokenRequired)
    lines.push("  …: the station's access token, server.token in the config file (not printed here); each screen opens the page with it once");
  return lines;
}
