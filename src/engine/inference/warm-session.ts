/**
 * One model from its file to a warm session: prepared (checked against the
 * manifest, repaired), the session created with the requested settings, and
 * warm-up runs that also prove the output has one score per label. The
 * inference worker keeps the session for the line; the load probe (a child
 * process, models/probe-child.ts) also runs it at the line's batch on the
 * inputs of models/probe-inputs.ts (runChecked), then releases it and
 * reports. Blocks the thread that calls it while ONNX Runtime builds the
 * session.
 */
import * as ort from 'onnxruntime-node';
import { ModelCheckError, prepareModel } from '../model-prep/prepare-model';
import type { LoadedInfo, LoadRequest } from './protocol';
import { createSession } from './session-factory';

export type WarmRequest = Omit<LoadRequest, 'returnPrepared'>;

export interface WarmSession {
  readonly session: ort.InferenceSession;
  readonly info: LoadedInfo;
  /** What ONNX Runtime loaded (the file itself when nothing needed repairing). */
  readonly prepared: Uint8Array;
  /** `prepared` differs from the file (repairs were made). */
  readonly repaired: boolean;
}

/**
 * One run of `data` ([items, …] as `dims`), checked to give one score per label for each item: what the
 * line's first batch of that size will meet.
 */
export async function runChecked(session: ort.InferenceSession, request: WarmRequest, data: Float32Array, dims: readonly number[]): Promise<void> {
  const inputName = request.manifest.input.name;
  const outputName = request.manifest.output.name;
  const out = await session.run({ [inputName]: new ort.Tensor('float32', data, [...dims]) }, [outputName]);
  const items = dims[0] ?? 1;
  const scores = out[outputName]!.size;
  if (scores !== request.labels.length * items) {
    const per = items === 1 ? `${scores} scores per item` : `${scores / items} scores per item at batch ${items}`;
    throw new ModelCheckError(request.modelFile, [`output "${outputName}" gives ${per} but the manifest has ${request.labels.length} labels`]);
  }
}

export async function openWarmSession(request: WarmRequest): Promise<WarmSession> {
  const t0 = performance.now();
  const prepared = prepareModel({ file: request.modelFile, bytes: request.modelBytes, manifest: request.manifest, labels: request.labels });
  const created = await createSession(prepared.bytes, request.settings);
  const { session } = created;
  try {
    const t1 = performance.now();
    const zeros = new Float32Array(request.warmupDims.reduce((a, b) => a * b, 1));
    // Warm-up runs before the first real frame; each also proves the output has one score per label.
    for (let i = 0; i < Math.max(1, request.settings.warmupRuns); i++) await runChecked(session, request, zeros, request.warmupDims);
    const info: LoadedInfo = {
      provider: created.provider,
      fallbacks: created.fallbacks,
      notes: prepared.notes,
      opset: prepared.summary.opset,
      float16Wrapped: prepared.float16Wrapped,
      loadMs: t1 - t0,
      warmupMs: performance.now() - t1,
    };
    return { session, info, prepared: prepared.bytes, repaired: prepared.changed };
  } catch (err) {
    await session.release();
    throw err;
  }
}
