/**
 * npm run calibrate -- --model DIR --data DIR [--target 0.95] [--confidence 0.95] [--max-false-reject R]
 *                      [--recall-on reject-or-divert|reject] [--split auto|all|held-out] [--config station.json] [--write]
 *
 * Scores a labelled folder through the line's own path with the model as the
 * line runs it, and proposes thresholds with their guarantee: the defect
 * recall's one-sided Clopper–Pearson lower bound at least the target, good
 * items rejected within the budget (upper bound). Prints the proposal and the
 * cost table; --write stores the calibration in the model's manifest and
 * makes its thresholds the model's defaults. The last line is one JSON
 * object. Exit code 2 for bad arguments, 1 when it cannot calibrate (too few
 * defects for the target: it says how many are needed).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Costs } from '../shared/calibration';
import { calibrateModel } from '../engine/calibration/calibrate-model';
import { stationWorkers } from '../station/app-paths';
import { CALIBRATION_FLAGS, calibrationOptions, lineRuntime, UsageError, threshold, modelAndData } from './cli-runtime';
import { choosePictures, LabelledPicturesError } from '../engine/labelled/labelled-pictures';

const USAGE =
  'Usage: npm run calibrate -- --model DIR --data DIR [--target R] [--confidence C] [--max-false-reject R] ' +
  '[--recall-on reject-or-divert|reject] [--split auto|all|held-out] [--config station.json] [--write]';

function fail(message: string, code = 2): never {
  process.stderr.write(`calibrate: ${message}\n${code === 2 ? `${USAGE}\n` : ''}`);
  process.exit(code);
}

export function costLines(costs: Costs, title: string): string[] {
  const r = (x: { per1000: number; boundPer1000: number; count: number; of: number }, bound: string): string =>
    `${x.per1000.toFixed(1).padStart(7)} per 1,000 (${bound} ${x.boundPer1000.toFixed(1)}; ${x.count} of ${x.of})`;
  return [
    `${title}: reject ≥ ${threshold(costs.thresholds.reject)}, divert ≥ ${threshold(costs.thresholds.divert)}`,
    `  defects missed  ${r(costs.defectsMissed, 'at most')}`,
    `  good rejected   ${r(costs.goodRejected, 'at most')}`,
    `  diverted        ${r(costs.diverted, 'at most')}`,
  ];
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        split: { type: 'string' },
        write: { type: 'boolean' },
        ...CALIBRATION_FLAGS,
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values } = parsed;
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const { pkg, data } = await modelAndData(values, fail);
  let runtime, options, chosen;
  try {
    runtime = lineRuntime(values.config);
    options = calibrationOptions(values);
    chosen = await choosePictures(pkg, data, values.split);
  } catch (err) {
    if (err instanceof UsageError || err instanceof LabelledPicturesError) fail(err.message);
    throw err;
  }
  process.stderr.write(`calibrating ${pkg.manifest.name} ${pkg.manifest.version} on ${chosen.split} of ${data}\n`);
  let result;
  try {
    result = await calibrateModel({
      pkg,
      pictures: chosen.pictures,
      runtime,
      entry: stationWorkers().inference,
      options,
      current: pkg.manifest.thresholds,
      data: { source: data, fingerprint: chosen.set.fingerprint, split: chosen.split },
      by: 'npm run calibrate',
      onProgress: (done, total) => void process.stderr.write(`\rscored ${done} of ${total}${done === total ? '\n' : ''}`),
    });
  } catch (err) {
    fail((err as Error).message, 1);
  }
  const c = result.calibration;
  const out = process.stdout;
  out.write(
    `model ${c.model.name} ${c.model.version} on ${c.model.provider}; ${c.nDefect} defects, ${c.nGood} good${c.unscored ? `, ${c.unscored} unscored` : ''}\n`,
  );
  out.write(
    `target: defect recall (on ${c.options.recallOn}) ≥ ${c.options.target} at ${c.options.confidence} confidence; good rejected ≤ ${c.options.maxFalseReject}\n`,
  );
  if (c.costs) for (const line of costLines(c.costs, 'proposed')) out.write(`${line}\n`);
  else out.write(`refused: ${c.refused}\n`);
  if (c.costsAtCurrent) for (const line of costLines(c.costsAtCurrent, 'current ')) out.write(`${line}\n`);
  for (const note of c.notes) out.write(`note: ${note}\n`);
  if (values.write && c.thresholds) {
    const manifest = JSON.parse(await readFile(pkg.manifestPath, 'utf8')) as Record<string, unknown>;
    manifest['calibration'] = c;
    manifest['thresholds'] = { pit: c.thresholds.reject, maybe: c.thresholds.divert };
    await writeFile(pkg.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    out.write(`written to ${pkg.manifestPath}: its thresholds are now the model's defaults\n`);
  }
  out.write(
    `${JSON.stringify({
      threshold_reject: c.thresholds?.reject ?? null,
      threshold_divert: c.thresholds?.divert ?? null,
      recall_lower_bound: c.recallLowerBound,
      false_reject_upper_bound: c.falseRejectUpperBound,
      n_defect: c.nDefect,
      n_good: c.nGood,
      target: c.options.target,
      confidence: c.options.confidence,
      recall_on: c.options.recallOn,
      refused: c.refused,
    })}\n`,
  );
  if (!c.thresholds) process.exitCode = 1;
}

void main();
