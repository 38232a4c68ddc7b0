/**
 * npm run evaluate -- --model DIR --data DIR [--thresholds reject,divert] [--split auto|all|held-out] [--config station.json]
 *
 * Runs a labelled folder through the line's own path (the model as the line
 * runs it) and says what the line would have decided: recall, accuracy,
 * false rejects and diverts (evaluation/decision-figures.ts), at the given
 * thresholds or else the model's stored calibration (its manifest's
 * thresholds where it has none). The last line is one JSON object. Exit code
 * 2 for bad arguments, 1 when the model cannot run or a picture could not be
 * scored.
 */
import { parseArgs } from 'node:util';
import { scoreLabelledSet } from '../engine/calibration/score-labelled-set';
import { decisionFigures } from '../engine/evaluation/decision-figures';
import { loadImageModel } from '../engine/models/loaded-model';
import { stationWorkers } from '../station/app-paths';
import { ThresholdsSchema, type Thresholds } from '../shared/manifest';
import { duration, lineRuntime, UsageError, modelAndData } from './cli-runtime';
import { choosePictures, LabelledPicturesError } from '../engine/labelled/labelled-pictures';

const USAGE = 'Usage: npm run evaluate -- --model DIR --data DIR [--thresholds REJECT,DIVERT] [--split auto|all|held-out] [--config station.json]';

function fail(message: string, code = 2): never {
  process.stderr.write(`evaluate: ${message}\n${code === 2 ? `${USAGE}\n` : ''}`);
  process.exit(code);
}

function parseThresholds(text: string): Thresholds {
  const [reject, divert] = text.split(',').map((s) => Number(s.trim()));
  const parsed = ThresholdsSchema.safeParse({ pit: reject, maybe: divert });
  if (!parsed.success || text.split(',').length !== 2) throw new UsageError(`--thresholds must be REJECT,DIVERT with 0 ≤ DIVERT ≤ REJECT ≤ 1, not "${text}"`);
  return parsed.data;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        thresholds: { type: 'string' },
        split: { type: 'string' },
        config: { type: 'string' },
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
  let runtime, chosen, thresholds: Thresholds, from: string;
  try {
    runtime = lineRuntime(values.config);
    chosen = await choosePictures(pkg, data, values.split);
    const calibrated = pkg.manifest.calibration?.thresholds;
    if (values.thresholds !== undefined) [thresholds, from] = [parseThresholds(values.thresholds), 'given'];
    else if (calibrated)
      [thresholds, from] = [{ pit: calibrated.reject, maybe: calibrated.divert }, `the model's calibration of ${pkg.manifest.calibration!.at}`];
    else [thresholds, from] = [pkg.manifest.thresholds, "the model's manifest (it has no calibration)"];
  } catch (err) {
    if (err instanceof UsageError || err instanceof LabelledPicturesError) fail(err.message);
    throw err;
  }
  const started = performance.now();
  let model;
  try {
    model = await loadImageModel(pkg, { settings: runtime.session, entry: stationWorkers().inference, mode: runtime.mode, maxBatch: runtime.maxBatch });
  } catch (err) {
    fail(`the model cannot be run: ${(err as Error).message}`, 1);
  }
  let scored;
  try {
    scored = await scoreLabelledSet(model, chosen.pictures, {
      onProgress: (done, total) => void process.stderr.write(`\rscored ${done} of ${total}${done === total ? '\n' : ''}`),
    });
  } finally {
    await model.client.close();
  }
  const rejectLabel = pkg.manifest.rejectLabel!;
  const items = chosen.pictures.flatMap((p, i) =>
    Number.isNaN(scored.scores[i]!) ? [] : [{ rejectScore: scored.scores[i]!, isDefect: p.labelName === rejectLabel }],
  );
  const f = decisionFigures(items, thresholds);
  const out = process.stdout;
  out.write(
    `model ${pkg.manifest.name} ${pkg.manifest.version} on ${model.client.info.provider}; ${chosen.split} of ${data}; ${duration(performance.now() - started)}\n`,
  );
  out.write(`thresholds: reject ≥ ${thresholds.pit}, divert ≥ ${thresholds.maybe} (${from})\n`);
  out.write(
    `defects (${f.n_defect}): ${f.counts.defect.pit} rejected, ${f.counts.defect.maybe} diverted, ${f.counts.defect.clean} passed — recall ${pct(f.recall)} (rejected alone ${pct(f.reject_recall)})\n`,
  );
  out.write(
    `good (${f.n_good}): ${f.counts.good.clean} passed, ${f.counts.good.maybe} diverted, ${f.counts.good.pit} rejected — false rejects ${pct(f.false_reject_rate)}\n`,
  );
  out.write(`accuracy ${pct(f.accuracy)}, diverted ${pct(f.divert_rate)}\n`);
  for (const failure of scored.failures) out.write(`not scored: ${failure.name}: ${failure.reason}\n`);
  out.write(
    `${JSON.stringify({
      n: f.n,
      n_defect: f.n_defect,
      n_good: f.n_good,
      recall: f.recall,
      reject_recall: f.reject_recall,
      accuracy: f.accuracy,
      false_reject_rate: f.false_reject_rate,
      divert_rate: f.divert_rate,
      threshold_reject: thresholds.pit,
      threshold_divert: thresholds.maybe,
      unscored: scored.unscored,
    })}\n`,
  );
  if (scored.unscored > 0) process.exitCode = 1;
}

void main();
