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
import { BenchOptionsSchema, BenchPlanSchema, BenchProgressSchema, BenchRunSchema, BenchRunSummarySchema } from './bench';
import { InferenceOverrideSchema } from './config';
import { DiagnosticsSampleSchema } from './diagnostics';
import { CsvExportSchema, InspectionFilterSchema, InspectionPageSchema } from './history';
import { ImportCandidatesSchema, ImportProgressSchema, ImportReportSchema, ModelActivationSchema, ModelRecordSchema } from './models';
import { PinSchema, SessionInfoSchema, type Role, type SessionInfo } from './session';
import { StationStatusSchema } from './status';
import { ScoreSampleSchema, ScoreWindowSchema } from './what-if';
import { CalibrationOptionsSchema, CalibrationSchema } from './calibration';
import { TeachRequestSchema, TeachRunSchema } from './teach';
import { ShadowStartSchema, ShadowTrialSchema } from './shadow';
import { CameraHealthSchema } from './camera-health';
import { CaptureFilterSchema, CaptureSchema, CaptureSummarySchema, ITEM_LABELS, LabelTargetSchema } from './capture';
import { RecipeDraftSchema, RecipeImportReportSchema, RecipeSchema, RecipeStateSchema } from './recipes';
import { QuantizeProgressSchema, QuantizeRequestSchema, QuantizeResultSchema } from './quantize';

/**
 * Who may call an operation: anyone (an operator, read-only) or only a
 * signed-in technician (changes to the line). Checked at the boundary, in
 * dispatch, whatever the transport.
 */
