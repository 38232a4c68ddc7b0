/**
 * Names of operations, events and IPC channels, with no dependencies, so that
 * the sandboxed preload can import them without pulling in zod.
 * contract.ts checks at compile time that these lists match its schemas.
 */
export const OPERATION_NAMES = [
  'getStatus',
  'getFrameImage',
  'getRecentInspections',
  'listModels',
  'getModelHistory',
  'importModel',
  'activateModel',
  'rollbackModel',
  'getEvents',
  'setThresholds',
  'getAudit',
  'getSession',
  'signIn',
  'signOut',
  'touchSession',
  'getRecentRejects',
  'getScoreSample',
  'getDiagnosticsHistory',
  'queryInspections',
  'getInspectionImage',
  'exportInspections',
  'listImportCandidates',
  'getBenchmarkOptions',
  'startBenchmark',
  'cancelBenchmark',
  'listBenchmarks',
  'getBenchmark',
  'exportBenchmark',
  'applyBenchmarkSettings',
  'inspectLabelledFolder',
  'startTeaching',
  'cancelTeaching',
  'getTeachRun',
  'calibrateModel',
  'getCalibration',
  'applyCalibration',
  'cancelCalibration',
  'getDrift',
  'startShadowTrial',
  'stopShadowTrial',
  'getShadowTrial',
  'promoteShadowCandidate',
  'discardShadowCandidate',
  'listCaptures',
  'getCaptureImage',
  'labelItem',
  'getCaptureSummary',
  'exportLabelledCaptures',
  'getCameraHealth',
  'retakeCameraReference',
  'listRecipes',
  'saveRecipe',
  'deleteRecipe',
  'switchRecipe',
  'exportRecipes',
  'importRecipes',
] as const;
export const EVENT_NAMES = [
  'inspection',
  'status',
  'alarm',
  'sample',
  'importProgress',
  'benchProgress',
  'teachProgress',
  'calibrationProgress',
  'shadowProgress',
  'session',
] as const;
/** Events every connection gets; the others (session) are for one connection only. */
export const BROADCAST_EVENTS = [
  'inspection',
  'status',
  'alarm',
  'sample',
  'importProgress',
  'benchProgress',
  'teachProgress',
  'calibrationProgress',
  'shadowProgress',
] as const satisfies readonly (typeof EVENT_NAMES)[number][];

export type OperationName = (typeof OPERATION_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];
export type BroadcastEventName = (typeof BROADCAST_EVENTS)[number];

export const ipcChannel = {
  request: (op: OperationName): string => `linesight:op:${op}`,
  event: (event: EventName): string => `linesight:event:${event}`,
} as const;
