/**
 * The station's OPC UA server (issue 17) against a real node-opcua client on loopback: a client signed in over
 * SignAndEncrypt reads what update() wrote, is told of changes by a subscription, and calls SelectRecipe and
 * AcknowledgeResult, which reach the station with its user name; anonymous and wrong passwords are refused, and
 * a name locked after repeated wrong ones; a client application whose certificate is not trusted is refused
 * until a technician trusts it; a taken port stops start with its reason; the config refuses "None" and
 * anonymous access beyond loopback.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds,
  ClientSubscription,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  UserTokenType,
  type ClientSession,
  type UserIdentityInfo,
  type Variant,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPin } from '../../../src/engine/auth/pin-hash';
import { OpcUaStationServer, type MethodAnswer, type OpcUaServerDeps } from '../../../src/engine/opcua/opcua-server';
import { OpcUaConfigSchema, type OpcUaServerConfig } from '../../../src/shared/opcua-config';
import { freePort } from '../../helpers/free-port';
import { waitFor } from '../../helpers/wait';

/** Low scrypt cost: the rules are the same, the test is quicker. */
const TEST_COST = { N: 1024, r: 8, p: 1 };

interface Call {
  readonly method: 'selectRecipe' | 'acknowledgeResult';
  readonly arg: string | number;
  readonly user: string;
}

/** A station's side of the methods: records each call and answers as told. */
function fakeStation(dataDir: string): { deps: OpcUaServerDeps; calls: Call[]; errors: string[]; answer: { next: (() => Promise<MethodAnswer>) | null } } {
  const calls: Call[] = [];
  const errors: string[] = [];
  const answer: { next: (() => Promise<MethodAnswer>) | null } = { next: null };
  const reply = (fallback: MethodAnswer): Promise<MethodAnswer> => {
    const next = answer.next;
    answer.next = null;
    return next ? next() : Promise.resolve(fallback);
  };
  return {
    calls,
    errors,
    answer,
    deps: {
      dataDir,
      stationId: 'line-7',
      stationName: 'Line 7',
      methods: {
        selectRecipe: (recipe, user) => {
          calls.push({ method: 'selectRecipe', arg: recipe, user });
          return reply({ accepted: true, message: `recipe ${recipe} selected` });
        },
        acknowledgeResult: (resultId, user) => {
          calls.push({ method: 'acknowledgeResult', arg: resultId, user });
          return reply({ accepted: true, message: `result ${resultId} acknowledged` });
        },
      },
      onError: (m) => errors.push(m),
      // node-opcua's own chatter stays out of the test output.
      log: () => {},
    },
  };
}

function serverConfig(input: Record<string, unknown>): OpcUaServerConfig {
  const config = OpcUaConfigSchema.parse({ kind: 'server', ...input });
  if (config.kind !== 'server') throw new Error('expected a server config');
  return config;
}

const root = mkdtempSync(join(tmpdir(), 'linesight-opcua-'));
/** One client PKI for the file: its certificate is made once. */
const clientCertificates = new OPCUACertificateManager({ rootFolder: join(root, 'client-pki'), automaticallyAcceptUnknownCertificate: true });
const clients: OPCUAClient[] = [];

afterAll(async () => {
  for (const c of clients.splice(0)) await c.disconnect().catch(() => {});
  await clientCertificates.dispose();
  rmSync(root, { recursive: true, force: true });
});

function client(mode: 'None' | 'SignAndEncrypt'): OPCUAClient {
  const c = OPCUAClient.create({
    applicationName: 'LineSight test client',
    endpointMustExist: false,
    securityMode: mode === 'None' ? MessageSecurityMode.None : MessageSecurityMode.SignAndEncrypt,
    securityPolicy: mode === 'None' ? SecurityPolicy.None : SecurityPolicy.Basic256Sha256,
    clientCertificateManager: clientCertificates,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    keepSessionAlive: false,
  });
  clients.push(c);
  return c;
}

async function session(url: string, mode: 'None' | 'SignAndEncrypt', identity?: UserIdentityInfo): Promise<ClientSession> {
  const c = client(mode);
  await c.connect(url);
  return identity ? c.createSession(identity) : c.createSession();
}

