/**
 * The station's configuration file (JSON), validated with zod. Every key is
 * optional: what is left out takes the embedded demo default (and a
 * threshold left out, the configured model's). Unknown keys are refused at
 * every level, so a typo is reported instead of silently ignored.
 *
 * Relative paths are resolved against the config file's folder.
 */
import { z } from 'zod';
import { PlcConfigSchema } from './plc-config';
import { MqttConfigSchema } from './mqtt-config';
import { OpcUaConfigSchema } from './opcua-config';
import { AuthConfigSchema, ServerConfigSchema, ShiftsConfigSchema } from './access-config';
import { ThresholdsSchema } from './manifest';
import { SensorsConfigSchema, type SensorsConfig } from './sensor-config';
import { DecisionConfigSchema, OutputConfigSchema, StorageConfigSchema, UploadConfigSchema } from './storage-config';
import { PipelineConfigSchema, ReplaySourceSchema, SourceConfigSchema } from './source-config';

/**
 * The demo machine: a simulated machine, healthy, whose bearing wear is simulated for 2½ min in every 15 (from
 * minute 5) and announced a minute ahead in the event log (issue 12: a demo alarm every 30 s taught people to
 * ignore alarms), and the bundled demo sensor model.
 */
export const DEMO_SENSORS: SensorsConfig = SensorsConfigSchema.parse({
  sources: [{ kind: 'simulated', id: 'demo-machine' }],
  environment: [
    { name: 'hot bearing', when: { temperature_c: { above: 45 } }, multiplier: 1.5 },
    { name: 'humid hall', when: { humidity_pct: { above: 75 } }, multiplier: 1.3 },
  ],
});

export const EXECUTION_PROVIDERS = ['tensorrt', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

export const InferenceConfigSchema = z
  .object({
    /**
     * Execution providers in order of preference; the first that loads is used
     * and the reasons the others did not are reported. Default per platform:
     * TensorRT, CUDA, CPU on Linux; DirectML, CPU on Windows; CoreML, CPU on macOS.
     */
    providers: z.array(z.enum(EXECUTION_PROVIDERS)).min(1).optional(),
    /**
     * Threads for one inference. "auto": one per core but one, at most 8, so
     * that decoding and the UI keep a core (on a 2-core station PC: 1).
     */
    intraOpThreads: z.union([z.literal('auto'), z.number().int().min(1).max(64)]).default('auto'),
    interOpThreads: z.number().int().min(1).max(64).default(1),
    /** Spinning threads burn a core between frames; camera traffic is bursty (docs/BACKGROUND.md). */
    spinning: z.boolean().default(false),
    graphOptimization: z.enum(['disabled', 'basic', 'extended', 'all']).default('all'),
    executionMode: z.enum(['sequential', 'parallel']).default('sequential'),
    memoryArena: z.boolean().default(true),
    warmupRuns: z.number().int().min(0).max(100).default(3),
    /**
     * latency: each frame alone, as soon as it is ready. throughput: frames are
     * gathered into batches of up to maxBatch, waiting at most maxWaitMs for
     * the batch to fill. A model with a fixed batch of 1 always runs frame by frame.
     */
    mode: z.enum(['latency', 'throughput']).default('latency'),
    maxBatch: z.number().int().min(1).max(256).default(8),
    maxWaitMs: z.number().min(0).max(1000).default(10),
  })
  .strict();
export type InferenceConfig = z.infer<typeof InferenceConfigSchema>;

/** Inference settings a technician applied (from the benchmark's recommendation): they win over the config file's, across restarts. */
export const InferenceOverrideSchema = z
  .object({
    providers: z.array(z.enum(EXECUTION_PROVIDERS)).min(1),
    intraOpThreads: z.number().int().min(1).max(64),
    mode: z.enum(['latency', 'throughput']),
    maxBatch: z.number().int().min(1).max(256),
  })
  .strict();
export type InferenceOverride = z.infer<typeof InferenceOverrideSchema>;

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/** model.maxFileBytes when the config leaves it out (model-package.ts uses it where no config is at hand: the CLI, the benchmark). */
export const DEFAULT_MODEL_MAX_FILE_BYTES = GIB;

export const DriftConfigSchema = z
  .object({
    /** Items per window compared with the reference; 0: no score test. At most 10,000 (a window is sorted as it closes). */
    window: z.number().int().min(0).max(10_000).default(500),
    /**
     * What the scores are held to: 'line', the line's own first two windows under the running model (default: a
     * calibration set's mix of defects and good items is rarely the line's); 'calibration', the model's calibration.
     */
    reference: z.enum(['line', 'calibration']).default('line'),
    /** The score test's false-alarm rate per window: 0.001 flags one window in a thousand where nothing moved. */
    alpha: z.number().gt(0).lt(0.5).default(0.001),
    /** Page–Hinkley on the reject and the divert rate: the rise it tolerates, and the evidence an alarm takes (0: off). */
    rateDelta: z.number().min(0).max(1).default(0.02),
    rateLambda: z.number().min(0).max(100_000).default(60),
  })
  .strict();
export type DriftConfig = z.infer<typeof DriftConfigSchema>;

export const CaptureConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Items kept an hour, at most, for each reason: maybe-band items, items decided while a drift alarm stands, a random sample. */
    maybePerHour: z.number().int().min(0).max(100_000).default(60),
    driftPerHour: z.number().int().min(0).max(100_000).default(60),
    randomPerHour: z.number().int().min(0).max(100_000).default(30),
    /** The share of items drawn for the random sample (then held to its quota). */
    randomShare: z.number().min(0).max(1).default(0.01),
    /** Disagreements kept per shadow trial. */
    disagreementsPerTrial: z.number().int().min(0).max(100_000).default(500),
    /** Captures the station keeps by itself, in all; past it only labels from people and shadow disagreements (under their own quota) are kept. */
    maxCaptures: z.number().int().min(1).max(1_000_000).default(20_000),
    /** The captures' pictures together, at most (all kinds, people's labels too): the disk the log needs is never theirs. */
    maxBytes: z
      .number()
      .int()
      .min(1_000_000)
      .max(1_000_000_000_000)
      .default(2 * 1024 ** 3),
  })
  .strict();
