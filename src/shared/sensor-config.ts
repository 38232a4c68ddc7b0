/**
 * Sensor configuration: where readings come from (serial lines, Modbus RTU
 * transmitters, a CSV recording), how the features are computed, which model
 * turns them into p_fail, and how that becomes machine health. Relative paths
 * are resolved against the config file's folder.
 */
import { z } from 'zod';

/** A channel's valid range: a reading outside it is junk (a sensor fault, not a machine fault). */
export const ChannelSchema = z
  .object({
    min: z.number(),
    max: z.number(),
    unit: z.string().optional(),
  })
  .strict()
  .refine((c) => c.min < c.max, { message: 'min must be below max' });
export type ChannelSpec = z.infer<typeof ChannelSchema>;

const channelName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'letters, digits and "_", starting with a letter');
const sourceId = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"');

const liveness = {
  /** No byte (serial) or no answer (Modbus) for this long: the sensor is down and the port is opened again. */
  livenessMs: z.number().int().min(50).max(600_000).default(2000),
  // Opening a local port is cheap: retry at least every second, so a cable plugged back in is seen at once.
  reconnectMinMs: z.number().int().min(10).max(60_000).default(250),
  reconnectMaxMs: z.number().int().min(10).max(600_000).default(1000),
};

export const SerialSensorSchema = z
  .object({
    kind: z.literal('serial'),
    id: sourceId,
    /** The port (/dev/ttyUSB0, COM3, a pty)… */
    path: z.string().min(1).optional(),
    /** …or how to find it again after it was unplugged and came back under another name. */
    match: z.object({ serialNumber: z.string().optional(), vendorId: z.string().optional(), productId: z.string().optional() }).strict().optional(),
    baudRate: z.number().int().positive().default(115_200),
    /** kv: "vib=0.12 temp=38.2"; csv: a header line then values; json: one object per line. */
    framing: z.enum(['kv', 'csv', 'json']),
    /** CSV columns when the device sends no header. */
    csvColumns: z.array(z.string().min(1)).optional(),
    /** xor: an NMEA-style "*HH" suffix, the XOR of the bytes before it. */
    checksum: z.enum(['none', 'xor']).default('none'),
    /** A line longer than this is junk (a wrong baud rate or a babbling device produces endless lines). */
    maxLineBytes: z.number().int().min(16).max(65_536).default(512),
    /** The values taken from each line, by name, with their valid ranges. */
    channels: z.record(channelName, ChannelSchema),
    ...liveness,
  })
  .strict()
  .refine((s) => s.path !== undefined || s.match !== undefined, { message: 'give the port path or a match (serialNumber, vendorId)', path: ['path'] });

export const ModbusSensorSchema = z
  .object({
    kind: z.literal('modbus'),
    id: sourceId,
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(9600),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    unitId: z.number().int().min(1).max(247).default(1),
    pollMs: z.number().int().min(20).max(600_000).default(1000),
    timeoutMs: z.number().int().min(10).max(60_000).default(500),
    /** Holding registers: value = raw × scale + offset (raw read as signed 16-bit when signed). */
    registers: z
      .array(
        z
          .object({
            channel: channelName,
            address: z.number().int().min(0).max(65_535),
            scale: z.number().default(1),
            offset: z.number().default(0),
            signed: z.boolean().default(false),
            min: z.number(),
            max: z.number(),
          })
          .strict(),
      )
      .min(1),
    ...liveness,
  })
  .strict();

export const CsvReplaySensorSchema = z
  .object({
    kind: z.literal('csv-replay'),
    id: sourceId,
    /** A recording with a time column (ms) and one column per channel. Default: the bundled demo recording. */
    file: z.string().min(1).optional(),
    timeColumn: z.string().default('timestamp_ms'),
    /** 1 = as recorded; 2 = twice as fast. */
    speed: z.number().positive().max(1000).default(1),
    loop: z.boolean().default(true),
    channels: z.record(channelName, ChannelSchema),
  })
  .strict();

/**
 * A simulated machine (the demo default, and a way to try the health pipeline without a machine): its vibration,
 * bearing temperature and hall humidity at rateHz, healthy most of the time, with bearing wear simulated for a while
 * in every cycle, announced in the event log before it begins so that nobody takes the demo's alarm for a real one.
 */
