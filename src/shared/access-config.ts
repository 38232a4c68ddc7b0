/**
 * Who may do what, and from where: the technicians and their PINs, the
 * station's network binding, and the shifts the operator's counts follow.
 * Part of the station's config file (config.ts).
 */
import { z } from 'zod';

/** `scrypt$N$r$p$salt$hash` (salt and hash in base64), as `npm run pin-hash` prints it. */
export const PIN_HASH_PATTERN = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;

/**
 * The demo default's one technician, PIN 1234. A station that runs on it says
 * so wherever a technician signs in, until the config names its own.
 */
export const DEMO_TECHNICIAN = {
  name: 'technician',
  pinHash: 'scrypt$16384$8$1$emvQedKvFSF6N8LryzLpRg==$0UgRO5+waXHGv/N5NWeGqh526hggRiNm1hQGRL8uMeE=',
} as const;
export const DEMO_PIN = '1234';

/** A person's (or a client's) name as the audit trail names them: letters, digits, spaces, ".", "_" and "-". */
export const ActorNameSchema = z
  .string()
  .min(1)
  .max(60)
  .regex(/^[\p{L}\p{N} ._-]+$/u, 'letters, digits, spaces, ".", "_" and "-" only');

export const TechnicianSchema = z
  .object({
    /** As the audit trail names them. */
    name: ActorNameSchema,
    pinHash: z.string().regex(PIN_HASH_PATTERN, 'a hash made by npm run pin-hash (scrypt$N$r$p$salt$hash), never the PIN itself'),
  })
  .strict();

export const AuthConfigSchema = z
  .object({
    /** Left out: the demo technician (PIN 1234), flagged as such in the UI. */
    technicians: z
      .array(TechnicianSchema)
      .min(1)
      .refine((list) => new Set(list.map((t) => t.name)).size === list.length, 'technician names must differ')
      .optional(),
    /** A technician who does nothing for this long is signed out. */
    idleLogoutS: z.number().int().min(10).max(86_400).default(300),
    /** This many wrong PINs in a row lock a technician's sign-in… */
    maxAttempts: z.number().int().min(1).max(100).default(5),
    /** …for this long. */
    lockoutS: z.number().int().min(1).max(86_400).default(60),
  })
  .strict();
export type AuthConfig = z.infer<typeof AuthConfigSchema>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
export const isLoopbackHost = (host: string): boolean => LOOPBACK_HOSTS.has(host);

export const ServerConfigSchema = z
  .object({
    port: z.number().int().min(1).max(65_535).default(5780),
    /** The address the headless station listens on. Anything but loopback needs a token. */
    host: z.string().min(1).max(255).default('127.0.0.1'),
    /** Required from every client when host is not loopback: in the page's address (?token=…) or an Authorization: Bearer header. */
    token: z.string().min(16, 'at least 16 characters').max(256).optional(),
    /**
     * Names besides this PC's own, its addresses and localhost under which clients reach the station
     * (a DNS name, a reverse proxy's name); ".example.com" allows every name below example.com.
     * Requests naming any other host are refused (DNS rebinding).
     */
    allowedHosts: z
      .array(
        z
          .string()
          .min(1)
          .max(253)
          .regex(/^\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a host name such as station-3.plant.local, or .plant.local for every name below it'),
      )
      .max(64)
      .default([]),
    /** WebSocket clients connected at once (each browser tab is one); more are refused. */
    maxClients: z.number().int().min(1).max(1000).default(32),
    /** Requests one client may have answered per second (a live page asks about 20); faster clients are slowed down. */
    requestsPerS: z.number().int().min(1).max(10_000).default(50),
  })
  .strict()
  .refine((s) => isLoopbackHost(s.host) || s.token !== undefined, {
    message: 'a station bound to an address other than 127.0.0.1 needs server.token (16 characters or more)',
    path: ['token'],
  });
export type ServerConfig = z.infer<typeof ServerConfigSchema>;

/**
 * GET /api/access, open to every client: whether this station wants a token,
 * and whether the one the request carried (Authorization: Bearer) is good.
 * Browsers cannot read why a WebSocket upgrade was refused, so the page asks
 * this to tell "needs its token" from "connection lost"; it reveals nothing a
 * 401 from /api/status does not.
 */
export const ACCESS_PATH = '/api/access';
export const StationAccessAnswerSchema = z.object({ tokenRequired: z.boolean(), tokenAccepted: z.boolean() });
export type StationAccessAnswer = z.infer<typeof StationAccessAnswerSchema>;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time as HH:MM');

export const ShiftsConfigSchema = z
  .object({
    /** Local times at which a shift starts; the operator's counts start again at each. */
    starts: z
      .array(clock)
      .min(1)
      .max(24)
      .refine((s) => new Set(s).size === s.length, 'shift start times must differ')
      .default(['06:00', '14:00', '22:00']),
  })
  .strict();
export type ShiftsConfig = z.infer<typeof ShiftsConfigSchema>;
