/**
 * npm run quantize -- --model DIR --frames DIR --out DIR [--method percentile|minmax|mse] [--percentile P]
 *                     [--max-frames N] [--exclude NODE,…] [--quantize-head]
 *
 * Makes the INT8 (QDQ) variant of an image model package (engine/quantize/):
 * activation ranges measured on pictures of the line through the line's own
 * preprocessing (every picture under --frames, good and defective alike,
 * evenly picked down to --max-frames), weights int8 per channel. The defaults
 * (percentile 99.99 over up to 5,000 frames) were the best of those tried on
 * the casting model's held-out pictures (CHANGELOG, issue 18): MinMax widens
 * with every outlier a larger set brings. Writes a new
 * package (manifest.json and model.onnx) to --out, with its provenance and
 * `precision: "reduced"`; it goes live only through the parity gate and with
 * its recall checked again (npm run evaluate, Calibrate). Progress on stderr;
 * the last line is one JSON object. Exit code 2 for bad arguments, 1 when the
 * model cannot be quantised.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isImagePackage, loadModelPackage } from '../engine/model-package';
import { calibrationFrames } from '../engine/quantize/calibration-frames';
import type { RangeMethod } from '../engine/quantize/activation-ranges';
import { quantizeModel } from '../engine/quantize/quantize-model';
import { duration } from './cli-runtime';

const USAGE =
  'Usage: npm run quantize -- --model DIR --frames DIR --out DIR [--method percentile|minmax|mse] [--percentile P] [--max-frames N] [--exclude NODE,…] [--quantize-head]';

function fail(message: string, code = 2): never {
  process.stderr.write(`quantize: ${message}\n${code === 2 ? `${USAGE}\n` : ''}`);
  process.exit(code);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        model: { type: 'string' },
        frames: { type: 'string' },
        out: { type: 'string' },
        method: { type: 'string', default: 'percentile' },
        percentile: { type: 'string', default: '99.99' },
        'max-frames': { type: 'string', default: '5000' },
        exclude: { type: 'string' },
        'quantize-head': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (!values.model || !values.frames || !values.out) fail('--model, --frames and --out are needed');
  const maxFrames = Number(values['max-frames']);
  if (!Number.isInteger(maxFrames) || maxFrames < 1 || maxFrames > 100_000)
    fail(`--max-frames must be a whole number from 1 to 100000, not "${values['max-frames']}"`);
  const percentile = Number(values.percentile);
  let method: RangeMethod;
  if (values.method === 'minmax') method = { kind: 'minmax' };
  else if (values.method === 'mse') method = { kind: 'mse' };
  else if (values.method === 'percentile' && percentile > 90 && percentile <= 100) method = { kind: 'percentile', percentile };
  else fail(`--method must be percentile (with --percentile above 90, at most 100), minmax or mse, not "${values.method}"`);
  const started = performance.now();
  let pkg, frames;
  try {
    pkg = await loadModelPackage(resolve(values.model));
    if (!isImagePackage(pkg)) fail(`${values.model} is not an image model: only image models are quantised`);
    frames = await calibrationFrames(resolve(values.frames), maxFrames);
  } catch (err) {
    fail((err as Error).message);
  }
  process.stderr.write(`quantizing ${pkg.manifest.name} ${pkg.manifest.version} on ${frames.length} frames (${values.method})\n`);
  let q;
  try {
    q = await quantizeModel(pkg, frames, {
      method,
      exclude: (values.exclude ?? '').split(',').filter((s) => s.length > 0),
      quantizeHead: values['quantize-head'],
      // On a terminal one line rewritten; in a log, a line every tenth.
      onProgress: (done, total) => {
        if (process.stderr.isTTY) process.stderr.write(`\rmeasured ${done} of ${total} frames${done === total ? '\n' : ''}`);
        else if (done === total || Math.floor((10 * done) / total) > Math.floor((10 * (done - 1)) / total))
          process.stderr.write(`measured ${done} of ${total} frames\n`);
      },
    });
  } catch (err) {
    fail(`the model cannot be quantised: ${(err as Error).message}`, 1);
  }
  const out = resolve(values.out);
  await mkdir(out, { recursive: true });
  // The labels written out (a labels file stays with the float package); the model file named plainly.
  const { labelsFile: _labelsFile, ...manifest } = { ...q.manifest, modelFile: 'model.onnx', labels: [...pkg.labels] };
  await writeFile(join(out, 'model.onnx'), q.bytes);
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const { report } = q;
  process.stdout.write(
    `${manifest.name} ${manifest.version} in ${out}: ${report.quantizedNodes} nodes int8 (${report.weights} with int8 weights, ${report.foldedRelus} ReLUs folded), ${report.floatNodes.length} float; ${duration(performance.now() - started)}\n`,
  );
  process.stdout.write(`${JSON.stringify({ out, version: manifest.version, sha256: q.sha256, ...report, floatNodes: report.floatNodes })}\n`);
}

void main();
