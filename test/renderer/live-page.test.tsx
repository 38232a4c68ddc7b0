/**
 * The live page in jsdom, driven through the same LineSightApi the preload
 * and the WebSocket provide, here an in-memory one the test controls.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayload, LineSightApi } from '../../src/shared/contract';
import type { Inspection } from '../../src/shared/inspection';
import type { StationStatus } from '../../src/shared/status';
import { App } from '../../src/renderer/src/App';
import { DecisionBadge } from '../../src/renderer/src/components/DecisionBadge';

const latency = { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
const status: StationStatus = {
  station: { id: 's', name: 'Line 3', startedAt: '2026-01-01T00:00:00Z', uptimeS: 5 },
  model: {
    name: 'demo-cherry',
    version: '1.0.0',
    state: 'ready',
    provider: 'cpu',
    fallbacks: [],
    labels: ['cherry_clean', 'cherry_pit'],
    rejectLabel: 'cherry_pit',
    notes: [],
    registryId: null,
    mode: 'latency',
    batchSize: 1,
    threads: 1,
    workerRestarts: 0,
  },
  thresholds: { pit: 0.75, maybe: 0.5 },
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
  failSafe: { engaged: false, reasons: [] },
  frames: { seen: 10, classified: 10, errors: 0, dropped: 0 },
  decisions: { clean: 7, maybe: 1, pit: 2 },
  rejectRate: 0.2,
  fps: 9.8,
  latencyMs: { decode: latency, preprocess: latency, inference: latency, decision: latency, log: latency, total: latency },
  loopDelayP99Ms: 0.4,
  database: { path: '/tmp/x.sqlite', rowsWritten: 10, pendingRows: 0, lastFlushMs: 0.2, lastSeq: 10, sizeBytes: 40960, imagesBytes: 0 },
  upload: [],
  output: { kind: 'none', state: 'off', heartbeat: false, commandsSent: 0 },
  api: { accepted: 3, rejected: 0, failed: 0 },
};

function memoryApi(initial: StationStatus) {
  const listeners = new Map<EventName, Set<(p: never) => void>>();
  const api: LineSightApi = {
    getStatus: async () => initial,
    getRecentInspections: async () => [],
    getFrameImage: async ({ frameId }) => ({ frameId, jpeg: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) }),
    listModels: async () => [],
    getEvents: async () => [],
    getAudit: async () => [],
    setThresholds: () => Promise.reject(new Error('not used by the live page')),
    getModelHistory: async () => [],
    importModel: () => Promise.reject(new Error('not used by the live page')),
    activateModel: () => Promise.reject(new Error('not used by the live page')),
    rollbackModel: () => Promise.reject(new Error('not used by the live page')),
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: never) => void);
      return () => set.delete(listener as (p: never) => void);
    },
  };
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => listeners.get(event)?.forEach((l) => l(payload as never));
  return { api, emit };
}

afterEach(cleanup);

describe('live page', () => {
  it('shows the counts, reject rate and frame rate from the station status', async () => {
    const { api } = memoryApi(status);
    render(<App api={api} transport="websocket" />);
    expect(await screen.findByTestId('count-clean')).toHaveProperty('textContent', '7');
    expect(screen.getByTestId('count-pit').textContent).toBe('2');
    expect(screen.getByTestId('count-total').textContent).toBe('10');
    expect(screen.getByTestId('count-reject-rate').textContent).toBe('20.0%');
    expect(screen.getByTestId('count-fps').textContent).toBe('9.8');
  });

  it('shows each new item with its decision as a word, and scores', async () => {
    const { api, emit } = memoryApi(status);
    globalThis.URL.createObjectURL = () => 'blob:frame';
    globalThis.URL.revokeObjectURL = () => {};
    render(<App api={api} transport="websocket" />);
    await screen.findByTestId('count-clean');
    const item: Inspection = {
      frameId: 11,
      capturedAt: '2026-01-01T00:00:01Z',
      origin: 'replay:00011.jpg',
      decision: 'pit',
      rejectScore: 0.91,
      scores: { cherry_clean: 0.09, cherry_pit: 0.91 },
      totalMs: 8.2,
      modelVersion: '1.0.0',
    };
    await act(async () => emit('inspection', item));
    const badge = await screen.findByTestId('decision');
    expect(badge.dataset['decision']).toBe('pit');
    expect(badge.textContent).toContain('PIT');
    expect(badge.textContent).toContain('rejected');
    expect(screen.getByTestId('scores').textContent).toContain('0.91');
    expect((await screen.findByTestId('frame-image')).getAttribute('src')).toBe('blob:frame');
  });
});

describe('DecisionBadge', () => {
  it('never relies on colour alone: word, icon and hint for every decision', () => {
    for (const [decision, word] of [
      ['clean', 'CLEAN'],
      ['maybe', 'MAYBE'],
      ['pit', 'PIT'],
    ] as const) {
      const { container, unmount } = render(<DecisionBadge decision={decision} />);
      expect(container.textContent).toContain(word);
      expect(container.querySelector('svg')).not.toBeNull();
      unmount();
    }
  });

  it('says why an item was rejected fail-safe', () => {
    render(<DecisionBadge decision="pit" failSafeReason="decode failed: frame is not a readable image" />);
    expect(screen.getByTestId('decision').textContent).toContain('fail-safe reject: decode failed');
  });
});