const user = (userName: string, password: string): UserIdentityInfo => ({ type: UserTokenType.UserName, userName, password });

async function read(s: ClientSession, path: string, ns: number): Promise<unknown> {
  const dv = await s.read({ nodeId: `ns=${ns};s=LineSight.${path}`, attributeId: AttributeIds.Value });
  if (!dv.statusCode.isGood()) return dv.statusCode.name;
  return dv.value.value;
}

async function call(s: ClientSession, ns: number, method: string, arg: { dataType: DataType; value: unknown }): Promise<{ status: string; out: unknown[] }> {
  const r = await s.call({ objectId: `ns=${ns};s=LineSight`, methodId: `ns=${ns};s=LineSight.${method}`, inputArguments: [arg] });
  return { status: r.statusCode.name, out: (r.outputArguments ?? []).map((v: Variant) => v.value as unknown) };
}

describe('OPC UA server: SignAndEncrypt, users with passwords', () => {
  let server: OpcUaStationServer;
  let station: ReturnType<typeof fakeStation>;
  let operator: ClientSession;
  let ns: number;

  beforeAll(async () => {
    station = fakeStation(join(root, 'station-a'));
    const port = await freePort();
    server = await OpcUaStationServer.start(
      serverConfig({
        port,
        // Trust is tested on its own server below; here every client application is let in, each user still needs a password.
        acceptUnknownClients: true,
        maxAttempts: 3,
        users: [
          { name: 'operator', passwordHash: await hashPin('line-7-secret', TEST_COST) },
          { name: 'shift lead', passwordHash: await hashPin('another-secret', TEST_COST) },
        ],
      }),
      station.deps,
    );
    ns = server.namespaceIndex;
    operator = await session(server.endpointUrl, 'SignAndEncrypt', user('operator', 'line-7-secret'));
  });

  afterAll(async () => {
    await operator?.close().catch(() => {});
    await server?.close();
  });

  it('lets a signed-in client read what update() wrote, in the station’s namespace, and write none of it', async () => {
    expect(server.endpointUrl).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
    const namespaces = (await operator.read({ nodeId: 'ns=0;i=2255', attributeId: AttributeIds.Value })).value.value as string[];
    expect(ns).toBe(1);
    expect(namespaces[ns]).toBe('urn:linesight:line-7');
    server.update({
      state: 'running',
      ready: true,
      failSafe: false,
      model: 'bottle-caps',
      modelVersion: '3',
      recipe: 'Bottle-500',
      counts: { inspected: 120, good: 110, divert: 4, reject: 6 },
      lastResult: { frameId: 120, capturedAt: '2026-05-04T10:11:12.345Z', decision: 'pit', rejectScore: 0.93 },
      alarms: [{ kind: 'camera', message: 'no picture for 2 s' }],
    });
    expect(await read(operator, 'State', ns)).toBe('running');
    expect(await read(operator, 'Ready', ns)).toBe(true);
    expect(await read(operator, 'FailSafe', ns)).toBe(false);
    expect(await read(operator, 'Model', ns)).toBe('bottle-caps');
    expect(await read(operator, 'ModelVersion', ns)).toBe('3');
    expect(await read(operator, 'Recipe', ns)).toBe('Bottle-500');
    expect(await read(operator, 'Counts.Inspected', ns)).toBe(120);
    expect(await read(operator, 'Counts.Good', ns)).toBe(110);
    expect(await read(operator, 'Counts.Divert', ns)).toBe(4);
    expect(await read(operator, 'Counts.Reject', ns)).toBe(6);
    expect(await read(operator, 'LastResult.Id', ns)).toBe(120);
    expect(await read(operator, 'LastResult.Decision', ns)).toBe('pit');
    expect(await read(operator, 'LastResult.Verdict', ns)).toBe('NG');
    expect(await read(operator, 'LastResult.RejectScore', ns)).toBeCloseTo(0.93, 10);
    expect(((await read(operator, 'LastResult.CapturedAt', ns)) as Date).toISOString()).toBe('2026-05-04T10:11:12.345Z');
    expect(await read(operator, 'LastResult.FailSafeReason', ns)).toBe('');
    expect(await read(operator, 'Alarms.Active', ns)).toBe(1);
    expect(await read(operator, 'Alarms.Messages', ns)).toEqual(['camera: no picture for 2 s']);

    // A fail-safe reject has no score: the score reads Bad (no value), the reason says why.
    server.update({
      failSafe: true,
      lastResult: { frameId: 121, capturedAt: '2026-05-04T10:11:13.000Z', decision: 'pit', rejectScore: null, failSafeReason: 'camera frozen' },
      alarms: [],
    });
    expect(await read(operator, 'LastResult.Id', ns)).toBe(121);
    expect(await read(operator, 'LastResult.RejectScore', ns)).toBe('BadNoValue');
    expect(await read(operator, 'LastResult.FailSafeReason', ns)).toBe('camera frozen');
    expect(await read(operator, 'FailSafe', ns)).toBe(true);
    expect(await read(operator, 'Alarms.Active', ns)).toBe(0);
    expect(await read(operator, 'Alarms.Messages', ns)).toEqual([]);
    // Counts past UInt32 wrap like a PLC's counter.
    server.update({ counts: { inspected: 2 ** 32 + 5, good: 0, divert: 0, reject: 0 } });
    expect(await read(operator, 'Counts.Inspected', ns)).toBe(5);

    const written = await operator.write({
      nodeId: `ns=${ns};s=LineSight.Recipe`,
      attributeId: AttributeIds.Value,
      value: { value: { dataType: DataType.String, value: 'forged' } },
    });
    expect(written.isGood()).toBe(false);
    expect(await read(operator, 'Recipe', ns)).toBe('Bottle-500');
  });

  it('writes a value only when it changed, and tells a subscriber each change', async () => {
    const sourceTime = async (): Promise<number> =>
      (await operator.read({ nodeId: `ns=${ns};s=LineSight.Counts.Good`, attributeId: AttributeIds.Value })).sourceTimestamp!.getTime();
    server.update({ counts: { inspected: 1, good: 1, divert: 0, reject: 0 } });
    const before = await sourceTime();
    await new Promise((r) => setTimeout(r, 20));
    server.update({ counts: { inspected: 2, good: 1, divert: 0, reject: 0 } });
    expect(await read(operator, 'Counts.Inspected', ns)).toBe(2);
    expect(await sourceTime()).toBe(before);

    const subscription = ClientSubscription.create(operator, {
      requestedPublishingInterval: 50,
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 100,
      publishingEnabled: true,
    });
    try {
      const item = await subscription.monitor(
        { nodeId: `ns=${ns};s=LineSight.LastResult.Id`, attributeId: AttributeIds.Value },
        { samplingInterval: 0, queueSize: 10, discardOldest: true },
        TimestampsToReturn.Both,
      );
      const seen: number[] = [];
      item.on('changed', (dv) => seen.push(dv.value.value as number));
      await waitFor('the subscription’s first value', () => seen.length > 0);
      server.update({ lastResult: { frameId: 500, capturedAt: new Date().toISOString(), decision: 'clean', rejectScore: 0.01 } });
      await waitFor('LastResult.Id 500 notified', () => seen.includes(500));
      server.update({ lastResult: { frameId: 501, capturedAt: new Date().toISOString(), decision: 'maybe', rejectScore: 0.5 } });
      await waitFor('LastResult.Id 501 notified', () => seen.includes(501));
      expect(seen.slice(-2)).toEqual([500, 501]);
      expect(await read(operator, 'LastResult.Verdict', ns)).toBe('DIVERT');
    } finally {
      await subscription.terminate();
    }
  });

  it('passes SelectRecipe and AcknowledgeResult to the station with the user name, and answers what it said', async () => {
    station.calls.length = 0;
    expect(await call(operator, ns, 'SelectRecipe', { dataType: DataType.String, value: 'Bottle-330' })).toEqual({
      status: 'Good',
      out: [true, 'recipe Bottle-330 selected'],
    });
    expect(await call(operator, ns, 'AcknowledgeResult', { dataType: DataType.UInt32, value: 501 })).toEqual({
      status: 'Good',
      out: [true, 'result 501 acknowledged'],
    });
    station.answer.next = () => Promise.resolve({ accepted: false, message: 'no recipe called Nope' });
    expect(await call(operator, ns, 'SelectRecipe', { dataType: DataType.String, value: 'Nope' })).toEqual({
      status: 'Good',
      out: [false, 'no recipe called Nope'],
    });
    expect(station.calls).toEqual([
      { method: 'selectRecipe', arg: 'Bottle-330', user: 'operator' },
      { method: 'acknowledgeResult', arg: 501, user: 'operator' },
      { method: 'selectRecipe', arg: 'Nope', user: 'operator' },
    ]);
  });

  it('answers Accepted=false when the station throws, tells the station, and goes on serving', async () => {
    station.calls.length = 0;
    station.answer.next = () => Promise.reject(new Error('the recipe store is locked'));
    const r = await call(operator, ns, 'SelectRecipe', { dataType: DataType.String, value: 'Bottle-500' });
    expect(r.status).toBe('Good');
    expect(r.out[0]).toBe(false);
    expect(r.out[1]).toContain('the recipe store is locked');
    expect(station.errors.some((e) => e.includes('SelectRecipe by operator') && e.includes('the recipe store is locked'))).toBe(true);
    // The server still answers reads and calls.
    expect(await read(operator, 'Recipe', ns)).toBe('Bottle-500');
    expect((await call(operator, ns, 'AcknowledgeResult', { dataType: DataType.UInt32, value: 7 })).out).toEqual([true, 'result 7 acknowledged']);
  });

  it('refuses method input of the wrong type or length before the station sees it', async () => {
    station.calls.length = 0;
    const refusedBefore = server.figures().methodCallsRefused;
    const long = await call(operator, ns, 'SelectRecipe', { dataType: DataType.String, value: 'x'.repeat(101) });
    expect(long.out[0]).toBe(false);
    expect(long.out[1]).toMatch(/1 to 100 characters/);
    const control = await call(operator, ns, 'SelectRecipe', { dataType: DataType.String, value: 'a\u0000b' });
    expect(control.out[0]).toBe(false);
    const wrongType = await call(operator, ns, 'SelectRecipe', { dataType: DataType.Double, value: 3.5 });
    expect(wrongType.status).not.toBe('Good');
    const negative = await call(operator, ns, 'AcknowledgeResult', { dataType: DataType.Int32, value: -1 });
    expect(negative.status).not.toBe('Good');
    expect(station.calls).toEqual([]);
    expect(server.figures().methodCallsRefused).toBeGreaterThanOrEqual(refusedBefore + 2);
  });

  it('offers neither anonymous access nor a password in clear', async () => {
    // Asked over a None channel, as any client first asks: what the server offers, whoever asks.
    const c = client('None');
    await c.connect(server.endpointUrl);
    const endpoints = await c.getEndpoints();
    expect(endpoints.length).toBeGreaterThan(0);
    for (const e of endpoints) {
      expect(e.securityMode).toBe(MessageSecurityMode.SignAndEncrypt);
      expect([SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep]).toContain(e.securityPolicyUri);
      const tokens = e.userIdentityTokens ?? [];
      expect(tokens.some((t) => t.tokenType === UserTokenType.UserName)).toBe(true);
      expect(tokens.some((t) => t.tokenType === UserTokenType.Anonymous)).toBe(false);
    }
  });

  it('refuses anonymous clients and wrong passwords, counts them, and locks a name after maxAttempts', async () => {
    await expect(session(server.endpointUrl, 'SignAndEncrypt')).rejects.toThrow();
    const failedBefore = server.figures().failedLogins;
    await expect(session(server.endpointUrl, 'SignAndEncrypt', user('operator', 'wrong'))).rejects.toThrow(/BadUserAccessDenied|denied/i);
    await expect(session(server.endpointUrl, 'SignAndEncrypt', user('nobody', 'line-7-secret'))).rejects.toThrow();
    expect(server.figures().failedLogins).toBe(failedBefore + 2);

    // maxAttempts (3) wrong passwords lock "shift lead": then even the right one is refused.
    for (let i = 0; i < 3; i++) await expect(session(server.endpointUrl, 'SignAndEncrypt', user('shift lead', `guess-${i}`))).rejects.toThrow();
    expect(station.errors.some((e) => e.includes('"shift lead" is locked out for 60 s after 3 wrong passwords'))).toBe(true);
    await expect(session(server.endpointUrl, 'SignAndEncrypt', user('shift lead', 'another-secret'))).rejects.toThrow();
    expect(server.figures().failedLogins).toBe(failedBefore + 6);
    // The operator is not locked by another name's failures.
    const again = await session(server.endpointUrl, 'SignAndEncrypt', user('operator', 'line-7-secret'));
    await again.close();
  });

  it('counts sessions and method calls for Diagnostics', () => {
    const f = server.figures();
    expect(f.sessions).toBeGreaterThanOrEqual(1);
    expect(f.methodCalls).toBeGreaterThanOrEqual(7);
    expect(f.methodCallsRefused).toBeGreaterThanOrEqual(4);
  });

  it('keeps update() from throwing into the station: a value of the wrong kind is reported', () => {
    const errorsBefore = station.errors.length;
    expect(() => server.update({ counts: null as unknown as { inspected: number; good: number; divert: number; reject: number } })).not.toThrow();
    expect(station.errors.length).toBe(errorsBefore + 1);
    expect(station.errors.at(-1)).toMatch(/OPC UA values not updated/);
  });
});

