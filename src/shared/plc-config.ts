/**
 * The PLC link (issue 17): none (the camera free-runs and every frame is an
 * item), or the Modbus TCP handshake of engine/plc/plc-map.ts — trigger mode:
 * every PLC trigger is one item and gets exactly one result.
 */
import { z } from 'zod';

export const PlcConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z
    .object({
      kind: z.literal('modbus-tcp'),
      /** The address the station listens on for its PLC: 127.0.0.1 unless the PLC is on another machine (Modbus has no password). */
      host: z.string().min(1).max(255).default('127.0.0.1'),
      port: z.number().int().min(1).max(65535).default(5020),
      unitId: z.number().int().min(0).max(255).default(1),
      /** Results kept until the PLC acknowledges them; past it a result is lost and the overrun reported. */
      resultBuffer: z.number().int().min(1).max(64).default(8),
      /** A trigger with no frame within this long is answered NG, error 1 (no frame). */
      frameTimeoutMs: z.number().int().min(10).max(10_000).default(500),
      /**
       * Confirmed rejects: each reject handed to the PLC expects the ejector's confirmation (EJECT_CONFIRM) within
       * `withinMs`; a missing one is an alarm, and with `policy: "fail-safe"` every item is rejected until the next
       * reject is confirmed. Left out: not expected.
       */
      rejectConfirm: z
        .object({ withinMs: z.number().int().min(10).max(60_000).default(500), policy: z.enum(['alarm', 'fail-safe']).default('alarm') })
        .strict()
        .optional(),
    })
    .strict(),
]);
export type PlcConfig = z.infer<typeof PlcConfigSchema>;
