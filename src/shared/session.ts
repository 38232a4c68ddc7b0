/**
 * Who is at the other end of a connection. Everyone is an operator (no
 * sign-in: the live view is for anyone at the line); a technician signs in
 * with a PIN to change thresholds and models, and is signed out after a
 * while without activity. One session per connection: the Electron window,
 * or one browser tab on the station's WebSocket.
 */
import { z } from 'zod';

export const ROLES = ['operator', 'technician'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A technician's sign-in locked after too many wrong PINs (issue 12: the sign-in dialog counts it down and
 * keeps the PIN pad off until it runs out, rather than reading it out of a message).
 */
export const SignInLockSchema = z.object({
  /** The technician whose sign-in is locked. */
  name: z.string(),
  /** Until when (ISO 8601, the station's clock), for "until 14:32:05". */
  until: z.string(),
  /** How long it had to run when this was sent: a page on another PC counts down from it, whatever that PC's clock says. */
  remainingMs: z.number().nonnegative(),
});
export type SignInLock = z.infer<typeof SignInLockSchema>;

export const SessionInfoSchema = z.object({
  role: z.enum(ROLES),
  /** The signed-in technician's name; null for an operator. */
  user: z.string().nullable(),
  transport: z.enum(['ipc', 'websocket']),
  /** Where the connection comes from (an IP address, or "desktop"). */
  peer: z.string(),
  /** When the technician will be signed out if nothing happens before (ISO 8601); null for an operator. */
  expiresAt: z.string().nullable(),
  idleLogoutS: z.number(),
  /** Who can sign in, for the sign-in dialog's list. */
  technicians: z.array(z.string()),
  /** The demo technician (PIN 1234) is configured: the station must get its own PINs before production. */
  demoPin: z.boolean(),
  /** Technicians whose sign-in is locked now, on any connection. */
  signInLocks: z.array(SignInLockSchema),
  /** Why the session ended, when it was ended by the station (idle). */
  endedBecause: z.string().optional(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** A PIN as typed on the pad: digits only. */
export const PinSchema = z.string().regex(/^\d{4,12}$/, 'a PIN is 4 to 12 digits');