describe('OPC UA server: loopback, None for anonymous, trusted client applications only', () => {
  let server: OpcUaStationServer;
  let station: ReturnType<typeof fakeStation>;
  const dataDir = join(root, 'station-b');

  beforeAll(async () => {
    station = fakeStation(dataDir);
    server = await OpcUaStationServer.start(
      serverConfig({ port: await freePort(), securityModes: ['None', 'SignAndEncrypt'], allowAnonymous: true }),
      station.deps,
    );
  });

  afterAll(async () => {
    await server?.close();
  });

  it('lets an anonymous client read and call over None on loopback, as "anonymous"; a password there still travels encrypted', async () => {
    const c = client('None');
    await c.connect(server.endpointUrl);
    const s = await c.createSession();
    try {
      const none = (await c.getEndpoints()).filter((e) => e.securityMode === MessageSecurityMode.None);
      expect(none.length).toBeGreaterThan(0);
      for (const e of none)
        for (const t of (e.userIdentityTokens ?? []).filter((t) => t.tokenType === UserTokenType.UserName))
          expect([SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep]).toContain(t.securityPolicyUri);
      // Before the first result: Id 0, the rest waiting for its first value.
      expect(await read(s, 'LastResult.Id', server.namespaceIndex)).toBe(0);
      expect(await read(s, 'LastResult.Decision', server.namespaceIndex)).toBe('BadWaitingForInitialData');
      expect(await read(s, 'State', server.namespaceIndex)).toBe('starting');
      server.update({ state: 'stopping' });
      expect(await read(s, 'State', server.namespaceIndex)).toBe('stopping');
      expect((await call(s, server.namespaceIndex, 'AcknowledgeResult', { dataType: DataType.UInt32, value: 3 })).out[0]).toBe(true);
      expect(station.calls.at(-1)).toEqual({ method: 'acknowledgeResult', arg: 3, user: 'anonymous' });
    } finally {
      await s.close();
    }
  });

  it('refuses a client application whose certificate is not trusted, until it is moved to trusted', async () => {
    await expect(session(server.endpointUrl, 'SignAndEncrypt')).rejects.toThrow();
    const rejected = join(dataDir, 'opcua-pki', 'rejected');
    const files = await waitFor('the client certificate in rejected/', () => {
      const list = readdirSync(rejected).filter((f) => f.endsWith('.pem') || f.endsWith('.der'));
      return list.length > 0 ? list : null;
    });
    expect(station.errors.some((e) => /client application \(urn:.+\) was refused: its certificate is not trusted/.test(e) && e.includes(rejected))).toBe(true);
    expect(server.figures().refusedChannels).toBeGreaterThanOrEqual(1);

    for (const f of files) renameSync(join(rejected, f), join(dataDir, 'opcua-pki', 'trusted', 'certs', f));
    const s = await waitFor('the trusted client to connect', async () => {
      try {
        return await session(server.endpointUrl, 'SignAndEncrypt');
      } catch {
        return null;
      }
    });
    server.update({ state: 'running' });
    expect(await read(s, 'State', server.namespaceIndex)).toBe('running');
    await s.close();
  });
});

