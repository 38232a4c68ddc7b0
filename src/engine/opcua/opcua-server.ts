/**
 * The station's OPC UA server (issue 17): node-opcua's OPCUAServer with the
 * LineSight object (station-variables.ts, station-methods.ts), the security
 * the config asks for, and users checked against the config's hashes
 * (opcua-users.ts).
 *
 * Security. Sign and SignAndEncrypt channels use Basic256Sha256 or
 * Aes128_Sha256_RsaOaep; "None" only where the config allows it (loopback,
 * shared/opcua-config.ts). A password always travels encrypted with the
 * station's certificate, even on a "None" channel (node-opcua offers no
 * clear-text password policy unless asked, and it is never asked here).
 * Client applications present certificates: unknown ones are refused and kept
 * in opcua-pki/rejected until a technician trusts them, unless
 * acceptUnknownClients. The station's own certificate and key are made in
 * <data dir>/opcua-pki at the first start, by node-opcua-pki in JavaScript
 * (no openssl needed), and kept.
 *
 * After start nothing here throws into the station: update() is the hot path
 * and swallows what it cannot write, and whatever goes wrong reaches onError
 * in words a technician understands — each kind at most once a minute, since
 * much of it is caused by clients the station does not control.
 */
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { format } from 'node:util';
import type { MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy, UserManagerOptions } from 'node-opcua';
import type { OpcUaSecurityMode, OpcUaServerConfig } from '../../shared/opcua-config';
import { messageOf } from '../error-message';
import { loadOpcUa, type OpcUa } from './opcua-module';
import { OpcUaUsers } from './opcua-users';
import { StationMethods, type OpcUaStationMethods } from './station-methods';
import { LINESIGHT_NODE, StationVariables, type OpcUaStationValues } from './station-variables';

export type { OpcUaStationValues } from './station-variables';
export type { MethodAnswer, OpcUaStationMethods } from './station-methods';

export interface OpcUaServerDeps {
  /** The station's data folder: the PKI (certificates, trusted and rejected clients) is kept in its opcua-pki folder. */
  readonly dataDir: string;
  /** Names the namespace and the application: urn:linesight:<stationId>. */
  readonly stationId: string;
  readonly stationName: string;
  readonly methods: OpcUaStationMethods;
  /** What went wrong, for the event log; never thrown. */
  readonly onError: (message: string) => void;
  /**
   * node-opcua's own warnings and errors (text for a developer), one line each. node-opcua's loggers are global
   * to the process: the last server started sets them. Left out, node-opcua prints them to the console.
   */
  readonly log?: (line: string) => void;
}

export interface OpcUaFigures {
  /** Sessions open now. */
  readonly sessions: number;
  /** Sign-ins refused: wrong password, unknown user, locked, too many at once. */
  readonly failedLogins: number;
  readonly methodCalls: number;
  /** Method calls answered Accepted=false, or refused as invalid. */
  readonly methodCallsRefused: number;
  /** Connections refused: a new client certificate not trusted, a secure channel that failed, too many at once. */
  readonly refusedChannels: number;
}

/** A client that does not let go is not waited for past this: the station's stop must not hang on it. */
const CLOSE_MS = 2000;
/** The same kind of trouble is told at most this often (a client retrying every second must not flood the log). */
const REPORT_EVERY_MS = 60_000;
const PKI_FOLDER = 'opcua-pki';

/** Tells each kind of trouble at most once per REPORT_EVERY_MS. */
class Reports {
  private readonly last = new Map<string, number>();

  constructor(private readonly onError: (message: string) => void) {}

  tell(kind: string, message: string): void {
    const now = Date.now();
    const at = this.last.get(kind);
    if (at !== undefined && now - at < REPORT_EVERY_MS) return;
    // Kinds come from a short fixed list, but bound it anyway.
    if (this.last.size > 100) this.last.clear();
    this.last.set(kind, now);
    try {
      this.onError(message);
    } catch {
      // The station's own handler failing must not become the server's problem.
    }
  }
}

const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::';

export class OpcUaStationServer {
  private closing: Promise<void> | null = null;
  private refusedChannels = 0;

