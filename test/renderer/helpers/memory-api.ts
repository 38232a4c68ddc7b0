/**
 * An in-memory LineSightApi for component tests: the same typed surface the
 * preload and the WebSocket give the pages, with state the test controls and
 * a record of every request. Operations a test does not set refuse loudly.
 */
import type { EventName, EventPayload, LineSightApi, OperationName, ReplyOf, RequestOf } from '../../../src/shared/contract';
import { OPERATION_NAMES } from '../../../src/shared/contract';
import type { SessionInfo } from '../../../src/shared/session';
import type { ModelRecord } from '../../../src/shared/models';
import { createTransportCounters, type StationStatus } from '../../../src/shared/status';

const latency = { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };

export function stationStatus(overrides: Partial<StationStatus> = {}): StationStatus {
  return {
    station: { id: 's', name: 'Line 3', startedAt: '2026-01-01T00:00:00Z', uptimeS: 5 },
    model: {
      name: 'demo-cherry',
      version: '1.0.0',
      state: 'ready',
      provider: 'cpu',
      fallbacks: [],
      decoder: { name: 'libjpeg-turbo + swscale', detail: 'libturbojpeg.so.0, libswscale.so.6' },
      labels: ['cherry_clean', 'cherry_pit'],
      rejectLabel: 'cherry_pit',
      notes: [],
      registryId: null,
      mode: 'latency',
      batchSize: 1,
      threads: 1,
      workerRestarts: 0,
      settingsSetBy: null,
    },
    thresholds: { pit: 0.75, maybe: 0.5 },
    thresholdsSetBy: null,
    source: {
      kind: 'replay',
      description: 'demo',
      state: 'running',
      fps: 10,
      framesDelivered: 10,
      reconnects: 0,
      rejected: 0,
      lastFrameAgeMs: 40,
      stallMs: 2000,
    },
    machine: null,
    alarms: [],
    failSafe: { engaged: false, reasons: [], kinds: [] },
    frames: { seen: 10, classified: 10, errors: 0, dropped: 0 },
    decisions: { clean: 7, maybe: 1, pit: 2 },
    rejectRate: 0.2,
    shift: { name: '06:00–14:00', startedAt: '2026-01-01T05:00:00.000Z', decisions: { clean: 70, maybe: 10, pit: 20 }, rejectRate: 0.2 },
    lastHour: { decisions: { clean: 7, maybe: 1, pit: 2 }, rejectRate: 0.2 },
    fps: 9.8,
    latencyMs: { decode: latency, preprocess: latency, inference: latency, decision: latency, log: latency, total: latency },
    loopDelayP99Ms: 0.4,
    system: { cpuPct: 12, cores: 2, rssBytes: 2e8, heapUsedBytes: 2e7, freeMemBytes: 1e10, totalMemBytes: 2e10, loadAvg: [0.5, 0.4, 0.3] },
    clients: { open: 1, technicians: 0 },
    line: { rateFps: 10, paused: false, pausedBecause: null },
    benchmark: null,
    database: {
      path: '/tmp/x.sqlite',
      databaseId: '0f3c9a7e5b2d4c6e8a1b3d5f7e9c2a4b',
      rowsWritten: 10,
      pendingRows: 0,
      lastFlushMs: 0.2,
      lastSeq: 10,
      sizeBytes: 40960,
      imagesBytes: 0,
      writes: 'ok',
      writeProblem: null,
      failingSince: null,
      whenFull: 'fail-safe',
      maxWaitingRows: 50_000,
      rowsNotRecorded: 0,
      rowsRejected: 0,
      eventsWaiting: 0,
      eventsNotRecorded: 0,
      writeFailures: 0,
      eventsRejected: 0,
      logWriterRestarts: 0,
      imageWrites: { inFlight: 0, inFlightBytes: 0, notKeptBusy: 0, notKeptFailed: 0 },
      movedAside: [],
    },
    upload: [],
    output: { kind: 'none', state: 'off', heartbeat: false, commandsSent: 0 },
    api: { accepted: 3, rejected: 0, denied: 0, failed: 0 },
    connections: createTransportCounters(),
    recipe: null,
    ...overrides,
  };
}

export const operatorSession = (overrides: Partial<SessionInfo> = {}): SessionInfo => ({
  role: 'operator',
  user: null,
  transport: 'websocket',
  peer: '127.0.0.1',
  expiresAt: null,
  idleLogoutS: 300,
  technicians: ['technician'],
  demoPin: false,
  signInLocks: [],
  ...overrides,
});

type Handler<K extends OperationName> = (request: RequestOf<K>) => Promise<ReplyOf<K>> | ReplyOf<K>;
export type Handlers = { [K in OperationName]?: Handler<K> };

export interface MemoryApi {
  readonly api: LineSightApi;
  readonly calls: { op: OperationName; request: unknown }[];
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

export function memoryApi(status: StationStatus, handlers: Handlers = {}): MemoryApi {
  const listeners = new Map<EventName, Set<(p: never) => void>>();
  const calls: { op: OperationName; request: unknown }[] = [];
  const defaults: Handlers = {
    getStatus: () => status,
    getSession: () => operatorSession(),
    getRecentInspections: () => [],
    getRecentRejects: () => [],
    getFrameImage: ({ frameId }) => ({ frameId, jpeg: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) }),
    getAudit: () => [],
    getEvents: () => [],
    getDiagnosticsHistory: () => [],
    touchSession: () => operatorSession(),
  };
  const all = { ...defaults, ...handlers } as Record<OperationName, ((r: unknown) => unknown) | undefined>;
  const ops = Object.fromEntries(
    OPERATION_NAMES.map((op) => [
      op,
      async (request: unknown) => {
        calls.push({ op, request });
        const h = all[op];
        if (!h) throw new Error(`${op} is not set up in this test`);
        return h(request);
      },
    ]),
  ) as unknown as Omit<LineSightApi, 'on'>;
  const api: LineSightApi = {
    ...ops,
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: never) => void);
      return () => set.delete(listener as (p: never) => void);
    },
  };
  return { api, calls, emit: (event, payload) => listeners.get(event)?.forEach((l) => l(payload as never)) };
}

/** A registered model as the registry lists it: demo-cherry at this version, one that can drive the line. */
export const modelRecord = (id: number, version: string, active: boolean, extra: Partial<ModelRecord> = {}): ModelRecord => ({
  id,
  name: 'demo-cherry',
  version,
  task: 'image-classification',
  sha256: 'a'.repeat(64),
  sourceSha256: 'b'.repeat(64),
  source: '/media/usb/demo',
  importedAt: '2026-01-01T00:00:00Z',
  importedBy: 'ana (desktop)',
  notes: [],
  active,
  configured: false,
  use: { line: true, words: 'can drive the line: items it scores as "cherry_pit" are rejected' },
  rollbackTarget: false,
  parity: null,
  quantized: null,
  ...extra,
});