describe('OPC UA server start', () => {
  it('throws with the reason when the port is taken', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
    try {
      const { deps } = fakeStation(join(root, 'station-c'));
      await expect(OpcUaStationServer.start(serverConfig({ port, allowAnonymous: true }), deps)).rejects.toThrow(
        `the OPC UA server cannot start on 127.0.0.1:${port}: the port is taken`,
      );
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  });

  it('makes the station’s certificate again when the station id it names changed, and says so', async () => {
    const dataDir = join(root, 'station-d');
    const first = fakeStation(dataDir);
    const config = serverConfig({ port: await freePort(), allowAnonymous: true, securityModes: ['None'] });
    await (await OpcUaStationServer.start(config, first.deps)).close();
    const certificate = join(dataDir, 'opcua-pki', 'own', 'certs', 'certificate.pem');
    expect(new X509Certificate(readFileSync(certificate)).subjectAltName).toContain('URI:urn:linesight:line-7');
    expect(first.errors).toEqual([]);

    const renamed = fakeStation(dataDir);
    const server = await OpcUaStationServer.start(config, { ...renamed.deps, stationId: 'line-8' });
    await server.close();
    expect(new X509Certificate(readFileSync(certificate)).subjectAltName).toContain('URI:urn:linesight:line-8');
    expect(renamed.errors).toEqual([
      "the station's OPC UA certificate was made again (it named urn:linesight:line-7, not urn:linesight:line-8): clients that trusted the old one must trust the new one",
    ]);
  });
});

