/**
 * npm run teach -- --data DIR --reject-label NAME [--backbone MANIFEST] --out DIR
 *                  [--name NAME] [--version V] [--held-out 0.2] [--no-calibrate]
 *                  [--target 0.95] [--confidence 0.95] [--max-false-reject 0.02] [--recall-on reject-or-divert|reject]
 *                  [--config station.json]
 *
 * Teaches a model from a labelled folder (one subfolder per label) on a
 * frozen backbone (the bundled SqueezeNet by default), writes the package to
 * --out, then calibrates its thresholds on the held-out pictures through the
 * line's own path. Prints progress, the held-out figures and confusion
 * matrix, the time it took; its last line is one JSON object. Exit code 2 for
 * bad arguments, 1 when teaching failed.
 */
import { parseArgs } from 'node:util';
import { stationLayout, stationWorkers } from '../station/app-paths';
import { runTeaching, taughtVersion, type TeachRunProgress } from '../engine/teach/teach-run';
import { CALIBRATION_FLAGS, calibrationOptions, duration, lineRuntime, UsageError, threshold } from './cli-runtime';

const USAGE =
  'Usage: npm run teach -- --data DIR --reject-label NAME --out DIR [--backbone MANIFEST] [--name NAME] [--version V] [--held-out SHARE] ' +
  '[--no-calibrate] [--no-check-pictures] [--target R] [--confidence C] [--max-false-reject R] [--recall-on reject-or-divert|reject] [--config station.json]';

function fail(message: string, code = 2): never {
  process.stderr.write(`teach: ${message}\n${code === 2 ? `${USAGE}\n` : ''}`);
  process.exit(code);
}

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        data: { type: 'string' },
        'reject-label': { type: 'string' },
        backbone: { type: 'string' },
        out: { type: 'string' },
        name: { type: 'string' },
        version: { type: 'string' },
        'held-out': { type: 'string' },
        'no-calibrate': { type: 'boolean' },
        'no-check-pictures': { type: 'boolean' },
        steps: { type: 'string' },
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
  if (!values.data) fail('--data is required (a folder with one subfolder of pictures per label)');
  if (!values['reject-label']) fail('--reject-label is required (the label of the defects: the subfolder name)');
  if (!values.out) fail('--out is required (where the taught model package is written)');
  const heldOutShare = values['held-out'] === undefined ? 0.2 : Number(values['held-out']);
  if (!(heldOutShare > 0 && heldOutShare < 1)) fail(`--held-out must be a share between 0 and 1, not "${values['held-out']}"`);
  const steps = values.steps === undefined ? undefined : Number(values.steps);
  if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) fail(`--steps must be a whole number above 0, not "${values.steps}"`);
  let runtime;
  let calibration;
  try {
    runtime = lineRuntime(values.config);
    calibration = values['no-calibrate'] ? null : calibrationOptions(values);
  } catch (err) {
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }
  const workers = stationWorkers();
  let last = '';
  const show = (p: TeachRunProgress): void => {
    const left = p.remainingMs === null ? '' : `, about ${duration(p.remainingMs)} left`;
    const line = `${p.message} (${duration(p.elapsedMs)}${left})`;
    if (line === last) return;
    last = line;
    process.stderr.write(`\r${line.padEnd(100)}${p.done === p.total ? '\n' : ''}`);
  };
  let result;
  try {
    result = await runTeaching({
      job: {
        dataDir: values.data,
        heldOutShare,
        backbone: values.backbone ?? stationLayout().defaultBackboneDir,
        rejectLabel: values['reject-label'],
        name: values.name ?? 'taught',
        version: values.version ?? taughtVersion(new Date()),
        ...(steps !== undefined ? { steps } : {}),
      },
      outDir: values.out,
      teachEntry: workers.teach,
      inferenceEntry: workers.inference,
      runtime,
      calibration,
      // Pictures whose licence forbids copies (the castings: ../shared/data/README.md) stay where they are.
      checkPictures: !values['no-check-pictures'],
      by: 'npm run teach',
      onProgress: show,
    });
  } catch (err) {
    fail((err as Error).message, 1);
  }
  const { heldOut, calibration: cal, timings } = result;
  const out = process.stdout;
  out.write(`\ntaught ${result.manifest.name} ${result.manifest.version} into ${result.dir}\n`);
  for (const c of result.counts) out.write(`  ${c.label}: ${c.total} pictures, ${c.heldOut} held out\n`);
  for (const note of result.notes) out.write(`  note: ${note}\n`);
  out.write(
    `held-out (${heldOut.n}): accuracy ${pct(heldOut.accuracy)}, ${values['reject-label']} recall ${pct(heldOut.rejectRecall)}, false rejects ${pct(heldOut.falseRejectRate)}\n`,
  );
  out.write(`confusion (rows: true, columns: taught) ${heldOut.labels.join(' / ')}\n`);
  heldOut.confusion.forEach((row, i) => out.write(`  ${heldOut.labels[i]!.padEnd(16)} ${row.map((v) => String(v).padStart(6)).join('')}\n`));
  if (cal) {
    if (cal.thresholds) {
      out.write(
        `calibrated: reject ≥ ${threshold(cal.thresholds.reject)}, divert ≥ ${threshold(cal.thresholds.divert)}; ` +
          `recall ≥ ${pct(cal.recallLowerBound!)} and good rejected ≤ ${pct(cal.falseRejectUpperBound!)} at ${pct(cal.options.confidence)} confidence\n`,
      );
    } else out.write(`not calibrated: ${cal.refused}\n`);
    for (const note of cal.notes) out.write(`  note: ${note}\n`);
  }
  out.write(
    `teaching took ${duration(timings.totalMs)} (features ${duration(timings.featuresMs)}, fit ${duration(timings.fitMs)}) and calibrating ${duration(timings.calibrateMs)}; ` +
      `teach worker priority ${result.priority ?? 'unchanged'}\n`,
  );
  out.write(
    `${JSON.stringify({
      dir: result.dir,
      name: result.manifest.name,
      version: result.manifest.version,
      pictures: result.counts.reduce((s, c) => s + c.total, 0),
      held_out: heldOut.n,
      accuracy: heldOut.accuracy,
      reject_recall: heldOut.rejectRecall,
      false_reject_rate: heldOut.falseRejectRate,
      threshold_reject: cal?.thresholds?.reject ?? null,
      threshold_divert: cal?.thresholds?.divert ?? null,
      teach_seconds: timings.totalMs / 1000,
      calibrate_seconds: timings.calibrateMs / 1000,
    })}\n`,
  );
}

void main();
