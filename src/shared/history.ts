/** The inspection log as the History page reads it: filters, rows, kept images, CSV export. */
import { z } from 'zod';
import { DECISIONS } from './decision';

export const InspectionFilterSchema = z
  .object({
    /** Capture time, ISO 8601: from (inclusive)… */
    from: z.iso.datetime({ offset: true }).optional(),
    /** …to (exclusive). */
    to: z.iso.datetime({ offset: true }).optional(),
    /** Only these decisions; left out: all. */
    decisions: z.array(z.enum(DECISIONS)).min(1).max(DECISIONS.length).optional(),
    /** Only items rejected fail-safe (no valid score, too late, camera or model down). */
    failSafeOnly: z.boolean().optional(),
  })
  .strict();
export type InspectionFilter = z.infer<typeof InspectionFilterSchema>;

export const LoggedInspectionSchema = z.object({
  /** The log's number for the item: unique on this station, the item number the pages show. */
  seq: z.number().int(),
  /** The camera's frame number: counted from 1 at every start of the station, so not unique. */
  frameId: z.number().int(),
  capturedAt: z.string(),
  origin: z.string(),
  modelName: z.string(),
  modelVersion: z.string(),
  decision: z.enum(DECISIONS),
  rejectScore: z.number().nullable(),
  scores: z.record(z.string(), z.number()).nullable(),
  failSafeReason: z.string().nullable(),
  totalMs: z.number().nullable(),
  /** The thresholds in force when it was decided; null for rows logged before they were recorded. */
  thresholds: z.object({ pit: z.number(), maybe: z.number() }).nullable(),
  /** The frame's JPEG is still kept (getInspectionImage). */
  hasImage: z.boolean(),
});
export type LoggedInspection = z.infer<typeof LoggedInspectionSchema>;

export const InspectionPageSchema = z.object({
  /** Newest first. */
  rows: z.array(LoggedInspectionSchema),
  /** Rows matching the filter, in all. */
  total: z.number().int(),
  /** Pass the last row's seq as beforeSeq for the next page. */
  hasMore: z.boolean(),
});
export type InspectionPage = z.infer<typeof InspectionPageSchema>;

/** At most this many rows go into one CSV file; the reply says when the filter matched more. */
export const MAX_EXPORT_ROWS = 200_000;

export const CsvExportSchema = z.object({
  filename: z.string(),
  rows: z.number().int(),
  /** The filter matched more than MAX_EXPORT_ROWS: narrow it and export again. */
  truncated: z.boolean(),
  csv: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
});
export type CsvExport = z.infer<typeof CsvExportSchema>;
