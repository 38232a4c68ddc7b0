/**
 * Worker thread that owns one model's onnxruntime-node session.
 * onnxruntime-node's create() and run() block the thread that calls them
 * (ENGINEERING.md), so they live here and never on the thread serving the UI.
 */
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { FromWorker, ToWorker } from './protocol';

if (!parentPort) throw new Error('inference-worker must run as a worker thread');
const port = parentPort;

let session: ort.InferenceSession | null = null;
let inputName = '';
let outputName = '';

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function load(message: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  const t0 = performance.now();
  try {
    session = await ort.InferenceSession.create(message.modelBytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: message.settings.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Spinning threads burn a core between frames; camera traffic is bursty.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
    inputName = message.inputName;
    outputName = message.outputName;
    const t1 = performance.now();
    const size = message.warmupDims.reduce((a, b) => a * b, 1);
    const zeros = new Float32Array(size);
    for (let i = 0; i < message.settings.warmupRuns; i++) {
      await session.run({ [inputName]: new ort.Tensor('float32', zeros, [...message.warmupDims]) }, [outputName]);
    }
    send({ type: 'loaded', provider: 'cpu', loadMs: t1 - t0, warmupMs: performance.now() - t1 });
  } catch (err) {
    send({ type: 'load-failed', message: err instanceof Error ? err.message : String(err) });
  }
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const { id, input } = message;
  try {
    if (!session) throw new Error('no model loaded');
    const t0 = performance.now();
    const out = await session.run({ [inputName]: new ort.Tensor('float32', input, [...message.dims]) }, [outputName]);
    const inferMs = performance.now() - t0;
    const tensor = out[outputName];
    if (!tensor || tensor.type !== 'float32') throw new Error(`output ${outputName} is not a float32 tensor`);
    const output = tensor.data as Float32Array;
    send({ type: 'result', id, input, output, inferMs }, [input.buffer as ArrayBuffer, output.buffer as ArrayBuffer]);
  } catch (err) {
    send({ type: 'run-failed', id, input, message: err instanceof Error ? err.message : String(err) }, [input.buffer as ArrayBuffer]);
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
