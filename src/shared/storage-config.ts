/**
 * Where decisions go: the local log (SQLite, images beside it), the plant's
 * databases (upload targets), the sorter (reject output), and the deadlines
 * that make a late decision a reject.
 */
import { z } from 'zod';

export const StorageConfigSchema = z
  .object({
    /** Commit the log at least this often… */
    flushIntervalMs: z.number().int().min(10).max(10_000).default(100),
    /** …or as soon as this many rows wait. */
    flushRows: z.number().int().min(1).max(100_000).default(1000),
    /** The data dir may hold this much (database + images); past it, images are dropped oldest-first and an alarm raised. */
    maxBytes: z.number().int().min(1_000_000).default(20_000_000_000),
    /**
     * While the log cannot be written (a full disk, an I/O error, a read-only or removed file):
     * fail-safe rejects every item until decisions can be recorded again; keep-deciding decides as usual.
     * Either way the storage alarm stands and decided rows wait in memory, up to maxWaitingRows.
     */
    whenFull: z.enum(['fail-safe', 'keep-deciding']).default('fail-safe'),
    /** Decided rows kept in memory while the log cannot be written; past it, rows are counted as not recorded (and that count logged). */
    maxWaitingRows: z.number().int().min(100).max(1_000_000).default(50_000),
    /** A cap on the log file itself (SQLite max_page_count); reaching it is handled as a full disk. Unset: no cap but the disk. */
    maxDatabaseBytes: z.number().int().min(100_000).optional(),
    images: z
      .object({
        /** Keep the frame of every rejected and every maybe item. */
        rejects: z.boolean().default(true),
        maybes: z.boolean().default(true),
        /** Keep one clean frame in this many (0: none). */
        cleanSampleEvery: z.number().int().min(0).max(1_000_000).default(100),
        /** Images older than this are removed (once their rows are uploaded). */
        maxAgeDays: z.number().min(0.001).max(3650).default(30),
        /** Images beyond this total are removed, oldest first (once their rows are uploaded). */
        maxBytes: z.number().int().min(1_000_000).default(5_000_000_000),
      })
      .strict()
      .default({ rejects: true, maybes: true, cleanSampleEvery: 100, maxAgeDays: 30, maxBytes: 5_000_000_000 }),
  })
  .strict();
export type StorageConfig = z.infer<typeof StorageConfigSchema>;

const targetId = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"');

export const PostgresTargetSchema = z
  .object({
    kind: z.literal('postgres'),
    id: targetId,
    /** postgres://user:password@host:5432/database */
    connectionString: z.string().min(1),
    /** Table names start with this. */
    tablePrefix: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default('linesight_'),
    /** Create the tables (and TimescaleDB hypertables where the extension is there) when missing. */
    createTables: z.boolean().default(true),
    batchSize: z.number().int().min(1).max(100_000).default(2000),
  })
  .strict();

export const HttpTargetSchema = z
  .object({
    kind: z.literal('http'),
    id: targetId,
    /** Receives NDJSON batches by POST; 2xx means accepted. */
    url: z.url({ protocol: /^https?$/ }),
    /** Sent as "Authorization: Bearer …". */
    token: z.string().min(1).optional(),
    batchSize: z.number().int().min(1).max(100_000).default(1000),
    timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  })
  .strict();

export const UploadTargetSchema = z.discriminatedUnion('kind', [PostgresTargetSchema, HttpTargetSchema]);
export type UploadTargetConfig = z.infer<typeof UploadTargetSchema>;
export type PostgresTargetConfig = z.infer<typeof PostgresTargetSchema>;
export type HttpTargetConfig = z.infer<typeof HttpTargetSchema>;

export const UploadConfigSchema = z
  .object({
    targets: z.array(UploadTargetSchema).default([]),
    /** Retry after a failure: a random wait up to retryBaseMs × 2^failures (full jitter), at most retryMaxMs. */
    retryBaseMs: z.number().int().min(10).max(600_000).default(500),
    retryMaxMs: z.number().int().min(10).max(3_600_000).default(60_000),
    /** With nothing to send, look again this often. */
    idleMs: z.number().int().min(10).max(600_000).default(500),
  })
  .strict();
export type UploadConfig = z.infer<typeof UploadConfigSchema>;
export type UploadConfigInput = z.input<typeof UploadConfigSchema>;

export const DecisionConfigSchema = z
  .object({
    /** An item without a valid decision this long after its frame was captured is rejected. */
    deadlineMs: z.number().int().min(10).max(60_000).default(1000),
    /** A frame older than this when it arrives is not judged: the item is rejected. */
    staleMs: z.number().int().min(10).max(600_000).default(2000),
  })
  .strict();
export type DecisionConfig = z.infer<typeof DecisionConfigSchema>;

const heartbeat = {
  /** The heartbeat lets the sorter's controller tell the station is alive; it stops while the fail-safe is engaged. */
  heartbeatMs: z.number().int().min(10).max(60_000).default(500),
};

export const OutputConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z
    .object({
      kind: z.literal('serial'),
      path: z.string().min(1),
      baudRate: z.number().int().positive().default(115_200),
      /** The line sent per decision; {frame} is the frame id. An empty string sends nothing. */
      commands: z
        .object({ pit: z.string().default('REJECT {frame}\n'), maybe: z.string().default('DIVERT {frame}\n'), clean: z.string().default('') })
        .strict()
        .default({ pit: 'REJECT {frame}\n', maybe: 'DIVERT {frame}\n', clean: '' }),
      heartbeatLine: z.string().min(1).default('ALIVE\n'),
      ...heartbeat,
      /**
       * Confirmed rejects (issue 17): the sorter answers each REJECT with this line once the ejector fired ({frame}: the
       * item's id); a reject with no confirmation within `withinMs` is an alarm, and with `policy: "fail-safe"` every item
       * is rejected until a reject is confirmed again. Left out: not expected.
       */
      confirm: z
        .object({
          line: z
            .string()
            .min(1)
            .max(100)
            .regex(/^[^{}]*\{frame\}[^{}]*$/, 'the line holds {frame} once: EJECTED {frame}')
            .default('EJECTED {frame}'),
          withinMs: z.number().int().min(10).max(60_000).default(500),
          policy: z.enum(['alarm', 'fail-safe']).default('alarm'),
        })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('modbus'),
      path: z.string().min(1),
      baudRate: z.number().int().positive().default(9600),
      unitId: z.number().int().min(1).max(247).default(1),
      /** Coils pulsed per decision, and the coil the heartbeat toggles. */
      coils: z.object({ pit: z.number().int().min(0), maybe: z.number().int().min(0).optional(), heartbeat: z.number().int().min(0) }).strict(),
      pulseMs: z.number().int().min(1).max(10_000).default(50),
      ...heartbeat,
    })
    .strict(),
]);
export type OutputConfig = z.infer<typeof OutputConfigSchema>;
