/**
 * The Models page's INT8 variant (issue 18): a technician opens "Make an INT8 variant…" on an image model, names a
 * folder (the labelled captures suggested) and a method, sees each stage and the frames measured as the station
 * announces them, then the variant and its report; a refusal is shown in the station's words. A variant in the list
 * says it is INT8 and needs calibration before it can go live, and cannot be activated until then.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/src/App';
import type { ModelRecord, QuantizedVariant } from '../../src/shared/models';
import type { QuantizeProgress, QuantizeResult } from '../../src/shared/quantize';
import { memoryApi, modelRecord, operatorSession, stationStatus, type Handlers, type MemoryApi } from './helpers/memory-api';

afterEach(cleanup);

const BLOCKED =
  'demo-cherry 1.0.0-int8 is an INT8 variant of demo-cherry 1.0.0 and needs calibration before it can go live: calibrate demo-cherry 1.0.0-int8 on a labelled set first (Thresholds page, Calibrate, with this model chosen)';

const variantOf = (certified: QuantizedVariant['certified']): QuantizedVariant => ({
  from: { name: 'demo-cherry', version: '1.0.0', sha256: 'a'.repeat(64) },
  method: 'percentile 99.99 on 300 frames',
  certified,
  blocked: certified ? null : BLOCKED,
});

const float = modelRecord(1, '1.0.0', true);
const variant = modelRecord(2, '1.0.0-int8', false, { quantized: variantOf(null) });
const sensor = modelRecord(3, '2', false, { name: 'demo-sensor', task: 'tabular-classification', use: { line: false, words: 'a sensor model' } });

function setup(models: ModelRecord[], extra: Handlers): MemoryApi {
  const technician = operatorSession({ role: 'technician', user: 'ana', expiresAt: '2026-01-01T01:00:00Z' });
  return memoryApi(stationStatus({ model: { ...stationStatus().model, version: '1.0.0', registryId: 1 } }), {
    getSession: () => technician,
    listModels: () => models,
    getModelHistory: () => [],
    listImportCandidates: () => ({ roots: [], candidates: [], unreadable: [] }),
    getCaptureSummary: () => ({
      byReason: {},
      labelled: { good: 0, defective: 0 },
      labelsBy: [],
      passedOver: {},
      folder: '/var/lib/linesight/captures/labelled',
    }),
    ...extra,
  });
}

const progress = (taskId: string, stage: QuantizeProgress['stage'], done: number, total: number): QuantizeProgress => ({
  taskId,
  stage,
  done,
  total,
  message: `${stage}: ${done} of ${total}`,
});

describe('an INT8 variant on the Models page', () => {
  it('lists a variant as INT8 that needs calibration, and refuses its activation in the same words as the station', async () => {
    const certified = modelRecord(4, '1.0.0-int8.2', false, {
      quantized: variantOf({ at: '2026-01-01T00:00:00Z', by: 'ana (desktop)', recallLowerBound: 0.96 }),
    });
    const memory = setup([certified, variant, float, sensor], {});
    window.location.hash = '#/models';
    render(<App api={memory.api} transport="websocket" />);
    const note = await screen.findByTestId('variant-demo-cherry-1.0.0-int8');
    expect(note.textContent).toBe(
      'INT8 variant of demo-cherry 1.0.0 (percentile 99.99 on 300 frames). ⚠ Needs calibration before it can go live: calibrate it on a labelled set (Thresholds page, Calibrate, with this model chosen).',
    );
    expect(within(screen.getByTestId('model-demo-cherry-1.0.0-int8')).getByText('INT8').className).toContain('badge-warn');
    expect((screen.getByTestId('activate-demo-cherry-1.0.0-int8') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('activate-why-demo-cherry-1.0.0-int8').textContent).toBe(`${BLOCKED}.`);
    // Once calibrated, it says so and may be activated.
    expect(screen.getByTestId('variant-demo-cherry-1.0.0-int8.2').dataset['certified']).toBe('true');
    expect((screen.getByTestId('activate-demo-cherry-1.0.0-int8.2') as HTMLButtonElement).disabled).toBe(false);
    // Only a full-precision image model is offered the action.
    expect(screen.getByTestId('quantize-demo-cherry-1.0.0').textContent).toBe('Make an INT8 variant…');
    expect(screen.queryByTestId('quantize-demo-cherry-1.0.0-int8')).toBeNull();
    expect(screen.queryByTestId('quantize-demo-sensor-2')).toBeNull();
  });

  it('makes a variant with the stages and frames measured shown as they come, then lists it with its report', async () => {
    let finish: (() => void) | null = null;
    let listed = [float];
    const made: QuantizeResult = {
      model: variant,
      report: {
        ...{ quantizedNodes: 3, floatNodes: ['GlobalMaxPool_5', 'Softmax_10'], weights: 3, activations: 3, foldedRelus: 2, foldedBatchNorms: 0 },
        ...{ opsetFrom: 17, method: 'MinMax', frames: 300, passedOver: 1, folder: '/var/lib/linesight/captures/labelled' },
      },
      provider: 'cpu',
      durationMs: 4000,
    };
    const memory: MemoryApi = setup([], {
      listModels: () => listed,
      quantizeModel: ({ taskId }) =>
        new Promise<QuantizeResult>((resolve) => {
          memory.emit('quantizeProgress', progress(taskId!, 'reading', 300, 300));
          memory.emit('quantizeProgress', progress('someone-else', 'measuring', 1, 2));
          memory.emit('quantizeProgress', progress(taskId!, 'measuring', 120, 300));
          finish = () => {
            listed = [variant, float];
            resolve(made);
          };
        }),
    });
    window.location.hash = '#/models';
    render(<App api={memory.api} transport="websocket" />);
    fireEvent.click(await screen.findByTestId('quantize-demo-cherry-1.0.0'));
    const dialog = await screen.findByTestId('quantize-dialog');
    expect((within(dialog).getByTestId('quantize-start') as HTMLButtonElement).disabled).toBe(true);
    // The labelled captures suggested as the folder; percentile the method unless chosen.
    fireEvent.click(await within(dialog).findByTestId('quantize-use-captures'));
    expect((within(dialog).getByTestId('quantize-method') as HTMLSelectElement).value).toBe('percentile');
    fireEvent.change(within(dialog).getByTestId('quantize-method'), { target: { value: 'minmax' } });
    fireEvent.click(within(dialog).getByTestId('quantize-start'));

    const bar = await within(dialog).findByTestId('quantize-progress');
    expect(bar.getAttribute('aria-valuenow')).toBe('120');
    expect(bar.getAttribute('aria-valuemax')).toBe('300');
    expect(within(dialog).getByTestId('quantize-stage-reading').dataset['state']).toBe('done');
    expect(within(dialog).getByTestId('quantize-stage-measuring').dataset['state']).toBe('running');
    expect(within(dialog).getByTestId('quantize-stage-importing').dataset['state']).toBe('waiting');
    expect((within(dialog).getByTestId('quantize-start') as HTMLButtonElement).disabled).toBe(true);
    const request = memory.calls.find((c) => c.op === 'quantizeModel')?.request as Record<string, unknown>;
    expect(request).toMatchObject({ modelId: 1, frames: '/var/lib/linesight/captures/labelled', method: 'minmax', maxFrames: 5000 });

    await act(async () => finish!());
    const result = await within(dialog).findByTestId('quantize-result');
    expect(result.textContent).toContain(
      'demo-cherry 1.0.0-int8 is in the registry, not active: 3 nodes run in INT8, 2 stay in float; ranges by MinMax on 300 frames of /var/lib/linesight/captures/labelled (1 picture(s) passed over',
    );
    expect(result.textContent).toContain('Left in float: GlobalMaxPool_5, Softmax_10.');
    expect(within(dialog).getByTestId('quantize-next').textContent).toBe(`${BLOCKED}.`);
    // The registry is read again: the variant is listed, needing calibration.
    await waitFor(() => expect(screen.getByTestId('variant-demo-cherry-1.0.0-int8').dataset['certified']).toBe('false'));
    fireEvent.click(within(dialog).getByTestId('quantize-close'));
    expect(screen.queryByTestId('quantize-dialog')).toBeNull();
  });

  it("shows the station's refusal in words, and can cancel a run", async () => {
    let refuse: (() => void) | null = null;
    const memory = setup([float], {
      quantizeModel: () =>
        new Promise<QuantizeResult>((_resolve, reject) => {
          refuse = () => reject(new Error('/home/ana is not under an import folder: calibration pictures are read only from /media (model.importRoots)'));
        }),
      cancelQuantization: () => ({ cancelled: true }),
    });
    window.location.hash = '#/models';
    render(<App api={memory.api} transport="websocket" />);
    fireEvent.click(await screen.findByTestId('quantize-demo-cherry-1.0.0'));
    const dialog = await screen.findByTestId('quantize-dialog');
    fireEvent.change(within(dialog).getByTestId('quantize-folder'), { target: { value: '/home/ana' } });
    fireEvent.click(within(dialog).getByTestId('quantize-start'));
    fireEvent.click(await within(dialog).findByTestId('quantize-cancel'));
    expect(memory.calls.some((c) => c.op === 'cancelQuantization')).toBe(true);
    await act(async () => refuse!());
    expect((await within(dialog).findByTestId('quantize-error')).textContent).toBe(
      'The variant was not made: /home/ana is not under an import folder: calibration pictures are read only from /media (model.importRoots)',
    );
    expect((within(dialog).getByTestId('quantize-start') as HTMLButtonElement).disabled).toBe(false);
  });
});