export type CaptureConfig = z.infer<typeof CaptureConfigSchema>;

export const StationConfigSchema = z
  .object({
    station: z
      .object({
        id: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only')
          .default('demo-station'),
        name: z.string().min(1).max(120).default('LineSight demo station'),
      })
      .strict()
      .default({ id: 'demo-station', name: 'LineSight demo station' }),
    model: z
      .object({
        /** A model package folder (model.onnx + manifest.json). Default: the bundled demo model. */
        dir: z.string().min(1).optional(),
        /**
         * Overrides the manifest's default thresholds (until a technician applies others: those are kept across
         * restarts). In the file either may be given alone: config-loader.ts fills the other from the configured
         * model's manifest before this checks, so here both are present. Strict, as every other level is.
         */
        thresholds: ThresholdsSchema.strict().optional(),
        /**
         * Folders searched for model packages to import (a USB stick's mount point). Default: the platform's
         * removable-media folders (/media, /run/media, /mnt; /Volumes; drive letters D: to Z:) and the bundled models.
         */
        importRoots: z.array(z.string().min(1)).max(32).optional(),
        /**
         * The most memory a model may take while it is first loaded and warmed up, in MiB: every import, and
         * the first load of any model file on this station, runs first in a separate process capped at this
         * (Node and ONNX Runtime included, about 80 MiB); a model that needs more is refused and the running
         * model stays active. 2048: twenty times what the largest model here needs (SqueezeNet, ~100 MiB),
         * room for ResNet-50-class models, and a bound a 24 GiB, 2-core station PC carries beside its line.
         */
        loadMemoryMiB: z.number().int().min(256).max(65536).default(2048),
        /** How long that first load may take, in seconds, before the model is refused (a TensorRT engine build is the slow case). */
        loadTimeoutS: z.number().int().min(5).max(3600).default(120),
        /**
         * The largest model file the station reads, in bytes: a larger one (a multi-GB file on a USB stick) is
         * refused from its size before a byte of it is read. 1 GiB: ten times a float32 ResNet-50 (~100 MB), while
         * the station holds a model's bytes a few times over during a load; an ONNX file cannot exceed 2 GiB
         * (protobuf's limit). A manifest and a labels file may be at most 1 MiB each, whatever this says.
         */
        maxFileBytes: z
          .number()
          .int()
          .min(MIB)
          .max(2 * GIB)
          .default(DEFAULT_MODEL_MAX_FILE_BYTES),
      })
      .strict()
      .default({ loadMemoryMiB: 2048, loadTimeoutS: 120, maxFileBytes: DEFAULT_MODEL_MAX_FILE_BYTES }),
    source: SourceConfigSchema.default(ReplaySourceSchema.parse({ kind: 'replay' })),
    pipeline: PipelineConfigSchema.default(PipelineConfigSchema.parse({})),
    inference: InferenceConfigSchema.default(InferenceConfigSchema.parse({})),
    /** Left out: the demo machine (the bundled recording and demo sensor model); sources: [] for none. */
    sensors: SensorsConfigSchema.default(DEMO_SENSORS),
    storage: StorageConfigSchema.default(StorageConfigSchema.parse({})),
    upload: UploadConfigSchema.default(UploadConfigSchema.parse({})),
    decision: DecisionConfigSchema.default(DecisionConfigSchema.parse({})),
    /** How decisions reach the sorter. Default: none (the demo has no sorter). */
    output: OutputConfigSchema.default({ kind: 'none' }),
    /** The headless station's HTTP and WebSocket server. */
    server: ServerConfigSchema.default(ServerConfigSchema.parse({})),
    /** Technicians and their PINs, sign-out and lock-out. */
    auth: AuthConfigSchema.default(AuthConfigSchema.parse({})),
    /** The line: how many items a second it delivers (what the benchmark's line-rate scenario and its recommendation aim at). */
    line: z
      .object({ rateFps: z.number().positive().max(2000).default(10) })
      .strict()
      .default({ rateFps: 10 }),
    /** The shifts the live page counts per. */
    shifts: ShiftsConfigSchema.default(ShiftsConfigSchema.parse({})),
    /** Watching the line's scores and rates for drift (engine/drift/): an alarm when they move, never a fail-safe. */
    drift: DriftConfigSchema.default(DriftConfigSchema.parse({})),
    /** Items kept to teach from, each kind under its own hourly quota (engine/capture/). */
    capture: CaptureConfigSchema.default(CaptureConfigSchema.parse({})),
    /** The PLC link: none (every camera frame is an item), or the Modbus TCP handshake (every PLC trigger is one). */
    plc: PlcConfigSchema.default({ kind: 'none' }),
    /** The plant's MQTT broker: decisions, alarms and state published (engine/mqtt/). Default: none. */
    mqtt: MqttConfigSchema.default({ kind: 'none' }),
    /** The station's OPC UA server: state, counts, last result and alarms; recipe select and result acknowledge (engine/opcua/). Default: none. */
    opcua: OpcUaConfigSchema.default({ kind: 'none' }),
  })
  .strict();

export type StationConfig = z.infer<typeof StationConfigSchema>;
export type StationConfigInput = z.input<typeof StationConfigSchema>;
