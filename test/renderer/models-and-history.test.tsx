/**
 * The Models page's import (progress, problems, what a package can be used for), roll-back (to the configured model
 * too) and why a control cannot be used; the History page's filters, item numbers, audit trail in words and kept pictures.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportProgress, ImportReport, ModelActivation } from '../../src/shared/models';
import { App } from '../../src/renderer/src/App';
import type { AuditEntry } from '../../src/shared/audit';
import type { LoggedInspection } from '../../src/shared/history';
import { describeAuditValue } from '../../src/renderer/src/audit-words';
import { buildFilter, isoToLocal, keptImageWidth, localToIso } from '../../src/renderer/src/pages/HistoryPage';
import { importProblems } from '../../src/renderer/src/pages/ModelsPage';
import { memoryApi, modelRecord, operatorSession, stationStatus, type Handlers, type MemoryApi } from './helpers/memory-api';

afterEach(cleanup);

const LINE = { line: true, words: 'can drive the line: items it scores as "cherry_pit" are rejected' };
const NO_REJECT = { line: false, words: 'cannot drive the line: its manifest names no rejectLabel, the class that means reject' };

const record = modelRecord;
const activation = (seq: number, modelId: number, version: string): ModelActivation => ({
  seq,
  modelId,
  name: 'demo-cherry',
  version,
  action: 'activate',
  at: '2026-01-01T00:00:00Z',
  actor: 'ana (desktop)',
  reason: 'trial',
});

describe('models page', () => {
  function setup(
    importModel: (taskId: string, m: MemoryApi) => Promise<ImportReport>,
    models = [record(2, '1.1.0', true), record(1, '1.0.0', false, { rollbackTarget: true })],
    extra: Handlers = {},
  ) {
    const technician = operatorSession({ role: 'technician', user: 'ana', expiresAt: '2026-01-01T01:00:00Z' });
    const memory: MemoryApi = memoryApi(stationStatus({ model: { ...stationStatus().model, version: '1.1.0', registryId: 2 } }), {
      getSession: () => technician,
      listModels: () => models,
      getModelHistory: () => [activation(2, 2, '1.1.0'), activation(1, 1, '1.0.0')],
      listImportCandidates: () => ({ roots: ['/media'], candidates: [], unreadable: [{ path: '/media/usb/x/manifest.json', problem: 'labels: Required' }] }),
      importModel: ({ taskId }) => importModel(taskId!, memory),
      rollbackModel: () => record(1, '1.0.0', true),
      ...extra,
    });
    return memory;
  }

  it('shows each import step as the station announces it, then every problem of a refused model', async () => {
    const progress = (taskId: string, step: ImportProgress['step'], index: number, state: ImportProgress['state'], message: string): ImportProgress => ({
      taskId,
      step,
      index,
      steps: 4,
      state,
      message,
    });
    let finish: (() => void) | null = null;
    const memory = setup(
      (taskId, m) =>
        new Promise((_resolve, reject) => {
          m.emit('importProgress', progress(taskId, 'read', 0, 'running', 'reading'));
          m.emit('importProgress', progress(taskId, 'compare', 1, 'running', 'comparing'));
          m.emit('importProgress', progress(taskId, 'trial-load', 2, 'running', 'loading'));
          finish = () => {
            m.emit('importProgress', progress(taskId, 'trial-load', 2, 'failed', 'refused'));
            reject(
              new Error(
                'model x cannot be imported: input "data": the manifest says 3 channels, the model has 1; output "prob": 10 classes, the manifest has 2 labels',
              ),
            );
          };
        }),
    );
    window.location.hash = '#/models';
    render(<App api={memory.api} transport="websocket" />);
    await waitFor(() => expect(screen.getByTestId('page-models').textContent).toContain('labels: Required'));
    fireEvent.change(screen.getByTestId('import-path'), { target: { value: '/media/usb/x' } });
    fireEvent.click(screen.getByTestId('import-start'));
    await waitFor(() => expect(screen.getByTestId('step-trial-load').dataset['state']).toBe('running'));
    expect(screen.getByTestId('step-read').dataset['state']).toBe('done');
    expect(screen.getByTestId('step-compare').dataset['state']).toBe('done');
    expect(screen.getByTestId('step-store').dataset['state']).toBe('waiting');
    await act(async () => finish!());
    const problems = await screen.findByTestId('import-problems');
    expect([...problems.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'model x cannot be imported: input "data": the manifest says 3 channels, the model has 1',
      'output "prob": 10 classes, the manifest has 2 labels',
    ]);
    expect(screen.getByTestId('step-trial-load').dataset['state']).toBe('failed');
    expect(screen.getByTestId('step-store').dataset['state']).toBe('waiting');
  });

  it('rolls back to the model before, with a reason', async () => {
    const memory = setup(() => Promise.reject(new Error('unused')));
    window.location.hash = '#/models';
    render(<App api={memory.api} transport="websocket" />);
    const button = await screen.findByTestId('rollback');
    await waitFor(() => expect(button.textContent).toBe('Roll back to demo-cherry 1.0.0…'));
    fireEvent.click(button);
    const dialog = await screen.findByTestId('reason-dialog');
    fireEvent.click(within(dialog).getByText('Model misbehaving'));
    await act(async () => fireEvent.click(within(dialog).getByTestId('reason-confirm')));
    expect((await screen.findByTestId('models-message')).textContent).toBe('demo-cherry 1.0.0 is active.');
    expect(memory.calls.find((c) => c.op === 'rollbackModel')?.request).toEqual({ reason: 'Model misbehaving' });
  });

  it('reads the problems out of the engine message', () => {
    expect(importProblems('a; b;  c')).toEqual(['a', 'b', 'c']);
  });

  it('rolls back to the configured model after the first activation, and says so', async () => {
    const configured = record(1, '1.0.1', false, { configured: true, rollbackTarget: true, sha256: 'c'.repeat(64), sourceSha256: 'c'.repeat(64) });
    const memory = setup(() => Promise.reject(new Error('unused')), [record(2, '2.0.0', true), configured], {
      rollbackModel: () => ({ ...configured, active: true, rollbackTarget: false }),
    });
    window.location.hash = '#/models';
    render(<App api={memory.api} transport="websocket" />);
    const button = await screen.findByTestId('rollback');
    await waitFor(() => expect(button.textContent).toBe('Roll back to demo-cherry 1.0.1 (the configured model)…'));
    // One hash when nothing was repaired, labelled; two when the stored file differs from the shipped one.
    expect(screen.getByTestId('model-demo-cherry-1.0.1').textContent).toContain('cccccccccccc…as shipped, stored unchanged');
    expect(screen.getByTestId('model-demo-cherry-2.0.0').textContent).toMatch(/bbbbbbbbbbbb…as shipped.*aaaaaaaaaaaa…as stored, after repairs/);
    fireEvent.click(button);
    const dialog = await screen.findByTestId('reason-dialog');
    expect(dialog.textContent).toContain('The line goes back to demo-cherry 1.0.1, the configured model.');
    fireEvent.click(within(dialog).getByText('Back to the known good model'));
    await act(async () => fireEvent.click(within(dialog).getByTestId('reason-confirm')));
    expect((await screen.findByTestId('models-message')).textContent).toBe('demo-cherry 1.0.1 (the configured model) is active.');
  });

  it('says why a control cannot be used: nothing to roll back to, a model that cannot drive the line, a different file under a registered version', async () => {
    const memory = setup(() => Promise.reject(new Error('unused')), [record(2, '1.1.0', true), record(3, '9', false, { name: 'squeezenet', use: NO_REJECT })], {
      listImportCandidates: () => ({
        roots: ['/media'],
        candidates: [
          { path: '/media/a', name: 'demo-cherry', version: '1.1.0', task: 'image-classification', sha256: 'd'.repeat(64), registry: 'different', use: LINE },
          { path: '/media/b', name: 'squeezenet', version: '10', task: 'image-classification', sha256: 'e'.repeat(64), registry: 'absent', use: NO_REJECT },
        ],
        unreadable: [],
      }),
    });
    window.location.hash = '#/models';
    render(<App api={memory.api} transport="websocket" />);
    const rollback = await screen.findByTestId('rollback');
    await waitFor(() => expect(screen.getByTestId('rollback-why').textContent).toMatch(/^Nothing to roll back to: no other model has run/));
    expect((rollback as HTMLButtonElement).disabled).toBe(true);
    expect(rollback.title).toBe(screen.getByTestId('rollback-why').textContent);
    const activate = await screen.findByTestId('activate-squeezenet-9');
    expect((activate as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('activate-why-squeezenet-9').textContent).toBe(
      'It cannot drive the line: its manifest names no rejectLabel, the class that means reject.',
    );
    expect(screen.getByTestId('use-squeezenet-9').textContent).toContain('Cannot drive the line');
    expect(screen.getByTestId('candidate-use-squeezenet-10').textContent).toContain('Cannot drive the line: its manifest names no rejectLabel');
    expect(within(screen.getByTestId('candidate-demo-cherry-1.1.0')).getByTestId('candidate-different').textContent).toMatch(
      /^A different file with the same name and version is in the registry/,
    );
    expect((within(screen.getByTestId('candidate-demo-cherry-1.1.0')).getByRole('button') as HTMLButtonElement).disabled).toBe(true);
  });

  it('says at import that a package cannot drive the line, and never to activate it', async () => {
    const imported = record(3, '9', false, { name: 'squeezenet', use: NO_REJECT });
    const memory = setup(async () => ({ model: imported, provider: 'cpu', fallbacks: [], alreadyImported: false }));
    window.location.hash = '#/models';
    render(<App api={memory.api} transport="websocket" />);
    fireEvent.change(await screen.findByTestId('import-path'), { target: { value: '/media/usb/squeezenet' } });
    fireEvent.click(screen.getByTestId('import-start'));
    const ok = await screen.findByTestId('import-ok');
    expect(ok.textContent).toBe(
      'squeezenet 9 imported (trial load on cpu). It cannot drive the line: its manifest names no rejectLabel, the class that means reject, so it cannot be activated.',
    );
    expect(ok.textContent).not.toContain('Activate it below');
  });
});

describe('history filters', () => {
  it('turns local times into UTC instants and back', () => {
    const iso = localToIso('2026-03-04T05:06');
    expect(iso).toBe(new Date(2026, 2, 4, 5, 6).toISOString());
    expect(isoToLocal(iso!)).toBe('2026-03-04T05:06');
    expect(localToIso('')).toBeUndefined();
  });

  it('sends only what narrows the search', () => {
    expect(buildFilter('', '', new Set(), false)).toEqual({});
    expect(buildFilter('', '', new Set(['clean', 'maybe', 'pit']), false)).toEqual({});
    expect(buildFilter('2026-03-04T05:06', '', new Set(['pit', 'maybe']), true)).toEqual({
      from: new Date(2026, 2, 4, 5, 6).toISOString(),
      decisions: ['maybe', 'pit'],
      failSafeOnly: true,
    });
  });
});

describe('history page', () => {
  const logged = (seq: number, frameId: number): LoggedInspection => ({
    seq,
    frameId,
    capturedAt: '2026-01-01T00:00:00Z',
    origin: 'replay:x.jpg',
    modelName: 'demo-cherry',
    modelVersion: '1.0.1',
    decision: 'pit',
    rejectScore: 0.91234567,
    scores: { cherry_clean: 0.08765433, cherry_pit: 0.91234567 },
    failSafeReason: null,
    totalMs: 12.3456,
    thresholds: { pit: 0.8, maybe: 0.5 },
    hasImage: false,
  });
  const audit: AuditEntry[] = [
    { seq: 3, at: '2026-01-01T00:00:00Z', actor: 'ana', subject: 'thresholds', old: { pit: 0.75, maybe: 0.5 }, new: { pit: 0.8, maybe: 0.5 }, reason: 'lot 7' },
    {
      seq: 2,
      at: '2026-01-01T00:00:00Z',
      actor: 'ana',
      subject: 'model',
      old: { name: 'cherry-line', version: '2.0.0', sha256: 'a'.repeat(64) },
      new: { name: 'demo-cherry', version: '1.0.1', sha256: 'b'.repeat(64), action: 'rollback' },
      reason: 'trial over',
    },
    {
      seq: 1,
      at: '2026-01-01T00:00:00Z',
      actor: 'ana',
      subject: 'config',
      old: { inference: { providers: ['cpu'], intraOpThreads: 2, mode: 'latency', maxBatch: 1 } },
      new: { inference: { providers: ['cuda', 'cpu'], intraOpThreads: 1, mode: 'throughput', maxBatch: 8 } },
      reason: 'benchmark run 4',
    },
  ];

  it("numbers items by the log (unique on the station), keeps the camera frame as the camera's, and writes the audit trail in words", async () => {
    const memory = memoryApi(stationStatus(), {
      // Two starts of the station: frame 1 twice, items 1 and 2.
      queryInspections: () => ({ rows: [logged(2, 1), logged(1, 1)], total: 2, hasMore: false }),
      getAudit: () => audit,
    });
    window.location.hash = '#/history';
    render(<App api={memory.api} transport="websocket" />);
    await waitFor(() => expect(screen.getAllByTestId('history-item').map((c) => c.textContent)).toEqual(['2', '1']));
    expect(screen.getAllByTestId('history-item')[0]!.title).toBe('camera frame 1');
    expect(screen.getAllByTestId('audit-was').map((c) => c.textContent)).toEqual([
      'pit ≥ 0.75, maybe ≥ 0.50',
      'cherry-line 2.0.0',
      'CPU, 2 threads, latency mode, batches of up to 1',
    ]);
    expect(screen.getAllByTestId('audit-became').map((c) => c.textContent)).toEqual([
      'pit ≥ 0.80, maybe ≥ 0.50',
      'demo-cherry 1.0.1 (rolled back to)',
      'CUDA then CPU, 1 thread, throughput mode, batches of up to 8',
    ]);
    expect(screen.getByTestId('audit-table').textContent).not.toMatch(/[{}"]/);
    fireEvent.click(screen.getAllByTestId('history-row')[0]!);
    const detail = await screen.findByTestId('inspection-detail');
    expect(detail.textContent).toContain('Item 2');
    expect(within(detail).getByTestId('history-thresholds').textContent).toBe('pit ≥ 0.80, maybe ≥ 0.50');
  });

  it('writes any other audit value without JSON, and thresholds with the decimals they have', () => {
    expect(describeAuditValue('config', { storage: { maxDatabaseBytes: 5 }, note: ['a', 'b'] })).toBe('storage: (maxDatabaseBytes: 5), note: a, b');
    expect(describeAuditValue('thresholds', { pit: 0.7312, maybe: 0.5 })).toBe('pit ≥ 0.7312, maybe ≥ 0.50');
    expect(describeAuditValue('model', null)).toBe('–');
  });

  it('shows a kept picture at its own size, at most twice it, never wider than the space', () => {
    expect(keptImageWidth(128, 564)).toBe(256);
    expect(keptImageWidth(128, 200)).toBe(200);
    expect(keptImageWidth(1920, 564)).toBe(564);
    expect(keptImageWidth(300, 1000)).toBe(600);
  });
});
