/**
 * The station's WebSocket messages and their encoding. JSON text frames,
 * except when a message carries bytes (frame images): then one binary frame
 *   [u32 header length][header JSON, UTF-8][u32 length][bytes]…
 * in which each Uint8Array of the message is replaced by {"$bin": index}.
 * Images stay binary end to end (docs/BACKGROUND.md: base64 cost 8 ms per image).
 * No Node APIs here: the renderer uses this module too.
 */
import { z } from 'zod';

export const ClientMessageSchema = z.object({
  kind: z.literal('request'),
  id: z.number().int().nonnegative(),
  op: z.string().min(1).max(100),
  payload: z.unknown(),
});
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/**
 * Events go out one by one, or gathered for a few milliseconds into one
 * message ("events"): at line rate the per-message cost of a socket write
 * per client per item would come out of the line's own CPU.
 */
export type ServerMessage =
  | { kind: 'reply'; id: number; result: { ok: true; value: unknown } | { ok: false; error: string } }
  | { kind: 'event'; event: string; payload: unknown }
  | { kind: 'events'; items: { event: string; payload: unknown }[] };

const EventItemSchema = z.object({ event: z.string(), payload: z.unknown() });

export const ServerMessageSchema = z.union([
  z.object({
    kind: z.literal('reply'),
    id: z.number(),
    result: z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: z.string() })]),
  }),
  z.object({ kind: z.literal('event'), event: z.string(), payload: z.unknown() }),
  z.object({ kind: z.literal('events'), items: z.array(EventItemSchema) }),
]);

/** The events a server message carries, in order (none for a reply). */
export function eventsOf(message: z.infer<typeof ServerMessageSchema>): { event: string; payload: unknown }[] {
  if (message.kind === 'event') return [{ event: message.event, payload: message.payload }];
  if (message.kind === 'events') return message.items;
  return [];
}

const BIN_KEY = '$bin';

function extractBinary(value: unknown, out: Uint8Array[]): unknown {
  if (value instanceof Uint8Array) {
    out.push(value);
    return { [BIN_KEY]: out.length - 1 };
  }
  if (Array.isArray(value)) return value.map((v) => extractBinary(v, out));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, extractBinary(v, out)]));
  }
  return value;
}

function restoreBinary(value: unknown, parts: readonly Uint8Array[]): unknown {
  if (Array.isArray(value)) return value.map((v) => restoreBinary(v, parts));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === BIN_KEY) {
      const index = (value as Record<string, unknown>)[BIN_KEY];
      const part = typeof index === 'number' ? parts[index] : undefined;
      if (!part) throw new WireError(`binary reference ${String(index)} has no attachment`);
      return part;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreBinary(v, parts)]));
  }
  return value;
}

export class WireError extends Error {
  override readonly name = 'WireError';
}

export function encodeMessage(message: unknown): string | Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  const header = extractBinary(message, parts);
  const json = JSON.stringify(header);
  if (parts.length === 0) return json;
  const headerBytes = new TextEncoder().encode(json);
  const total = 4 + headerBytes.length + parts.reduce((n, p) => n + 4 + p.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length);
  out.set(headerBytes, 4);
  let at = 4 + headerBytes.length;
  for (const part of parts) {
    view.setUint32(at, part.length);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  return out;
}

export function decodeMessage(data: string | Uint8Array): unknown {
  if (typeof data === 'string') {
    try {
      return JSON.parse(data);
    } catch {
      throw new WireError('message is not valid JSON');
    }
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 4) throw new WireError('binary message shorter than its header');
  const headerLength = view.getUint32(0);
  if (4 + headerLength > data.length) throw new WireError('binary message header overruns the message');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + headerLength)));
  } catch {
    throw new WireError('binary message header is not valid JSON');
  }
  const parts: Uint8Array[] = [];
  let at = 4 + headerLength;
  while (at < data.length) {
    if (at + 4 > data.length) throw new WireError('binary attachment length is cut off');
    const length = view.getUint32(at);
    if (at + 4 + length > data.length) throw new WireError('binary attachment overruns the message');
    parts.push(data.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return restoreBinary(header, parts);
}