export type Access = 'anyone' | 'technician';

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
const empty = z.object({}).strict();
/** A folder on the station PC (checked against the import folders by the engine). */
const folder = z.string().min(1).max(4096);
const taskId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const operations = {
  getStatus: { access: 'anyone', request: empty, reply: StationStatusSchema },
  /** The JPEG of a recent frame, kept in memory for the live view; null once it has aged out. */
  getFrameImage: {
    access: 'anyone',
    request: z.object({ frameId: z.number().int().nonnegative() }).strict(),
    reply: z.object({ frameId: z.number(), jpeg: bytes }).nullable(),
  },
  /** The latest inspections, newest first, so a page opened mid-shift starts filled. */
  getRecentInspections: {
    access: 'anyone',
    request: z.object({ limit: z.number().int().min(1).max(500) }).strict(),
    reply: z.array(InspectionSchema),
  },
  /** The model registry, newest first, with the active one marked. */
  listModels: { access: 'anyone', request: empty, reply: z.array(ModelRecordSchema) },
  /** Activations and rollbacks, newest first: who, when, why. */
  getModelHistory: {
    access: 'anyone',
    request: z.object({ limit: z.number().int().min(1).max(1000) }).strict(),
    reply: z.array(ModelActivationSchema),
  },
  /**
   * Checks, repairs and trial-loads a model package (a folder or manifest path on the station PC,
   * e.g. a USB stick) and stores it in the registry. Does not activate it. With a taskId, each step
   * is announced as an importProgress event.
   */
  importModel: {
    access: 'technician',
    request: z
      .object({
        source: z.string().min(1).max(4096),
        taskId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .optional(),
      })
      .strict(),
    reply: ImportReportSchema,
  },
  /** Loads and warms a registered model, then switches the line to it between two frames. */
  activateModel: {
    access: 'technician',
    request: z.object({ id: z.number().int().positive(), reason: z.string().max(500).optional() }).strict(),
    reply: ModelRecordSchema,
  },
  /** Goes back to the model that was active before the current one. */
  rollbackModel: { access: 'technician', request: z.object({ reason: z.string().max(500).optional() }).strict(), reply: ModelRecordSchema },
  /** The station's event log (alarms raised and cleared, machine-health changes, sign-ins), newest first. */
  getEvents: {
    access: 'anyone',
    request: z
      .object({
        limit: z.number().int().min(1).max(1000),
        /** Only events of these kinds (shared/alarms.ts EVENT_KINDS); left out, every kind. */
        kinds: z.array(z.string().min(1).max(40)).min(1).max(32).optional(),
      })
      .strict(),
    reply: z.array(StationEventSchema),
  },
  /** New decision thresholds, from the next frame on; written to the audit trail with the reason, kept across restarts. */
  setThresholds: {
    access: 'technician',
    request: z.object({ thresholds: ThresholdsSchema, reason: z.string().trim().min(1, 'say why').max(500) }).strict(),
    reply: ThresholdsSchema,
  },
  /** The audit trail, newest first. */
  getAudit: { access: 'anyone', request: z.object({ limit: z.number().int().min(1).max(1000) }).strict(), reply: z.array(AuditEntrySchema) },
  /** This connection's session: operator or technician, until when. */
  getSession: { access: 'anyone', request: empty, reply: SessionInfoSchema },
  /** A technician signs in with a PIN; wrong PINs count towards a lock-out. */
  signIn: { access: 'anyone', request: z.object({ name: z.string().min(1).max(60), pin: PinSchema }).strict(), reply: SessionInfoSchema },
  signOut: { access: 'anyone', request: empty, reply: SessionInfoSchema },
  /** The person at the screen did something: a technician's idle sign-out starts counting again. */
  touchSession: { access: 'anyone', request: empty, reply: SessionInfoSchema },
  /** The latest rejected items (the live page's strip), newest first, their frames kept in memory. */
  getRecentRejects: { access: 'anyone', request: z.object({ limit: z.number().int().min(1).max(50) }).strict(), reply: z.array(InspectionSchema) },
  /** Scores of logged items of the running model, for the what-if panel. */
  getScoreSample: { access: 'anyone', request: z.object({ window: ScoreWindowSchema }).strict(), reply: ScoreSampleSchema },
  /** The last ten minutes of diagnostics, a sample a second, oldest first. */
  getDiagnosticsHistory: { access: 'anyone', request: empty, reply: z.array(DiagnosticsSampleSchema) },
  /** Logged inspections matching a filter, newest first, a page at a time. */
  queryInspections: {
    access: 'anyone',
    request: z.object({ filter: InspectionFilterSchema, limit: z.number().int().min(1).max(500), beforeSeq: z.number().int().positive().optional() }).strict(),
    reply: InspectionPageSchema,
  },
  /** The kept JPEG of a logged inspection; null when none was kept or retention removed it. */
  getInspectionImage: {
    access: 'anyone',
    request: z.object({ seq: z.number().int().positive() }).strict(),
    reply: z.object({ seq: z.number(), jpeg: bytes }).nullable(),
  },
  /** The filtered inspections as a CSV file (UTF-8, header row). */
  exportInspections: { access: 'anyone', request: z.object({ filter: InspectionFilterSchema }).strict(), reply: CsvExportSchema },
  /** Model packages found in the import folders (USB sticks, the bundled models). */
  listImportCandidates: { access: 'anyone', request: empty, reply: ImportCandidatesSchema },
  /** What the benchmark can measure here (models, providers, threads), the line's rate and deadline, and a plan to start from. */
  getBenchmarkOptions: { access: 'anyone', request: empty, reply: BenchOptionsSchema },
  /**
   * Starts a benchmark run in the background (progress as benchProgress events). While the line runs it is refused
   * unless whileLineRuns says to pause the line for it (every item rejected meanwhile) or to run beside it.
   */
  startBenchmark: {
    access: 'technician',
    request: z.object({ plan: BenchPlanSchema, whileLineRuns: z.enum(['refuse', 'pause', 'beside']).default('refuse') }).strict(),
    reply: z.object({ runId: z.number().int() }),
  },
  /** Stops the run at its next frame; resolves once it has stopped. */
  cancelBenchmark: { access: 'technician', request: z.object({ runId: z.number().int().positive() }).strict(), reply: BenchRunSummarySchema },
  /** Runs kept in the log, newest first. */
  listBenchmarks: { access: 'anyone', request: z.object({ limit: z.number().int().min(1).max(500) }).strict(), reply: z.array(BenchRunSummarySchema) },
  /** One run with every result and its recommendation. */
  getBenchmark: { access: 'anyone', request: z.object({ runId: z.number().int().positive() }).strict(), reply: BenchRunSchema },
  /** One run as a file: JSON (everything) or CSV (a row per result). */
  exportBenchmark: {
    access: 'anyone',
    request: z.object({ runId: z.number().int().positive(), format: z.enum(['json', 'csv']) }).strict(),
    reply: z.object({ filename: z.string(), bytes }),
  },
  /** The provider, threads, mode and batch a result was measured with, for the running model: audited, kept across restarts. */
  applyBenchmarkSettings: {
    access: 'technician',
    request: z
      .object({ runId: z.number().int().positive(), resultId: z.number().int().positive(), reason: z.string().trim().min(1, 'say why').max(500) })
      .strict(),
    reply: InferenceOverrideSchema,
  },
  /** The labels (subfolders) of a labelled folder under the import folders, with their counts and how many teaching would hold out. */
  inspectLabelledFolder: {
    access: 'technician',
    request: z.object({ data: folder }).strict(),
    reply: z.object({ dir: z.string(), labels: z.array(z.object({ label: z.string(), total: z.number().int(), heldOut: z.number().int() })) }),
  },
  /**
   * Teaches a model on a labelled folder in the background (teachProgress events carry the run), calibrates it on the
   * pictures held out, and adds it to the registry without activating it. One run at a time.
   */
  startTeaching: { access: 'technician', request: TeachRequestSchema, reply: TeachRunSchema },
  /** Stops the run at its next picture; resolves once it has stopped. */
  cancelTeaching: { access: 'technician', request: z.object({ runId: z.number().int().positive() }).strict(), reply: TeachRunSchema },
  /** The latest teaching run since the station started, or null. */
  getTeachRun: { access: 'anyone', request: empty, reply: TeachRunSchema.nullable() },
  /**
   * Scores a labelled folder with the running model through the line's path and proposes thresholds with their bounds;
   * stored with the model version. With a taskId, progress comes as calibrationProgress events. Changes nothing on the line.
   */
  calibrateModel: {
    access: 'technician',
    request: z
      .object({
        data: folder,
        options: CalibrationOptionsSchema,
        split: z.enum(['auto', 'all', 'held-out']).default('auto'),
        taskId: taskId.optional(),
        /** A registered candidate to calibrate (before its shadow trial); left out: the running model. */
        modelId: z.number().int().positive().optional(),
      })
      .strict(),
    reply: CalibrationSchema,
  },
  /** The running model's calibration in force: the newest made on this station, else its manifest's. */
  getCalibration: {
    access: 'anyone',
    request: empty,
    reply: z.object({ calibration: CalibrationSchema.nullable(), source: z.enum(['station', 'manifest']).nullable() }),
  },
  /** The calibration's thresholds, from the next item on: written to the audit trail with the reason and the guarantee. */
  applyCalibration: {
    access: 'technician',
    request: z
      .object({
        reason: z.string().trim().min(1, 'say why').max(300),
        /** The `at` of the calibration the technician saw: another one in force since is refused. */
        calibrationAt: z.string().min(1).max(64),
      })
      .strict(),
    reply: ThresholdsSchema,
  },
  /** The score-drift test's windows for the running model (oldest first), for the Diagnostics chart. */
  getDrift: {
    access: 'anyone',
    request: empty,
    reply: z.object({
      window: z.number().int(),
      alpha: z.number(),
      /** False: no reference yet (the line's first windows are being taken, or the model has no calibration to hold its scores to). */
      hasReference: z.boolean(),
      points: z.array(z.object({ at: z.number(), statistic: z.number(), critical: z.number(), mean: z.number() })),
    }),
  },
  /** Stops the calibration in hand at its next pictures; false when none runs. */
  cancelCalibration: { access: 'technician', request: empty, reply: z.object({ cancelled: z.boolean() }) },
  /** Starts a shadow trial of a registered candidate beside the live model (it never actuates); shadowProgress events follow it. */
  startShadowTrial: { access: 'technician', request: ShadowStartSchema, reply: ShadowTrialSchema },
  /** Ends the running trial now, keeping what it found. */
  stopShadowTrial: { access: 'technician', request: empty, reply: ShadowTrialSchema },
  /** A trial by id, else the running one or the newest; null when none was ever run. */
  getShadowTrial: {
    access: 'anyone',
    request: z.object({ id: z.number().int().positive().optional() }).strict(),
    reply: ShadowTrialSchema.nullable(),
  },
  /** Switches the line to a finished trial's candidate between two items, with the thresholds it was tried with; audited. */
  promoteShadowCandidate: {
    access: 'technician',
    request: z.object({ trialId: z.number().int().positive(), reason: z.string().trim().min(1, 'say why').max(300) }).strict(),
    reply: ModelRecordSchema,
  },
  /** Closes a finished trial without promoting its candidate; audited. */
  discardShadowCandidate: {
    access: 'technician',
    request: z.object({ trialId: z.number().int().positive(), reason: z.string().trim().min(1, 'say why').max(300) }).strict(),
    reply: ShadowTrialSchema,
  },
  /** Captured items, newest first (beforeId pages back). */
  listCaptures: {
    access: 'anyone',
    request: z.object({ filter: CaptureFilterSchema, limit: z.number().int().min(1).max(500), beforeId: z.number().int().positive().optional() }).strict(),
    reply: z.array(CaptureSchema),
  },
  /** A capture's picture; null when its file is gone. */
  getCaptureImage: {
    access: 'anyone',
    request: z.object({ id: z.number().int().positive() }).strict(),
    reply: z.object({ id: z.number(), jpeg: bytes }).nullable(),
  },
  /** An operator or technician marks an item really good or really defective: kept as a labelled capture, audited by person. */
  labelItem: {
    access: 'anyone',
    request: z.object({ target: LabelTargetSchema, label: z.enum(ITEM_LABELS) }).strict(),
    reply: CaptureSchema,
  },
  /** Captures by reason, labels by kind and by person, what quotas passed over, and the labelled folder. */
  getCaptureSummary: { access: 'anyone', request: empty, reply: CaptureSummarySchema },
  /** Copies the labelled captures to a new folder under an import folder (a stick): good/, defective/ and captures.csv. */
  exportLabelledCaptures: {
    access: 'technician',
    request: z.object({ dest: folder }).strict(),
    reply: z.object({ folder: z.string(), good: z.number().int(), defective: z.number().int() }),
  },
  /** The camera's sampled pictures: sharpness against its reference, exposure, frozen (Diagnostics' chart). */
  getCameraHealth: { access: 'anyone', request: empty, reply: CameraHealthSchema },
  /** The camera was refocused or replaced: its next pictures become the reference blur is judged against; audited. */
  retakeCameraReference: {
    access: 'technician',
    request: z.object({ reason: z.string().trim().min(1, 'say why').max(300) }).strict(),
    reply: z.object({ retaking: z.literal(true) }),
  },
  /** The recipes, the one in force and a switch under way. */
  listRecipes: { access: 'anyone', request: empty, reply: RecipeStateSchema },
  /** A new recipe (no id) or a change to one: a registered model, its thresholds, the PLC's index; audited. */
  saveRecipe: { access: 'technician', request: RecipeDraftSchema, reply: RecipeSchema },
  deleteRecipe: { access: 'technician', request: z.object({ id: z.number().int().positive() }).strict(), reply: RecipeStateSchema },
  /** Switches the line to a recipe between two items (its model loads beside the running one); resolves once in force. */
  switchRecipe: {
    access: 'technician',
    request: z.object({ id: z.number().int().positive(), reason: z.string().trim().max(300).optional() }).strict(),
    reply: RecipeStateSchema,
  },
  /** Writes every recipe to a new file in a folder under an import folder (a stick). */
  exportRecipes: { access: 'technician', request: z.object({ dest: folder }).strict(), reply: z.object({ file: z.string(), recipes: z.number().int() }) },
  /** Saves the recipes of a file under an import folder; those whose model is not on this station are refused, each with its reason. */
  importRecipes: { access: 'technician', request: z.object({ file: folder }).strict(), reply: RecipeImportReportSchema },
  /**
   * Makes the INT8 variant of a registered image model (issue 18): activation ranges measured on a folder of pictures of
   * the line in a worker, the package written under the data folder and imported like any model, not activated; audited.
   * It goes live only once calibrated on a labelled set. quantizeProgress events say how far it is (under the taskId given). One at a time.
   */
  quantizeModel: { access: 'technician', request: QuantizeRequestSchema, reply: QuantizeResultSchema },
  /** Stops the quantisation in hand at its next frames; false when none runs. */
  cancelQuantization: { access: 'technician', request: empty, reply: z.object({ cancelled: z.boolean() }) },
} as const satisfies Record<OperationName, { access: Access; request: z.ZodType; reply: z.ZodType }>;

