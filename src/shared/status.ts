/** What the station reports about itself: /api/status, the UI, the bench. */
import { z } from 'zod';
import { DECISIONS } from './decision';
import { ALARM_KINDS, AlarmSchema } from './alarms';
import { MachineHealthSchema } from './machine';
import { BenchProgressSchema } from './bench';
import { ThresholdsSchema } from './manifest';

export const StageNames = ['decode', 'preprocess', 'inference', 'decision', 'log', 'total'] as const;
export type StageName = (typeof StageNames)[number];

const LatencySchema = z.object({ count: z.number(), p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() });
export type LatencySummary = z.infer<typeof LatencySchema>;

const DecisionCountsSchema = z.object(Object.fromEntries(DECISIONS.map((d) => [d, z.number()])) as Record<(typeof DECISIONS)[number], z.ZodNumber>);
export type DecisionCounts = z.infer<typeof DecisionCountsSchema>;

/**
 * What the station's WebSocket and HTTP boundary did with clients that broke its rules (all zero in the
 * desktop app, whose one window talks IPC). Issue 11: none of them may stop the line or grow its memory.
 */
export const TransportCountersSchema = z.object({
  /** Sockets closed for a protocol violation: a frame over the size limit, invalid UTF-8, unmasked, reserved bits or opcodes. */
  protocolErrors: z.number(),
  /** Requests refused because their Host or Origin did not name the station (DNS rebinding, another site's page). */
  refusedHosts: z.number(),
  /** Connections refused because server.maxClients were connected already. */
  refusedFull: z.number(),
  /** Times a client asked faster than server.requestsPerS and was made to wait. */
  throttled: z.number(),
  /** Clients closed because they left their replies unread. */
  closedNotReading: z.number(),
  /** Clients closed because they piled up requests faster than they could be answered. */
  closedFlooding: z.number(),
  /** Replies that could not be encoded or sent (the connection went on). */
  failedReplies: z.number(),
});
export type TransportCounters = z.infer<typeof TransportCountersSchema>;

export function createTransportCounters(): TransportCounters {
  return { protocolErrors: 0, refusedHosts: 0, refusedFull: 0, throttled: 0, closedNotReading: 0, closedFlooding: 0, failedReplies: 0 };
}

/** The log's and the uploads' contracts, typed once here: the engine's types derive from them (storage/, upload/). */
export const UPLOAD_STREAMS = ['inspections', 'audit'] as const;

/** A database moved aside (it failed its check at a start) and what of its rows is still to be uploaded. */
export const MovedAsideSchema = z.object({
  file: z.string(),
  /**
   * The id its rows are uploaded under: the file's own (migration 7; '' for the database that held rows when ids came), or,
   * for a file from before ids, one made from its name ('aside:…'), so that it never shares '' with another; null when it cannot be read.
   */
  databaseId: z.string().nullable(),
  /** draining: rows left to send; drained: every target has them all; unreadable: some cannot be read; no-targets: nothing to send them to. */
  state: z.enum(['draining', 'drained', 'unreadable', 'no-targets']),
  /** Rows some upload target has yet to receive; null when the file cannot be read. */
  unsent: z.number().nullable(),
  sent: z.number(),
  /** Rows sent from it that a target said it already held (not stored again): another file's rows under the same key. */
  alreadyPresent: z.number(),
  problem: z.string().nullable(),
});
export type MovedAsideStatus = z.infer<typeof MovedAsideSchema>;

