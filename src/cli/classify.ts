/**
 * npm run classify -- --model <folder or manifest.json> <image>...
 *
 * Prints one JSON line per image: {"file", "top": [{"index", "label", "p"} ×5]}
 * (or "error"), after one line on stderr saying which model and provider ran.
 * Exit code 0 when every image was classified; 1 when any could not be (each
 * still has its line, and the others theirs), so that a script or a batch
 * job notices; 2 for bad arguments or a model that cannot be loaded.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { OFFLINE_SESSION } from '../engine/evaluation/score-images';
import { classifyImages } from '../engine/evaluation/classify';
import { sourceWorkerEntry } from '../engine/rpc/worker-entry';
import { loadImagePackage } from '../engine/model-package';

const USAGE = 'Usage: npm run classify -- --model <model folder or manifest.json> [--top K] <image> [<image>…]';

function fail(message: string): never {
  process.stderr.write(`classify: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: { model: { type: 'string' }, top: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.model) fail('--model is required');
  if (positionals.length === 0) fail('give at least one image');
  const k = values.top === undefined ? 5 : Number(values.top);
  if (!Number.isInteger(k) || k < 1) fail(`--top must be a whole number of at least 1, not "${values.top}"`);

  let pkg;
  try {
    pkg = await loadImagePackage(values.model);
  } catch (err) {
    fail((err as Error).message);
  }
  const images = await Promise.all(
    positionals.map(async (file) => {
      try {
        return { name: file, data: await readFile(file) };
      } catch (err) {
        return { name: file, data: new Uint8Array(0), readError: (err as NodeJS.ErrnoException).code ?? String(err) };
      }
    }),
  );
  let run;
  try {
    run = await classifyImages(pkg, images, { settings: { ...OFFLINE_SESSION, warmupRuns: 1 }, entry: sourceWorkerEntry(), k });
  } catch (err) {
    fail(`model ${pkg.modelPath} cannot be run: ${(err as Error).message}`);
  }
  process.stderr.write(`model ${pkg.manifest.name} ${pkg.manifest.version} on ${run.provider}${run.notes.length ? ` (${run.notes.join('; ')})` : ''}\n`);
  let failed = 0;
  run.results.forEach((r, i) => {
    const readError = images[i]!.readError;
    const line = readError
      ? { file: r.name, error: `cannot read the file: ${readError}` }
      : r.error
        ? { file: r.name, error: r.error }
        : { file: r.name, top: r.top };
    if ('error' in line) failed++;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  });
  if (failed > 0) {
    process.stderr.write(`classify: ${failed} of ${run.results.length} image(s) could not be classified (see their "error")\n`);
    // exitCode, not exit(): stdout may still be draining into a pipe.
    process.exitCode = 1;
  }
}

void main();