export const events = {
  inspection: InspectionSchema,
  status: StationStatusSchema,
  /** An alarm raised, changed or cleared. */
  alarm: AlarmChangeSchema,
  /** One second of diagnostics. */
  sample: DiagnosticsSampleSchema,
  /** A step of a model import. */
  importProgress: ImportProgressSchema,
  /** How far the benchmark run is, and how long it has to go. */
  benchProgress: BenchProgressSchema,
  /** A teaching run's whole state, each time it changes. */
  teachProgress: TeachRunSchema,
  /** How far a calibration is (pictures scored of all). */
  calibrationProgress: z.object({ taskId: z.string(), done: z.number().int(), total: z.number().int() }),
  /** A shadow trial's state and figures, about once a second while it runs, and when it ends or is decided. */
  shadowProgress: ShadowTrialSchema,
  /** How far the making of an INT8 variant is: its stage, and frames measured of all. */
  quantizeProgress: QuantizeProgressSchema,
  /** This connection's session changed (signed in, signed out, timed out). Sent to that connection only. */
  session: SessionInfoSchema,
} as const satisfies Record<EventName, z.ZodType>;

// The name lists in channels.ts and the schemas here must not drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const operationsMatch: Same<keyof typeof operations, OperationName> = true;
const eventsMatch: Same<keyof typeof events, EventName> = true;
void operationsMatch;
void eventsMatch;

export { BROADCAST_EVENTS, EVENT_NAMES, OPERATION_NAMES, ipcChannel } from './channels';
export type { BroadcastEventName, EventName, OperationName } from './channels';
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

/** The connection a request came on, as the handlers see it (the engine's ClientSession). */
export interface Caller {
  readonly role: Role;
  /** How the audit trail names whoever is on this connection. */
  readonly actor: string;
  info(): SessionInfo;
  signIn(name: string, pin: string): Promise<SessionInfo>;
  signOut(reason?: string): SessionInfo;
  touch(): void;
}

/** Handlers that implement the operations on the engine's side. */
export type ApiHandlers = {
  readonly [K in OperationName]: (request: z.infer<(typeof operations)[K]['request']>, caller: Caller) => Promise<ReplyOf<K>> | ReplyOf<K>;
};

/** Raised in the renderer when the engine answered { ok: false }. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
}