  private constructor(
    private readonly server: OPCUAServer,
    private readonly variables: StationVariables,
    private readonly methods: StationMethods,
    private readonly users: OpcUaUsers,
    private readonly reports: Reports,
    /** The address clients use: opc.tcp://host:port. */
    readonly endpointUrl: string,
    /** The namespace of the LineSight nodes (ns=<index>;s=LineSight.…). */
    readonly namespaceUri: string,
    readonly namespaceIndex: number,
  ) {}

  /**
   * Loads node-opcua, builds the address space and listens. Throws "the OPC UA server cannot start on
   * <host>:<port>: <reason>" when it cannot (the port taken, no such address, the PKI folder not writable): the
   * station reports it and starts without OPC UA or stops, as it decides.
   */
  static async start(config: OpcUaServerConfig, deps: OpcUaServerDeps): Promise<OpcUaStationServer> {
    const opc = await loadOpcUa();
    if (deps.log) routeLogs(opc, deps.log);
    const reports = new Reports(deps.onError);
    // An IPv6 address is written in brackets in an address with a port.
    const where = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
    const pki = join(deps.dataDir, PKI_FOLDER);
    const users = new OpcUaUsers(config, (name, lockoutS) =>
      reports.tell(`locked:${name}`, `OPC UA user "${name}" is locked out for ${lockoutS} s after ${config.maxAttempts} wrong passwords`),
    );
    let onUntrusted = (_certificate: CertificateOrChain): void => {};
    // node-opcua refuses an unknown client's channel through rejectCertificate (which keeps the certificate in
    // rejected/), on every attempt: the one place that says which client and why.
    class ClientCertificates extends opc.OPCUACertificateManager {
      override async rejectCertificate(certificate: CertificateOrChain): Promise<void> {
        await super.rejectCertificate(certificate);
        onUntrusted(certificate);
      }
    }
    const certificates = new ClientCertificates({ rootFolder: pki, automaticallyAcceptUnknownCertificate: config.acceptUnknownClients });
    // X509 user certificates are not a way in here: their store stays empty and trusts nothing unknown. Named
    // anyway, or node-opcua would use one in the user's home folder.
    const userCertificates = new opc.OPCUACertificateManager({ rootFolder: join(pki, 'user'), automaticallyAcceptUnknownCertificate: false });
    const applicationUri = `urn:linesight:${deps.stationId}`;
    const userManager: UserManagerOptions = {
      isValidUserAsync: (name, password, callback) => {
        users.check(name, password).then(
          (ok) => callback(null, ok),
          () => callback(null, false),
        );
      },
    };
    let server: OPCUAServer;
    try {
      server = new opc.OPCUAServer({
        host: config.host,
        port: config.port,
        // Endpoint URLs name this address too, so a client that connects to it finds its endpoint.
        ...(isWildcard(config.host) ? {} : { alternateHostname: [config.host] }),
        securityModes: config.securityModes.map((m) => securityModeOf(opc, m)),
        securityPolicies: securityPoliciesFor(opc, config.securityModes),
        allowAnonymous: config.allowAnonymous,
        userManager,
        serverCertificateManager: certificates,
        userCertificateManager: userCertificates,
        serverInfo: { applicationUri, productUri: 'urn:linesight', applicationName: { text: `LineSight ${deps.stationName}`, locale: 'en' } },
        buildInfo: { productName: 'LineSight', manufacturerName: 'LineSight' },
        serverCapabilities: {
          maxSessions: config.maxSessions,
          maxSubscriptionsPerSession: 10,
          maxSubscriptions: config.maxSessions * 10,
          maxMonitoredItemsPerSubscription: 200,
          maxMonitoredItems: config.maxSessions * 200,
          maxMonitoredItemsQueueSize: 100,
        },
        // A session's connection, and a few for clients asking for the endpoints first.
        maxConnectionsPerEndpoint: config.maxSessions + 4,
        isAuditing: false,
      });
    } catch (err) {
      await certificates.dispose().catch(() => {});
      await userCertificates.dispose().catch(() => {});
      throw new Error(`the OPC UA server cannot start on ${where}: ${messageOf(err)}`, { cause: err });
    }
    let methods: StationMethods;
    let variables: StationVariables;
    let namespaceIndex: number;
    try {
      await server.initialize();
      await fitCertificate(server, applicationUri, (m) => reports.tell('certificate', m));
      const addressSpace = server.engine.addressSpace;
      if (!addressSpace) throw new Error('node-opcua built no address space');
      const namespace = addressSpace.getOwnNamespace();
      namespaceIndex = namespace.index;
      const object = namespace.addObject({
        nodeId: `s=${LINESIGHT_NODE}`,
        browseName: LINESIGHT_NODE,
        description: `LineSight inspection station ${deps.stationName} (${deps.stationId})`,
        organizedBy: addressSpace.rootFolder.objects,
      });
      variables = new StationVariables(opc, namespace, object);
      methods = new StationMethods(opc, deps.methods, (message) => reports.tell(`method:${message.slice(0, 80)}`, message));
      methods.addTo(namespace, object);
      await server.start();
    } catch (err) {
      await stopQuietly(server);
      try {
        server.dispose();
      } catch {
        // Half-built: what could be released was.
      }
      await certificates.dispose().catch(() => {});
      await userCertificates.dispose().catch(() => {});
      throw new Error(`the OPC UA server cannot start on ${where}: ${startFailure(err, pki)}`, { cause: err });
    }
    // Listening on every address: the URL with this PC's name, which its certificate names.
    const endpointUrl = isWildcard(config.host) ? server.getEndpointUrl() : `opc.tcp://${where}`;
    const self = new OpcUaStationServer(server, variables, methods, users, reports, endpointUrl, applicationUri, namespaceIndex);
    onUntrusted = (certificate) => self.untrusted(certificate, pki);
    self.watch();
    return self;
  }

