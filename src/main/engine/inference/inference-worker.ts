/**
 * Worker thread that owns one model's onnxruntime-node session.
 * onnxruntime-node's create() and run() block the thread that calls them
 * (docs/BACKGROUND.md), and parsing a large model takes a while too, so all of it
 * lives here and never on the thread serving the UI.
 */
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { ModelCheckError } from '../model-prep/prepare-model';
import type { FromWorker, LoadRequest, ToWorker } from './protocol';
import { openWarmSession } from './warm-session';

if (!parentPort) throw new Error('inference-worker must run as a worker thread');
const port = parentPort;

let session: ort.InferenceSession | null = null;
let inputName = '';
let outputName = '';

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function load(request: LoadRequest): Promise<void> {
  try {
    const warm = await openWarmSession(request);
    session = warm.session;
    inputName = request.manifest.input.name;
    outputName = request.manifest.output.name;
    const copy = request.returnPrepared ? Uint8Array.from(warm.prepared) : null;
    send({ type: 'loaded', ...warm.info, prepared: copy }, copy ? [copy.buffer] : []);
  } catch (err) {
    send({ type: 'load-failed', message: messageOf(err), problems: err instanceof ModelCheckError ? err.problems : [messageOf(err)] });
  }
}

function asFloat32(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float64') return Float32Array.from(tensor.data as Float64Array);
  throw new Error(`output ${outputName} is a ${tensor.type} tensor, not scores`);
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const { id, input, dims } = message;
  try {
    if (!session) throw new Error('no model loaded');
    const size = dims.reduce((a, b) => a * b, 1);
    const data = input.length === size ? input : input.subarray(0, size);
    const t0 = performance.now();
    const out = await session.run({ [inputName]: new ort.Tensor('float32', data, [...dims]) }, [outputName]);
    const inferMs = performance.now() - t0;
    const tensor = out[outputName];
    if (!tensor) throw new Error(`the model gave no output ${outputName}`);
    const output = asFloat32(tensor);
    send({ type: 'result', id, input, output, outputDims: tensor.dims, inferMs }, [input.buffer as ArrayBuffer, output.buffer as ArrayBuffer]);
  } catch (err) {
    send({ type: 'run-failed', id, input, message: messageOf(err) }, [input.buffer as ArrayBuffer]);
  }
}

async function close(): Promise<void> {
  const closing = session;
  session = null;
  await closing?.release();
  port.close();
}

function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'load':
      return load(message);
    case 'run':
      return run(message);
    case 'close':
      return close();
  }
}

// One message at a time: a run never overlaps a load or a close.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(() => handle(message));
});
