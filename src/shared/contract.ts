/**
 * The one contract between the UI and the engine. Every operation has a
 * request and a reply schema; every event a payload schema. Both transports
 * (Electron IPC, the station's WebSocket) carry exactly these, validated at
 * the engine's boundary.
 */
import { z } from 'zod';
import type { EventName, OperationName } from './channels';
import { AlarmChangeSchema, StationEventSchema } from './alarms';
import { AuditEntrySchema } from './audit';
import { InspectionSchema } from './inspection';
import { ThresholdsSchema } from './manifest';
import { ImportReportSchema, ModelActivationSchema, ModelRecordSchema } from './models';
import { StationStatusSchema } from './status';

export const operations = {
  getStatus: {
    request: z.object({}).strict(),
    reply: StationStatusSchema,
  },
  /** The JPEG of a recent frame, kept in memory for the live view; null once it has aged out. */
  getFrameImage: {
    request: z.object({ frameId: z.number().int().nonnegative() }).strict(),
    reply: z.object({ frameId: z.number(), jpeg: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes') }).nullable(),
  },
  /** The latest inspections, newest first, so a page opened mid-shift starts filled. */
  getRecentInspections: {
    request: z.object({ limit: z.number().int().min(1).max(500) }).strict(),
    reply: z.array(InspectionSchema),
  },
  /** The model registry, newest first, with the active one marked. */
  listModels: {
    request: z.object({}).strict(),
    reply: z.array(ModelRecordSchema),
  },
  /** Activations and rollbacks, newest first: who, when, why. */
  getModelHistory: {
    request: z.object({ limit: z.number().int().min(1).max(1000) }).strict(),
    reply: z.array(ModelActivationSchema),
  },
  /**
   * Checks, repairs and trial-loads a model package (a folder or manifest path on the station PC,
   * e.g. a USB stick) and stores it in the registry. Does not activate it.
   */
  importModel: {
    request: z.object({ source: z.string().min(1).max(4096) }).strict(),
    reply: ImportReportSchema,
  },
  /** Loads and warms a registered model, then switches the line to it between two frames. */
  activateModel: {
    request: z.object({ id: z.number().int().positive(), reason: z.string().max(500).optional() }).strict(),
    reply: ModelRecordSchema,
  },
  /** Goes back to the model that was active before the current one. */
  rollbackModel: {
    request: z.object({ reason: z.string().max(500).optional() }).strict(),
    reply: ModelRecordSchema,
  },
  /** The station's event log (alarms raised and cleared, machine-health changes), newest first. */
  getEvents: {
    request: z.object({ limit: z.number().int().min(1).max(1000) }).strict(),
    reply: z.array(StationEventSchema),
  },
  /** New decision thresholds, from the next frame on; written to the audit trail with the reason. */
  setThresholds: {
    request: z.object({ thresholds: ThresholdsSchema, reason: z.string().min(1).max(500) }).strict(),
    reply: ThresholdsSchema,
  },
  /** The audit trail, newest first. */
  getAudit: {
    request: z.object({ limit: z.number().int().min(1).max(1000) }).strict(),
    reply: z.array(AuditEntrySchema),
  },
} as const satisfies Record<OperationName, { request: z.ZodType; reply: z.ZodType }>;

export const events = {
  inspection: InspectionSchema,
  status: StationStatusSchema,
  /** An alarm raised, changed or cleared. */
  alarm: AlarmChangeSchema,
} as const satisfies Record<EventName, z.ZodType>;

// The name lists in channels.ts and the schemas here must not drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const operationsMatch: Same<keyof typeof operations, OperationName> = true;
const eventsMatch: Same<keyof typeof events, EventName> = true;
void operationsMatch;
void eventsMatch;

export { EVENT_NAMES, OPERATION_NAMES, ipcChannel } from './channels';
export type { EventName, OperationName } from './channels';
export type RequestOf<K extends OperationName> = z.input<(typeof operations)[K]['request']>;
export type ReplyOf<K extends OperationName> = z.infer<(typeof operations)[K]['reply']>;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(operations, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** What crosses a transport in answer to a request: never a thrown error. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The API the renderer programs against, whatever carries it. */
export type LineSightApi = {
  readonly [K in OperationName]: (request: RequestOf<K>) => Promise<ReplyOf<K>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Handlers that implement the operations on the engine's side. */
export type ApiHandlers = {
  readonly [K in OperationName]: (request: z.infer<(typeof operations)[K]['request']>) => Promise<ReplyOf<K>> | ReplyOf<K>;
};

/** Raised in the renderer when the engine answered { ok: false }. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
}