  /** Writes what changed; called once per decision and on every state change. Never throws. */
  update(values: Partial<OpcUaStationValues>): void {
    if (this.closing) return;
    try {
      this.variables.update(values);
    } catch (err) {
      this.reports.tell('update', `OPC UA values not updated: ${messageOf(err)}`);
    }
  }

  figures(): OpcUaFigures {
    const m = this.methods.figures();
    return {
      sessions: sessionsOf(this.server),
      failedLogins: this.users.failed,
      methodCalls: m.calls,
      methodCallsRefused: m.refused,
      refusedChannels: this.refusedChannels,
    };
  }

  /** Closes the sessions and stops listening, waiting at most CLOSE_MS. Never throws; a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stopQuietly(this.server), new Promise<void>((r) => (timer = setTimeout(r, CLOSE_MS)))]);
      clearTimeout(timer);
    })();
    return this.closing;
  }

  /** What clients cause, told to the station in words a technician acts on. */
  private watch(): void {
    this.server.on('openSecureChannelFailure', (socket) => {
      this.refusedChannels++;
      const who = socket.remoteAddress ?? 'a client';
      this.reports.tell(`channel:${who}`, `an OPC UA client at ${who} could not open a secure channel: ${socket.reason}`);
    });
    this.server.on('connectionRefused', (socket) => {
      this.refusedChannels++;
      this.reports.tell('connections', `an OPC UA connection from ${socket.remoteAddress ?? 'a client'} was refused: too many at once (${socket.reason})`);
    });
  }

  /** A client application whose certificate is not trusted was refused (its certificate is in rejected/ now). */
  private untrusted(certificate: CertificateOrChain, pki: string): void {
    this.refusedChannels++;
    const who = clientNamed(certificate);
    this.reports.tell(
      `untrusted:${who}`,
      `an OPC UA client application (${who}) was refused: its certificate is not trusted. To let it in, move its certificate from ${join(pki, 'rejected')} to ${join(pki, 'trusted', 'certs')}`,
    );
  }
}

/** A certificate or its chain, as node-opcua hands it over. */
type CertificateOrChain = Parameters<OPCUACertificateManager['rejectCertificate']>[0];