export const UploadLaneSchema = z.object({
  target: z.string(),
  kind: z.string(),
  stream: z.enum(UPLOAD_STREAMS),
  sent: z.number(),
  pending: z.number(),
  lastSeq: z.number(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  /** idle: nothing to send; sending; retrying: waiting after a failure. */
  state: z.enum(['idle', 'sending', 'retrying']),
  failures: z.number(),
  /**
   * Rows sent since start that the target said it already held (PostgreSQL stored fewer rows than the batch had; a batch sent
   * again after a lost answer is not counted): rows with the same station, database id and seq were there before.
   */
  alreadyPresent: z.number(),
});
export type UploadLaneStatus = z.infer<typeof UploadLaneSchema>;

export const ImageWritesSchema = z.object({
  inFlight: z.number(),
  inFlightBytes: z.number(),
  /** Not kept because storage's cap on writes in flight was reached (the disk is slow or hung): the row says no image. */
  notKeptBusy: z.number(),
  /** The write failed (a full disk, a removed folder): the row's image is dropped from the log. */
  notKeptFailed: z.number(),
});
export type ImageWritesStatus = z.infer<typeof ImageWritesSchema>;

/**
 * A triggered item's stages (issue 17): trigger → frame (the camera), frame → decision (the line), decision →
 * command (the result shown to the PLC; waits while earlier results are not acknowledged), command →
 * confirmation (the ejector, rejects only), and total: trigger → command, the PLC's cycle.
 */
export const CYCLE_STAGES = ['frame', 'decision', 'command', 'confirm', 'total'] as const;
export type CycleStage = (typeof CYCLE_STAGES)[number];

export const CycleTimesSchema = z.object({
  /** Upper bucket edges, ms; a last bucket holds what is above the last edge. */
  edgesMs: z.array(z.number()),
  stages: z.array(
    z.object({ stage: z.enum(CYCLE_STAGES), counts: z.array(z.number()), n: z.number(), p50: z.number().nullable(), p99: z.number().nullable() }),
  ),
});
export type CycleTimes = z.infer<typeof CycleTimesSchema>;

export const StationStatusSchema = z.object({
  station: z.object({ id: z.string(), name: z.string(), startedAt: z.string(), uptimeS: z.number() }),
  model: z.object({
    name: z.string(),
    version: z.string(),
    /** ready: scoring frames; restarting: its worker died and is being started again (frames are rejected fail-safe meanwhile); swapping: a new model is loading beside it. */
    state: z.enum(['ready', 'restarting', 'swapping']),
    /** The execution provider in use, and why the ones preferred before it were not. */
    provider: z.string(),
    fallbacks: z.array(z.object({ provider: z.string(), reason: z.string() })),
    /** What decodes JPEG frames (engine/preprocess/native-codecs.ts): the libraries found, or why sharp. */
    decoder: z.object({ name: z.string(), detail: z.string() }),
    labels: z.array(z.string()),
    rejectLabel: z.string(),
    /** What loading repaired in the model (ZipMap, denormals, float16 edges). */
    notes: z.array(z.string()),
    /** The registry id, or null for a model run straight from a folder (the bundled default). */
    registryId: z.number().nullable(),
    mode: z.enum(['latency', 'throughput']),
    batchSize: z.number(),
    threads: z.number(),
    workerRestarts: z.number(),
    /** Who set the provider, threads, mode and batch in force (the benchmark's recommendation), when and why; null: the config file's. */
    settingsSetBy: z.object({ actor: z.string(), at: z.string(), reason: z.string().nullable() }).nullable(),
  }),
  thresholds: ThresholdsSchema,
  /** Who set the thresholds in force, when and why; null while they are the model's or the config file's. */
  thresholdsSetBy: z.object({ actor: z.string(), at: z.string(), reason: z.string().nullable() }).nullable(),
  /** The camera. */
  source: z.object({
    kind: z.string(),
    description: z.string(),
    state: z.enum(['starting', 'running', 'down', 'finished', 'stopped']),
    fps: z.number(),
    framesDelivered: z.number(),
    reconnects: z.number(),
    /** Frames or files the source refused (too large, unreadable). */
    rejected: z.number(),
    /** Since the last frame, ms; null before the first. */
    lastFrameAgeMs: z.number().nullable(),
    stallMs: z.number(),
    lastError: z.string().optional(),
  }),
  /** Machine health from the sensors; null when no sensor is configured. */
  machine: MachineHealthSchema.nullable(),
  /** The alarms standing now. */
  alarms: z.array(AlarmSchema),
  /** Engaged while the station cannot vouch for its decisions (camera stalled or down, model restarting): the reject output rejects. */
  failSafe: z.object({
    engaged: z.boolean(),
    /** The technician's words: each cause's alarm message. */
    reasons: z.array(z.string()),
    /** The kind of each cause, in the same order, so that the UI can say it in plain words (shared/operator-words.ts). */
    kinds: z.array(z.enum(ALARM_KINDS)),
  }),
  frames: z.object({
    /** frames the source delivered */
    seen: z.number(),
    /** frames that reached a decision from the model */
    classified: z.number(),
    /** frames that failed (unreadable, model error) and were rejected fail-safe */
    errors: z.number(),
    /** frames dropped because the pipeline was busy */
    dropped: z.number(),
  }),
  /** Decisions since the station started. */
  decisions: DecisionCountsSchema,
  rejectRate: z.number(),
  /** The shift in progress (config `shifts`), counted from the log, so a restart mid-shift keeps its counts. */
  shift: z.object({ name: z.string(), startedAt: z.string(), decisions: DecisionCountsSchema, rejectRate: z.number() }),
  /** The last 60 minutes, by the minute. */
  lastHour: z.object({ decisions: DecisionCountsSchema, rejectRate: z.number() }),
  fps: z.number(),
  latencyMs: z.object(Object.fromEntries(StageNames.map((s) => [s, LatencySchema])) as Record<StageName, typeof LatencySchema>),
  /** p99 of the main thread's event-loop delay: the thread that serves the UI must never wait on inference. */
  loopDelayP99Ms: z.number(),
  /** The station process (with its workers) and the PC it runs on. */
  system: z.object({
    /** Share of the whole machine over the last second, 0..100. */
    cpuPct: z.number(),
    cores: z.number(),
    rssBytes: z.number(),
    heapUsedBytes: z.number(),
    freeMemBytes: z.number(),
    totalMemBytes: z.number(),
    loadAvg: z.array(z.number()),
  }),
  /** The line: its rate, and whether it is paused (every item rejected fail-safe, nothing inferred) for a benchmark. */
  line: z.object({ rateFps: z.number(), paused: z.boolean(), pausedBecause: z.string().nullable() }),
  /** The benchmark run in progress, if any. */
  benchmark: BenchProgressSchema.nullable(),
  /** UI connections now (the window, browser tabs), and how many have a technician signed in. */
  clients: z.object({ open: z.number(), technicians: z.number() }),
  database: z.object({
    path: z.string(),
    /** The log database's id: uploaded rows are known by (station, database id, seq); '' for a database from before ids. */
    databaseId: z.string(),
    rowsWritten: z.number(),
    /** Appended, not yet committed (while writes fail: waiting in memory, up to maxWaitingRows). */
    pendingRows: z.number(),
    lastFlushMs: z.number(),
    lastSeq: z.number(),
    sizeBytes: z.number(),
    imagesBytes: z.number(),
    /** failing: the log cannot be written (a full disk, an I/O error, a read-only or removed file); the storage alarm says why. */
    writes: z.enum(['ok', 'failing']),
    /** Why, in a technician's words; null while writes land. */
    writeProblem: z.string().nullable(),
    failingSince: z.string().nullable(),
    /** storage.whenFull in force: fail-safe rejects every item while decisions cannot be recorded. */
    whenFull: z.enum(['fail-safe', 'keep-deciding']),
    maxWaitingRows: z.number(),
    /** Decided rows that could not be kept since start (the log failed and the queue in memory was full); each episode is also an event. */
    rowsNotRecorded: z.number(),
    /** Decided rows the log refused for their content (a value it cannot store), since start: not written, never retried, each told as an event; the rest of their batch was committed. */
    rowsRejected: z.number(),
    /** Events waiting in memory for the log, and events refused past that queue's bound, since start. */
    eventsWaiting: z.number(),
    eventsNotRecorded: z.number(),
    /** Failed writes since start (commits, events, audit, settings; retries included). */
    writeFailures: z.number(),
    /** Events the log refused for a reason of their own, not the storage's (data that cannot be serialised, a bad value): logged, not retried. */
    eventsRejected: z.number(),
    /** Times the log writer (a worker thread) stopped and was started again since start; while it is down the storage alarm says so. */
    logWriterRestarts: z.number(),
    /** Kept images being written, and images wanted but not kept since start: busy (too many writes in flight: a slow disk) or failed. */
    imageWrites: ImageWritesSchema,
    /** Databases moved aside (failed their check at a start) and what of their rows is still to be uploaded. */
    movedAside: z.array(MovedAsideSchema),
  }),
  /** Per upload target and stream: sent, waiting, last success and error. */
  upload: z.array(UploadLaneSchema),
  /** The reject output to the sorter, and whether its heartbeat runs. */
  output: z.object({
    kind: z.enum(['none', 'serial', 'modbus']),
    state: z.enum(['ready', 'down', 'off']),
    heartbeat: z.boolean(),
    commandsSent: z.number(),
    lastError: z.string().optional(),
    /** Confirmed rejects heard on the output's own line, when expected (output.confirm); junk: lines that were no confirmation. */
    rejects: z.object({ expected: z.number(), confirmed: z.number(), missing: z.number(), unexpected: z.number(), junk: z.number() }).optional(),
  }),
  /**
   * Requests from the UI (IPC or WebSocket): answered; refused at the boundary (invalid, unknown, untrusted sender, bad token);
   * denied (a technician's operation asked by an operator); failed in a handler.
   */
  api: z.object({ accepted: z.number(), rejected: z.number(), denied: z.number(), failed: z.number() }),
  connections: TransportCountersSchema,
  /** The PLC handshake, when configured (trigger mode): triggers taken, results waiting, lost to a full buffer, requests outside the map. */
  plc: z
    .object({
      triggers: z.number(),
      resultsBuffered: z.number(),
      overruns: z.number(),
      refusedRequests: z.number(),
      /** Confirmed rejects, when expected. */
      rejects: z.object({ expected: z.number(), confirmed: z.number(), missing: z.number(), unexpected: z.number() }).optional(),
      /** Each trigger's way through the station, in stages, over the latest items: Diagnostics draws it (engine/plc/cycle-times.ts). */
      cycleTimes: CycleTimesSchema,
    })
    .optional(),
  /** The recipe in force (shared/recipes.ts); null before the first switch. inForce: false once its model or thresholds were changed by hand. */
  recipe: z.object({ name: z.string(), index: z.number(), inForce: z.boolean(), switching: z.string().nullable() }).nullable(),
  /** The OPC UA server, when configured: sessions open, sign-ins refused, method calls and those refused, connections refused. */
  opcua: z
    .object({ sessions: z.number(), failedLogins: z.number(), methodCalls: z.number(), methodCallsRefused: z.number(), refusedChannels: z.number() })
    .optional(),
  /** The plant's MQTT broker, when configured: connected, decisions sent, waiting, dropped while it was away. */
  mqtt: z.object({ connected: z.boolean(), sent: z.number(), queued: z.number(), dropped: z.number() }).optional(),
  lastError: z.string().optional(),
});
export type StationStatus = z.infer<typeof StationStatusSchema>;
