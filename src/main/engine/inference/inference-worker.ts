/**
 * Worker thread that owns one model's onnxruntime-node session.
 * onnxruntime-node's create() and run() block the thread that calls them
 * (ENGINEERING.md), and parsing a large model takes a while too, so all of it
 * lives here and never on the thread serving the UI.
 */
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { ModelCheckError, prepareModel } from '../models/prepare-model';
import type { FromWorker, LoadRequest, ToWorker } from './protocol';
import { createSession } from './session-factory';

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
  const t0 = performance.now();
  try {
    const prepared = prepareModel({ file: request.modelFile, bytes: request.modelBytes, manifest: request.manifest, labels: request.labels });
    const created = await createSession(prepared.bytes, request.settings);
    session = created.session;
    inputName = request.manifest.input.name;
    outputName = request.manifest.output.name;
    const t1 = performance.now();
    const zeros = new Float32Array(request.warmupDims.reduce((a, b) => a * b, 1));
    // Warm-up runs before the first real frame; the first also proves the output has one score per label.
    for (let i = 0; i < Math.max(1, request.settings.warmupRuns); i++) {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', zeros, [...request.warmupDims]) }, [outputName]);
      const scores = out[outputName]!.size;
      if (scores !== request.labels.length) {
        throw new ModelCheckError(request.modelFile, [
          `output "${outputName}" gives ${scores} scores per item but the manifest has ${request.labels.length} labels`,
        ]);
      }
    }
    const copy = request.returnPrepared ? Uint8Array.from(prepared.bytes) : null;
    send(
      {
        type: 'loaded',
        provider: created.provider,
        fallbacks: created.fallbacks,
        notes: prepared.notes,
        opset: prepared.summary.opset,
        float16Wrapped: prepared.float16Wrapped,
        loadMs: t1 - t0,
        warmupMs: performance.now() - t1,
        prepared: copy,
      },
      copy ? [copy.buffer] : [],
    );
  } catch (err) {
    await session?.release();
    session = null;
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
