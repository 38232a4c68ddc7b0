/**
 * Recipes (issue 17): what the line runs for one product or variety — a
 * registered model version and the thresholds it decides with, and the
 * parity and calibration the model had when the recipe was saved. A product
 * change switches both at once, between two items (engine/station/recipe-service.ts),
 * by a technician (audited), by the PLC's recipe index (RECIPE_REQUEST,
 * engine/plc/plc-map.ts) or an OPC UA client. A product whose doubtful items
 * are not diverted sets maybe = pit: the output mapping is the thresholds'.
 */
import { z } from 'zod';
import { ThresholdsSchema } from './manifest';

/** The PLC's number for a recipe: 1–65,535 (0 in RECIPE_REQUEST asks for nothing). */
export const RecipeIndexSchema = z.number().int().min(1).max(65_535);
export const RecipeNameSchema = z
  .string()
  .trim()
  .min(1, 'name the recipe')
  .max(80)
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20), 'no control characters');

/** What the model had when the recipe was saved: proof it was checked on this station. */
export const RecipeValidationSchema = z
  .object({
    parity: z.object({ passed: z.boolean(), provider: z.string(), at: z.string() }).nullable(),
    calibration: z.object({ at: z.string(), by: z.string(), items: z.number().int(), recallLowerBound: z.number().nullable() }).nullable(),
  })
  .strict();
export type RecipeValidation = z.infer<typeof RecipeValidationSchema>;

export const RecipeSchema = z.object({
  id: z.number().int(),
  index: RecipeIndexSchema,
  name: z.string(),
  description: z.string(),
  model: z.object({ id: z.number().int(), name: z.string(), version: z.string(), sha256: z.string() }),
  thresholds: ThresholdsSchema,
  validatedWith: RecipeValidationSchema,
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type Recipe = z.infer<typeof RecipeSchema>;

/** A technician's recipe: new (no id) or a change to one. */
export const RecipeDraftSchema = z
  .object({
    id: z.number().int().positive().optional(),
    index: RecipeIndexSchema,
    name: RecipeNameSchema,
    description: z.string().max(500).default(''),
    modelId: z.number().int().positive(),
    thresholds: ThresholdsSchema,
  })
  .strict();
export type RecipeDraft = z.input<typeof RecipeDraftSchema>;

/** The recipe in force, and the switch under way. */
export const RecipeStateSchema = z.object({
  recipes: z.array(RecipeSchema),
  /** The recipe last switched to; null before the first switch. */
  current: z
    .object({
      id: z.number().int(),
      name: z.string(),
      index: z.number().int(),
      /** False when the model or thresholds in force have changed since the switch (the recipe no longer describes the line). */
      inForce: z.boolean(),
      at: z.string(),
      by: z.string(),
    })
    .nullable(),
  /** A switch loading its model now. */
  switching: z.object({ name: z.string(), index: z.number().int(), by: z.string(), since: z.string() }).nullable(),
  /** The last switch that failed, and why (shown until the next switch). */
  lastFailure: z.object({ name: z.string(), at: z.string(), by: z.string(), message: z.string() }).nullable(),
});
export type RecipeState = z.infer<typeof RecipeStateSchema>;

/** A recipe as a file carries it to another station: its model named by content, not by this station's registry id. */
export const RecipeFileEntrySchema = z
  .object({
    index: RecipeIndexSchema,
    name: RecipeNameSchema,
    description: z.string().max(500).default(''),
    model: z.object({ name: z.string().max(200), version: z.string().max(100), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex') }).strict(),
    thresholds: ThresholdsSchema,
    validatedWith: RecipeValidationSchema,
  })
  .strict();
export type RecipeFileEntry = z.infer<typeof RecipeFileEntrySchema>;

export const RECIPE_FILE_FORMAT = 'linesight-recipes';
export const RecipeFileSchema = z
  .object({
    format: z.literal(RECIPE_FILE_FORMAT),
    version: z.literal(1),
    exportedAt: z.string(),
    station: z.string(),
    recipes: z.array(RecipeFileEntrySchema).max(1000),
  })
  .strict();
export type RecipeFile = z.infer<typeof RecipeFileSchema>;

export const RecipeImportReportSchema = z.object({
  file: z.string(),
  imported: z.array(z.string()),
  refused: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type RecipeImportReport = z.infer<typeof RecipeImportReportSchema>;
