/**
 * The engine's boundary: a request from any transport is checked against the
 * contract before it reaches a handler (the operation exists, the payload
 * parses, the caller's role may ask it), and the answer is always a Result,
 * never a thrown error (errors lose everything but their message across IPC).
 *
 * The error is what a person at the station reads: it never names the
 * operation ("activateModel failed: …" once reached the Models page, issue 12).
 * A handler's message is already a sentence about what was refused and why,
 * and the page that asked puts it in context; the boundary's own refusals say
 * what was asked in words (IN_WORDS).
 */
import { isOperationName, operations, type ApiHandlers, type Caller, type OperationName, type Result } from '../../shared/contract';
import { describeZodError } from '../../shared/zod-errors';
import type { BoundaryCounters } from '../metrics/boundary-counters';

export { createBoundaryCounters, type BoundaryCounters } from '../metrics/boundary-counters';

/** Each operation as a person would say it, for the boundary's refusals. */
const IN_WORDS: Record<OperationName, string> = {
  getStatus: 'reading the station status',
  getFrameImage: "reading an item's picture",
  getRecentInspections: 'reading the latest items',
  listModels: 'reading the model registry',
  getModelHistory: 'reading the model activations',
  importModel: 'importing a model',
  activateModel: 'activating a model',
  rollbackModel: 'rolling back the model',
  getEvents: 'reading the event log',
  setThresholds: 'changing the thresholds',
  getAudit: 'reading the audit trail',
  getSession: 'reading the session',
  signIn: 'signing in',
  signOut: 'signing out',
  touchSession: 'keeping the session open',
  getRecentRejects: 'reading the latest rejects',
  getScoreSample: 'reading logged scores for the what-if',
  getDiagnosticsHistory: 'reading the diagnostics history',
  queryInspections: 'reading the history',
  getInspectionImage: "reading a logged item's picture",
  exportInspections: 'exporting the history as CSV',
  listImportCandidates: 'looking for model packages',
  getBenchmarkOptions: 'reading the benchmark options',
  startBenchmark: 'starting a benchmark',
  cancelBenchmark: 'cancelling a benchmark',
  listBenchmarks: 'reading the benchmark runs',
  getBenchmark: 'reading a benchmark run',
  exportBenchmark: 'exporting a benchmark run',
  applyBenchmarkSettings: "applying a benchmark's settings",
  inspectLabelledFolder: 'reading a labelled folder',
  startTeaching: 'teaching a model',
  cancelTeaching: 'cancelling the teaching',
  getTeachRun: 'reading the teaching run',
  calibrateModel: 'calibrating the thresholds',
  getCalibration: "reading the model's calibration",
  applyCalibration: "applying the calibration's thresholds",
  cancelCalibration: 'cancelling the calibration',
  getDrift: 'reading the drift windows',
  startShadowTrial: 'starting a shadow trial',
  stopShadowTrial: 'stopping the shadow trial',
  getShadowTrial: 'reading the shadow trial',
  promoteShadowCandidate: "promoting the shadow trial's model",
  discardShadowCandidate: "discarding the shadow trial's model",
  listCaptures: 'reading the captured items',
  getCaptureImage: "reading a captured item's picture",
  labelItem: 'labelling an item',
  getCaptureSummary: 'reading the captures summary',
  exportLabelledCaptures: 'exporting the labelled items',
  getCameraHealth: "reading the camera's picture health",
  retakeCameraReference: "retaking the camera's reference",
  listRecipes: 'reading the recipes',
  saveRecipe: 'saving the recipe',
  deleteRecipe: 'deleting the recipe',
  switchRecipe: 'switching the recipe',
  exportRecipes: 'exporting the recipes',
  importRecipes: 'importing the recipes',
  quantizeModel: 'making an INT8 variant',
  cancelQuantization: 'cancelling the INT8 variant',
};

const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export async function dispatch(handlers: ApiHandlers, op: unknown, payload: unknown, counters: BoundaryCounters, caller: Caller): Promise<Result<unknown>> {
  if (!isOperationName(op)) {
    counters.rejected++;
    return { ok: false, error: `the station does not know the request ${JSON.stringify(op)}: is this page from another version of LineSight?` };
  }
  const contract = operations[op];
  const parsed = contract.request.safeParse(payload ?? {});
  if (!parsed.success) {
    counters.rejected++;
    return { ok: false, error: `${capitalised(IN_WORDS[op])} was refused: the request was not valid (${describeZodError(parsed.error)})` };
  }
  if (contract.access === 'technician') {
    if (caller.role !== 'technician') {
      counters.denied++;
      return { ok: false, error: `${capitalised(IN_WORDS[op])} needs a technician: sign in with your PIN first` };
    }
    caller.touch();
  }
  try {
    const handler = handlers[op] as (request: unknown, caller: Caller) => unknown;
    const value = await handler(parsed.data, caller);
    counters.accepted++;
    return { ok: true, value };
  } catch (err) {
    counters.failed++;
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
