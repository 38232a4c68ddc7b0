import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      // env-paths is ESM-only: bundle it into the CommonJS output.
      externalizeDeps: { exclude: ['env-paths'] },
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          // The headless station: plain Node, same engine (npm run station).
          station: resolve(import.meta.dirname, 'src/station/cli.ts'),
          // One worker per model runs onnxruntime-node off the main thread.
          'inference-worker': resolve(import.meta.dirname, 'src/engine/inference/inference-worker.ts'),
          // The log worker commits inspections and uploads them off the main thread.
          'log-worker': resolve(import.meta.dirname, 'src/engine/log/log-worker.ts'),
          // The query worker answers the UI's reads of the log (history, what-if, CSV) off the main thread.
          'query-worker': resolve(import.meta.dirname, 'src/engine/storage/query-worker.ts'),
          // A benchmark run (the panel's) in a thread of its own: its bare-runtime floor blocks the thread it runs on.
          'bench-worker': resolve(import.meta.dirname, 'src/engine/bench/scenarios/bench-worker.ts'),
          // The first load of a model file, in a child process under model.loadMemoryMiB (issue 11, item 5).
          'model-probe': resolve(import.meta.dirname, 'src/engine/models/probe-child.ts'),
          // Teaching a model (features, fit) in a thread of its own, at low priority, so the line keeps its rate.
          'teach-worker': resolve(import.meta.dirname, 'src/engine/teach/teach-worker.ts'),
          // Measuring activation ranges for an INT8 variant (a histogram over every activation of every frame), at low priority.
          'quantize-worker': resolve(import.meta.dirname, 'src/engine/variants/quantize-worker.ts'),
          // A technician's PIN hash, for the config file (the installed station's `linesight-station pin-hash`).
          'pin-hash': resolve(import.meta.dirname, 'src/cli/pin-hash.ts'),
          // What support needs, in one file (the installed station's `linesight-station support-bundle`).
          'support-bundle': resolve(import.meta.dirname, 'src/cli/support-bundle.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require() packages: bundle what it uses.
      externalizeDeps: false,
    },
  },
  renderer: {
    plugins: [react()],
  },
});
