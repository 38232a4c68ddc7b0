/**
 * Worker thread that owns one model's onnxruntime-node session.
 * onnxruntime-node's create() and run() block the thread that calls them
 * (docs/BACKGROUND.md), and parsing a large model takes a while too, so all of it
 * lives here and never on the thread serving the UI.
 */
import { setPriority } from 'node:os';
import * as ort from 'onnxruntime-node';
import { serveWorker } from '../rpc/serve-worker';
import { transferring } from '../rpc/rpc-protocol';
import type { InferenceProtocol, RunAnswer, RunRequest } from './protocol';
import { openWarmSession } from './warm-session';
import { messageOf } from '../error-message';

let session: ort.InferenceSession | null = null;
let inputName = '';
let outputName = '';

function asFloat32(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float64') return Float32Array.from(tensor.data as Float64Array);
  throw new Error(`output ${outputName} is a ${tensor.type} tensor, not scores`);
}

/** Scores one batch; a failure is an answer too, so that the input buffer goes back to the engine's pool. */
async function run({ input, dims }: RunRequest): Promise<RunAnswer> {
  try {
    if (!session) throw new Error('no model loaded');
    const size = dims.reduce((a, b) => a * b, 1);
    const data = input.length === size ? input : input.subarray(0, size);
    const t0 = performance.now();
    const out = await session.run({ [inputName]: new ort.Tensor('float32', data, [...dims]) }, [outputName]);
    const inferMs = performance.now() - t0;
    const tensor = out[outputName];
    if (!tensor) throw new Error(`the model gave no output ${outputName}`);
    return { input, output: asFloat32(tensor), outputDims: tensor.dims, inferMs };
  } catch (err) {
    return { input, failure: messageOf(err) };
  }
}

/**
 * A shadow candidate must never slow the line (issue 16): its thread runs at nice 10, set before the session is
 * made so ONNX Runtime's own threads inherit it. Only on Linux, where a nice value is a thread's own; elsewhere
 * setPriority(0) would lower the whole station, line included, so the candidate relies on the share it is given.
 */
function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(0, 10);
  } catch {
    // Not permitted here: the share and the skip-while-busy rule still keep it off the line's back.
  }
}

serveWorker<InferenceProtocol>('inference-worker', {
  // One message at a time: a run never overlaps the load or the close.
  serial: true,
  // A failure to load is a ModelCheckError (model-prep/prepare-model.ts) whose problems reach the engine one by one.
  open: async (request) => {
    if (request.background) lowerThreadPriority();
    const warm = await openWarmSession(request);
    session = warm.session;
    inputName = request.manifest.input.name;
    outputName = request.manifest.output.name;
    const copy = request.returnPrepared ? Uint8Array.from(warm.prepared) : null;
    return transferring({ ...warm.info, prepared: copy }, copy ? [copy.buffer] : []);
  },
  calls: {
    run: async (request) => {
      const answer = await run(request);
      const buffers = [answer.input.buffer as ArrayBuffer];
      if ('output' in answer) buffers.push(answer.output.buffer as ArrayBuffer);
      return transferring(answer, buffers);
    },
  },
  // Released, and the thread ends by itself (terminating a thread inside ONNX Runtime can abort the process).
  close: async () => {
    const closing = session;
    session = null;
    await closing?.release();
  },
});
