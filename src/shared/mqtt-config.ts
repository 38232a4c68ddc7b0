/**
 * Publishing to the plant's MQTT broker (issue 17): decisions in batches,
 * each with a stable id; alarms and the station's state retained; a last
 * will. Off unless configured. Credentials and TLS come from the config
 * (mqtts:// URLs, a CA file); the SQLite log stays the record, MQTT a feed.
 */
import { z } from 'zod';

export const MqttConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z
    .object({
      kind: z.literal('broker'),
      /** mqtt://host:1883 or mqtts://host:8883 (TLS). */
      url: z.string().regex(/^mqtts?:\/\/[^\s/]+(:\d+)?\/?$/, 'an mqtt:// or mqtts:// address: mqtt://broker:1883'),
      username: z.string().min(1).max(256).optional(),
      password: z.string().min(1).max(1024).optional(),
      /** A CA certificate file (PEM) that signs the broker's certificate, for mqtts://. */
      caFile: z.string().min(1).optional(),
      /** Topics begin with this; default linesight/<station id>. */
      topicPrefix: z
        .string()
        .regex(/^[^#+\s]+$/, 'no wildcards (# +) or spaces')
        .max(200)
        .optional(),
      /** Decisions are sent together at most this often… */
      batchMs: z.number().int().min(10).max(60_000).default(250),
      /** …and at most this many to a message. */
      maxBatch: z.number().int().min(1).max(10_000).default(200),
      /** Decisions held while the broker is away; past it the oldest are dropped and counted (the log keeps them all). */
      maxQueued: z.number().int().min(100).max(1_000_000).default(20_000),
    })
    .strict(),
]);
export type MqttConfig = z.infer<typeof MqttConfigSchema>;