export const SimulatedSensorSchema = z
  .object({
    kind: z.literal('simulated'),
    id: sourceId,
    seed: z.string().min(1).max(100).default('linesight-demo-machine-v1'),
    rateHz: z.number().int().min(10).max(2000).default(200),
    /** 1 = real time; 10 = ten simulated seconds each second (to watch a whole cycle quickly). */
    speed: z.number().positive().max(100).default(1),
    /** One simulated bearing-wear episode per cycle: it starts startS into the cycle, wears in over rampS and lasts holdS more, then the bearing is "replaced". */
    wear: z
      .object({
        cycleS: z.number().positive().max(86_400).default(900),
        startS: z.number().min(0).max(86_400).default(300),
        rampS: z.number().min(0).max(3600).default(30),
        holdS: z.number().min(0).max(86_400).default(120),
        /** How long before each episode the event log announces it. */
        announceS: z.number().min(0).max(3600).default(60),
      })
      .strict()
      .refine((w) => w.startS + w.rampS + w.holdS <= w.cycleS, { message: 'the episode (startS + rampS + holdS) must end within cycleS' })
      .refine((w) => w.announceS <= w.startS, { message: 'announceS must not reach back before the cycle starts (at most startS)' })
      .default({ cycleS: 900, startS: 300, rampS: 30, holdS: 120, announceS: 60 }),
  })
  .strict();

export const SensorSourceSchema = z.discriminatedUnion('kind', [SerialSensorSchema, ModbusSensorSchema, CsvReplaySensorSchema, SimulatedSensorSchema]);
export type SensorSourceConfig = z.infer<typeof SensorSourceSchema>;
export type SerialSensorConfig = z.infer<typeof SerialSensorSchema>;
export type ModbusSensorConfig = z.infer<typeof ModbusSensorSchema>;
export type CsvReplaySensorConfig = z.infer<typeof CsvReplaySensorSchema>;
export type SimulatedSensorConfig = z.infer<typeof SimulatedSensorSchema>;

/** A rule of the environmental multiplier (docs/BACKGROUND.md): when every condition given holds, risk is multiplied. */
export const EnvironmentRuleSchema = z
  .object({
    name: z.string().min(1),
    /** Conditions on the latest value of a channel: { "temperature_c": { "above": 40 } }. */
    when: z.record(channelName, z.object({ above: z.number().optional(), below: z.number().optional() }).strict()),
    multiplier: z.number().positive().max(100),
  })
  .strict();
export type EnvironmentRule = z.infer<typeof EnvironmentRuleSchema>;

export const HealthConfigSchema = z
  .object({
    /** Risk at or above which health becomes warn / alarm… */
    warnAt: z.number().min(0).max(1).default(0.4),
    alarmAt: z.number().min(0).max(1).default(0.7),
    /** …and how far below the threshold it must fall to come back (hysteresis: no flapping on a noisy figure). */
    hysteresis: z.number().min(0).max(0.5).default(0.1),
    /** How often the sensor model is asked for p_fail. */
    evaluateMs: z.number().int().min(10).max(60_000).default(250),
    /**
     * A new level (at risk, high risk, back to ok) must hold this long before it is reported and its alarm
     * sounds: a spike of a few evaluations is not an alarm. "Unknown" is reported at once (it says why).
     */
    holdMs: z.number().int().min(0).max(600_000).default(10_000),
  })
  .strict()
  .refine((h) => h.warnAt < h.alarmAt, { message: 'warnAt must be below alarmAt', path: ['warnAt'] });
export type HealthConfig = z.infer<typeof HealthConfigSchema>;

export const SensorsConfigSchema = z
  .object({
    sources: z.array(SensorSourceSchema).default([]),
    /** The sensor model package (a tabular model giving p_fail). Default: the bundled demo sensor model. */
    model: z
      .object({ dir: z.string().min(1).optional() })
      .strict()
      .default({}),
    /** Rolling window per channel, in samples. */
    windowSamples: z.number().int().min(8).max(65_536).default(256),
    /** Sample rate the FFT band edges refer to, Hz (the rate the readings arrive at). */
    sampleRateHz: z.number().positive().max(1_000_000).default(200),
    environment: z.array(EnvironmentRuleSchema).default([]),
    /**
     * A channel whose newest valid reading is older than this makes machine health unknown (an alarm), never
     * "ok" on stale data. Default: the window's span (windowSamples / sampleRateHz), and never less than a
     * source's own pace (a serial sensor's livenessMs, two Modbus polls).
     */
    staleMs: z.number().int().min(10).max(3_600_000).optional(),
    health: HealthConfigSchema.default(HealthConfigSchema.parse({})),
  })
  .strict();
export type SensorsConfig = z.infer<typeof SensorsConfigSchema>;
