/**
 * The station's OPC UA server (issue 17): the station's state, counts, last
 * result and alarms as variables a PLC, SCADA or MES client reads and
 * subscribes to; recipe select and result acknowledge as methods. Off unless
 * configured. OPC UA secures itself (signed and encrypted channels, user
 * passwords), so unlike Modbus it may listen on the plant network — but then
 * only secured and only with a user's password: "None" and anonymous access
 * are for a client on this PC (loopback) alone.
 */
import { z } from 'zod';
import { ActorNameSchema, PIN_HASH_PATTERN } from './access-config';

/** 127.x.x.x, ::1 and localhost: reachable from this PC only, so no one on the network can listen in or connect. */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export const OPCUA_SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export type OpcUaSecurityMode = (typeof OPCUA_SECURITY_MODES)[number];

export const OpcUaUserSchema = z
  .object({
    /** The user name a client signs in with; method calls are audited under it. */
    name: ActorNameSchema,
    /** The password's hash, made by `npm run pin-hash` (scrypt$N$r$p$salt$hash): a stolen config file gives no password away. */
    passwordHash: z.string().regex(PIN_HASH_PATTERN, 'a hash made by npm run pin-hash (scrypt$N$r$p$salt$hash), never the password itself'),
  })
  .strict();

const ServerSchema = z
  .object({
    kind: z.literal('server'),
    /** The address the server listens on: 127.0.0.1 for a client on this PC, the plant network's address (or 0.0.0.0) for the plant's. */
    host: z.string().min(1).max(255).default('127.0.0.1'),
    /** 4840 is OPC UA's registered port. */
    port: z.number().int().min(1).max(65_535).default(4840),
    /**
     * What a channel may be: "SignAndEncrypt" (nothing readable or alterable on the wire), "Sign" (readable, not
     * alterable), "None" (neither; loopback only). Sign and SignAndEncrypt are offered with the security policies
     * Basic256Sha256 and Aes128_Sha256_RsaOaep, which PLCs and SCADA clients support.
     */
    securityModes: z
      .array(z.enum(OPCUA_SECURITY_MODES))
      .min(1)
      .refine((m) => new Set(m).size === m.length, 'each security mode once')
      .default(['SignAndEncrypt']),
    /** Clients without a user name (loopback only): they read everything and call the methods as "anonymous". */
    allowAnonymous: z.boolean().default(false),
    /** Who may sign in with a user name and password. A password always travels encrypted, whatever the channel's mode. */
    users: z
      .array(OpcUaUserSchema)
      .max(64)
      .refine((list) => new Set(list.map((u) => u.name)).size === list.length, 'user names must differ')
      .default([]),
    /**
     * A client application whose certificate the station has not seen is refused and its certificate kept in
     * <data dir>/opcua-pki/rejected; moving it to opcua-pki/trusted/certs lets it in (the usual OPC UA way). True
     * lets any client application in, its user still needing a password: for commissioning, or a closed network.
     */
    acceptUnknownClients: z.boolean().default(false),
    /** Sessions open at once (a PLC, a SCADA server, a technician's browser); more are refused, so no client can take the station's memory. */
    maxSessions: z.number().int().min(1).max(100).default(10),
    /** This many wrong passwords in a row lock a user name… */
    maxAttempts: z.number().int().min(1).max(100).default(5),
    /** …for this long. */
    lockoutS: z.number().int().min(1).max(86_400).default(60),
  })
  .strict()
  .superRefine((c, ctx) => {
    const where = `opcua.host is ${c.host}, which other machines can reach`;
    if (!isLoopbackAddress(c.host) && c.securityModes.includes('None'))
      ctx.addIssue({
        code: 'custom',
        path: ['securityModes'],
        message: `security mode "None" sends everything unsigned and readable: it is allowed only on 127.0.0.1, and ${where}; use "Sign" or "SignAndEncrypt"`,
      });
    if (!isLoopbackAddress(c.host) && c.allowAnonymous)
      ctx.addIssue({
        code: 'custom',
        path: ['allowAnonymous'],
        message: `anonymous access lets anyone connect without a password: it is allowed only on 127.0.0.1, and ${where}; list opcua.users instead`,
      });
    if (!c.allowAnonymous && c.users.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['users'],
        message: 'no one could sign in: list opcua.users (name and passwordHash from npm run pin-hash), or allow anonymous access on 127.0.0.1',
      });
  });

export const OpcUaConfigSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('none') }).strict(), ServerSchema]);
export type OpcUaConfig = z.infer<typeof OpcUaConfigSchema>;
export type OpcUaServerConfig = Extract<OpcUaConfig, { kind: 'server' }>;