/** The client application a certificate names: its application URI, or its subject. */
function clientNamed(certificate: CertificateOrChain): string {
  try {
    const first = Array.isArray(certificate) ? certificate[0] : certificate;
    if (!first) return 'unnamed';
    const x509 = new X509Certificate(first);
    return /URI:([^,\s]+)/.exec(x509.subjectAltName ?? '')?.[1] ?? x509.subject.replace(/\s+/g, ' ');
  } catch {
    return 'unnamed';
  }
}

function securityModeOf(opc: OpcUa, mode: OpcUaSecurityMode): MessageSecurityMode {
  return opc.MessageSecurityMode[mode];
}

/**
 * The two policies today's PLCs and SCADA clients support, and None only with the None mode. The older
 * Basic128Rsa15 and Basic256 (RSA PKCS#1 v1.5, deprecated by the OPC Foundation) are never offered.
 */
function securityPoliciesFor(opc: OpcUa, modes: readonly OpcUaSecurityMode[]): SecurityPolicy[] {
  const policies = [opc.SecurityPolicy.Basic256Sha256, opc.SecurityPolicy.Aes128_Sha256_RsaOaep];
  return modes.includes('None') ? [opc.SecurityPolicy.None, ...policies] : policies;
}

/** Sessions open now; 0 from a server node-opcua has torn down. */
function sessionsOf(server: OPCUAServer): number {
  try {
    return server.currentSessionCount;
  } catch {
    return 0;
  }
}

/** Why the server did not start, in a technician's words where the cause is a known one. */
function startFailure(err: unknown, pki: string): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const text = messageOf(err);
  if (code === 'EADDRINUSE' || /EADDRINUSE/.test(text)) return 'the port is taken by another program (or another station)';
  if (code === 'EADDRNOTAVAIL' || /EADDRNOTAVAIL/.test(text)) return 'this PC has no such address';
  if (code === 'EACCES' || /EACCES/.test(text)) return `access denied (a port below 1024 needs privileges; or ${pki} is not writable)`;
  return text;
}

/**
 * The station's certificate names its application URI (urn:linesight:<station id>) and its addresses; clients
 * check both. One made before the station id, host or PC name changed no longer fits: it is made again (clients
 * that trusted the old one must trust the new one, as they would a new station). A certificate a CA issued is
 * left as it is, and the mismatch told.
 */
async function fitCertificate(server: OPCUAServer, applicationUri: string, tell: (message: string) => void): Promise<void> {
  let named: string;
  let missing: string[];
  try {
    named = /URI:([^,\s]+)/.exec(new X509Certificate(server.getCertificate()).subjectAltName ?? '')?.[1] ?? '';
    missing = server.checkCertificateSAN();
  } catch {
    return;
  }
  if (named === applicationUri && missing.length === 0) return;
  const why = named !== applicationUri ? `it named ${named || 'no application'}, not ${applicationUri}` : `it did not name ${missing.join(', ')}`;
  try {
    await server.regenerateSelfSignedCertificate();
    tell(`the station's OPC UA certificate was made again (${why}): clients that trusted the old one must trust the new one`);
  } catch (err) {
    tell(`the station's OPC UA certificate does not fit (${why}) and was not made again: ${messageOf(err)}`);
  }
}

/** Shuts node-opcua's server down; never throws. */
async function stopQuietly(server: OPCUAServer): Promise<void> {
  try {
    await server.shutdown(0);
  } catch {
    // A server that failed half-way may refuse to shut down: nothing more to do.
  }
}

/**
 * node-opcua's warnings and errors, one line each (its own lines may span many, in colour), to the station's
 * log. Its first argument is where in node-opcua the line comes from: dropped.
 */
function routeLogs(opc: OpcUa, log: (line: string) => void): void {
  const line =
    (level: string) =>
    (...args: unknown[]): void => {
      try {
        const words = args.filter((a) => typeof a !== 'object' || a === null || a instanceof Error);
        const text = format(...words)
          // eslint-disable-next-line no-control-regex
          .replace(/\u001b\[[0-9;]*m/g, '')
          .replace(/\s+/g, ' ')
          .trim();
        log(`node-opcua ${level}: ${text.slice(0, 500)}`);
      } catch {
        // The log failing must not break node-opcua.
      }
    };
  opc.setWarningLogger(line('warning'));
  opc.setErrorLogger(line('error'));
}