describe('OPC UA config', () => {
  const hash = 'scrypt$1024$8$1$c2FsdA==$aGFzaA==';

  it('defaults to SignAndEncrypt on 127.0.0.1:4840, no anonymous access, unknown clients refused', () => {
    expect(serverConfig({ users: [{ name: 'scada', passwordHash: hash }] })).toEqual({
      kind: 'server',
      host: '127.0.0.1',
      port: 4840,
      securityModes: ['SignAndEncrypt'],
      allowAnonymous: false,
      users: [{ name: 'scada', passwordHash: hash }],
      acceptUnknownClients: false,
      maxSessions: 10,
      maxAttempts: 5,
      lockoutS: 60,
    });
    expect(OpcUaConfigSchema.parse({ kind: 'none' })).toEqual({ kind: 'none' });
  });

  it('refuses "None" and anonymous access beyond loopback, saying why', () => {
    const none = OpcUaConfigSchema.safeParse({ kind: 'server', host: '0.0.0.0', securityModes: ['None'], users: [{ name: 'scada', passwordHash: hash }] });
    expect(none.success).toBe(false);
    expect(none.error?.issues[0]?.message).toMatch(/security mode "None" .* allowed only on 127\.0\.0\.1, and opcua\.host is 0\.0\.0\.0/);
    const anonymous = OpcUaConfigSchema.safeParse({ kind: 'server', host: '192.168.10.5', allowAnonymous: true });
    expect(anonymous.success).toBe(false);
    expect(anonymous.error?.issues.map((i) => i.message).join('\n')).toMatch(/anonymous access .* allowed only on 127\.0\.0\.1/);
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost'])
      expect(OpcUaConfigSchema.safeParse({ kind: 'server', host, securityModes: ['None'], allowAnonymous: true }).success).toBe(true);
  });

  it('refuses a server no one could sign in to, a password in place of its hash, and unknown fields', () => {
    expect(OpcUaConfigSchema.safeParse({ kind: 'server' }).error?.issues[0]?.message).toMatch(/no one could sign in/);
    expect(OpcUaConfigSchema.safeParse({ kind: 'server', users: [{ name: 'scada', passwordHash: 'secret' }] }).success).toBe(false);
    expect(OpcUaConfigSchema.safeParse({ kind: 'server', allowAnonymous: true, password: 'x' }).success).toBe(false);
    expect(OpcUaConfigSchema.safeParse({ kind: 'server', allowAnonymous: true, securityModes: ['Sign', 'Sign'] }).success).toBe(false);
  });
});
