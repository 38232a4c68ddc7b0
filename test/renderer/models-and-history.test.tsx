/** The Models page's import (progress, problems) and roll-back, and the History page's filters. */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportProgress, ImportReport, ModelActivation, ModelRecord } from '../../src/shared/models';
import { App } from '../../src/renderer/src/App';
import { buildFilter, isoToLocal, localToIso } from '../../src/renderer/src/pages/HistoryPage';
import { importProblems } from '../../src/renderer/src/pages/ModelsPage';
import { memoryApi, operatorSession, stationStatus, type MemoryApi } from './helpers/memory-api';

afterEach(cleanup);

const record = (id: number, version: string, active: boolean): ModelRecord => ({
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
});
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
  function setup(importModel: (taskId: string, m: MemoryApi) => Promise<ImportReport>) {
    const technician = operatorSession({ role: 'technician', user: 'ana', expiresAt: '2026-01-01T01:00:00Z' });
    const memory: MemoryApi = memoryApi(stationStatus(), {
      getSession: () => technician,
      listModels: () => [record(2, '1.1.0', true), record(1, '1.0.0', false)],
      getModelHistory: () => [activation(2, 2, '1.1.0'), activation(1, 1, '1.0.0')],
      listImportCandidates: () => ({ roots: ['/media'], candidates: [], unreadable: [{ path: '/media/usb/x/manifest.json', problem: 'labels: Required' }] }),
      importModel: ({ taskId }) => importModel(taskId!, memory),
      rollbackModel: () => record(1, '1.0.0', true),
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
                'importModel failed: model x cannot be imported: input "data": the manifest says 3 channels, the model has 1; output "prob": 10 classes, the manifest has 2 labels',
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
    expect(importProblems('importModel failed: a; b;  c')).toEqual(['a', 'b', 'c']);
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
