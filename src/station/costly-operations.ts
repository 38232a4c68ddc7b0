/**
 * Operations whose answer costs far more than the others: a page of history
 * or a CSV export read through the query worker, the what-if's sample of
 * scores, a kept picture read from disk, a walk of the removable drives, a
 * benchmark run's results, a labelled folder's listing, labels and captures. The request gate counts requests, not work, so
 * these are also limited by number: one at a time per client and
 * COSTLY_AT_ONCE for the whole station, so that clients asking for them
 * cannot take the cores the line decodes and infers on (issue 11).
 */
import type { OperationName } from '../shared/contract';

export const COSTLY_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>([
  'queryInspections',
  'exportInspections',
  'getScoreSample',
  'getInspectionImage',
  'listImportCandidates',
  'getBenchmark',
  'exportBenchmark',
  'listBenchmarks',
  'inspectLabelledFolder',
  // Issue 16: labels copy a picture and write the log; captures are read from disk and the log; an export copies many.
  'labelItem',
  'listCaptures',
  'getCaptureImage',
  'getCaptureSummary',
  'exportLabelledCaptures',
  // Issue 17: recipe files are read from and written to a stick.
  'exportRecipes',
  'importRecipes',
]);

/** Costly operations answered at once for all clients together. */
export const COSTLY_AT_ONCE = 2;
