/**
 * Generates the demo data set, deterministically (fixed seeds):
 *   datasets/demo-cherries/train/    2,000 labelled images (training)
 *   datasets/demo-cherries/heldout/    400 labelled images the model never sees
 *   resources/demo/frames/             300 frames replayed by the demo station
 *   resources/demo/sensors.csv         the matching sensor recording
 *
 * Run: npm run demo:data   (output is committed; re-running reproduces it)
 * Then npm run demo:train, and npm run demo:maybes (scripts/demo/add-demo-maybes.mts),
 * which puts the faint pits the model is unsure of into the replayed frames.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import seedrandom from 'seedrandom';
import { pitLocation, randomScene, sceneToSvg, type Rng } from './cherry-scene';
import { DEMO_SENSOR_RATE_HZ, DEMO_SENSOR_SECONDS, demoSensorCsv } from './demo-sensors';

const ROOT = join(import.meta.dirname, '..', '..');
const IMAGE_SIZE = 128;
const JPEG_QUALITY = 82;

interface SplitPlan {
  readonly dir: string;
  readonly seed: string;
  readonly count: number;
  readonly pitFraction: number;
}

const SPLITS: readonly SplitPlan[] = [
  { dir: 'datasets/demo-cherries/train', seed: 'linesight-demo-train-v1', count: 2000, pitFraction: 0.5 },
  { dir: 'datasets/demo-cherries/heldout', seed: 'linesight-demo-heldout-v1', count: 400, pitFraction: 0.5 },
  // The replayed line: pits are rarer, as on a real line.
  { dir: 'resources/demo/frames', seed: 'linesight-demo-replay-v1', count: 300, pitFraction: 0.2 },
];

async function renderSplit(plan: SplitPlan): Promise<void> {
  const rng: Rng = seedrandom(plan.seed);
  const dir = join(ROOT, plan.dir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // pit_x, pit_y, pit_radius: the annotation (pixels), empty for clean cherries.
  const rows = ['file,label,pit_x,pit_y,pit_radius'];
  for (let i = 0; i < plan.count; i++) {
    const hasPit = rng() < plan.pitFraction;
    const scene = randomScene(rng, hasPit, IMAGE_SIZE);
    const svg = sceneToSvg(scene);
    const pit = pitLocation(scene);
    const file = `${String(i).padStart(5, '0')}.jpg`;
    const jpeg = await sharp(Buffer.from(svg)).jpeg({ quality: JPEG_QUALITY, mozjpeg: true }).toBuffer();
    await writeFile(join(dir, file), jpeg);
    const where = pit ? `${pit.x.toFixed(1)},${pit.y.toFixed(1)},${pit.radius.toFixed(1)}` : ',,';
    rows.push(`${file},${hasPit ? 'cherry_pit' : 'cherry_clean'},${where}`);
    if ((i + 1) % 200 === 0 || i + 1 === plan.count) {
      process.stdout.write(`${plan.dir}: ${i + 1}/${plan.count}\n`);
    }
  }
  await writeFile(join(dir, 'labels.csv'), rows.join('\n') + '\n');
}

async function writeSensorRecording(): Promise<void> {
  await writeFile(join(ROOT, 'resources/demo/sensors.csv'), demoSensorCsv());
  process.stdout.write(`resources/demo/sensors.csv: ${DEMO_SENSOR_RATE_HZ * DEMO_SENSOR_SECONDS} rows\n`);
}

for (const split of SPLITS) await renderSplit(split);
await writeSensorRecording();
