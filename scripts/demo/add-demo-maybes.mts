/**
 * Gives the demo line its "maybe" items (issue 12): a real line sees a few
 * items the model is unsure of, which go to the divert for a person to look
 * at. The replayed frames (resources/demo/frames) held clean cherries and
 * clear pits only, so the demo never showed a maybe, the divert path, or a
 * what-if that changes anything.
 *
 * Renders pitted cherries whose pit is faint or small (seeded, so re-running
 * gives the same files), scores each with the committed demo model through
 * the line's own preprocessing, and keeps those whose pit score falls in
 * [maybe, pit) of the model's thresholds. They replace clean frames spread
 * over the loop (never the first ten, which tests read by name), and
 * labels.csv says they are pits: a faint pit is still a pit.
 *
 * Run after npm run demo:data and npm run demo:train:  npm run demo:maybes
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import sharp from 'sharp';
import { scoreRejects } from '../../src/engine/evaluation/score-images';
import { loadImagePackage } from '../../src/engine/model-package';
import { pitLocation, randomScene, sceneToSvg, type CherryScene, type Rng } from './cherry-scene';

const ROOT = join(import.meta.dirname, '..', '..');
const FRAMES = join(ROOT, 'resources', 'demo', 'frames');
const IMAGE_SIZE = 128;
const JPEG_QUALITY = 82;
/** About 4 % of the loop: what a sorter sends to a person to look at on a good day. */
const MAYBE_FRAMES = 12;
/** Frames tests read by name (test/engine, test/e2e) stay as they are. */
const FIRST_REPLACEABLE = 10;
const CANDIDATES_PER_ROUND = 64;
const MAX_ROUNDS = 40;

/** A pitted scene with its pit made faint: lower contrast, smaller, no rim. */
function faintPitScene(rng: Rng): CherryScene {
  const scene = randomScene(rng, true, IMAGE_SIZE);
  const pit = scene.pit!;
  const fade = 0.15 + 0.45 * rng();
  const shrink = 0.45 + 0.4 * rng();
  return { ...scene, pit: { ...pit, contrast: pit.contrast * fade, radius: pit.radius * shrink, rim: false } };
}

const pkg = await loadImagePackage(join(ROOT, 'models', 'demo-cherry'));
const { pit: pitAt, maybe: maybeAt } = pkg.manifest.thresholds;

const labelLines = (await readFile(join(FRAMES, 'labels.csv'), 'utf8')).trim().split('\n');
const header = labelLines[0]!;
const rows = labelLines.slice(1).map((line) => line.split(','));
const files = rows.map((r) => r[0]!);
const current = await scoreRejects(
  pkg,
  await Promise.all(files.map((f) => readFile(join(FRAMES, f)))),
  (done, total) => void process.stdout.write(`scored the loop ${done}/${total}\r${done === total ? '\n' : ''}`),
);
const already = current.filter((s) => s >= maybeAt && s < pitAt).length;
if (already >= MAYBE_FRAMES) {
  process.stdout.write(`the loop already holds ${already} maybe frames: nothing to do\n`);
  process.exit(0);
}

// Clean frames the model passes, spread evenly over the loop after the first ten.
const replaceable = rows
  .map((r, i) => ({ i, label: r[1]!, score: current[i]! }))
  .filter((r) => r.i >= FIRST_REPLACEABLE && r.label !== pkg.manifest.rejectLabel && r.score < maybeAt);
const wanted = MAYBE_FRAMES - already;
const step = replaceable.length / wanted;
const targets = Array.from({ length: wanted }, (_, k) => replaceable[Math.floor(k * step + step / 2)]!.i);

const rng: Rng = seedrandom('linesight-demo-faint-pits-v1');
const found: { jpeg: Buffer; scene: CherryScene; score: number }[] = [];
for (let round = 0; round < MAX_ROUNDS && found.length < wanted; round++) {
  const scenes = Array.from({ length: CANDIDATES_PER_ROUND }, () => faintPitScene(rng));
  const jpegs = await Promise.all(
    scenes.map((s) =>
      sharp(Buffer.from(sceneToSvg(s)))
        .jpeg({ quality: JPEG_QUALITY, mozjpeg: true })
        .toBuffer(),
    ),
  );
  const scores = await scoreRejects(pkg, jpegs);
  scores.forEach((score, k) => {
    if (found.length < wanted && score >= maybeAt && score < pitAt) found.push({ jpeg: jpegs[k]!, scene: scenes[k]!, score });
  });
  process.stdout.write(`round ${round + 1}: ${found.length}/${wanted} faint pits the model is unsure of\n`);
}
if (found.length < wanted) throw new Error(`found only ${found.length} of ${wanted} faint pits scoring in [${maybeAt}, ${pitAt})`);

for (const [k, i] of targets.entries()) {
  const { jpeg, scene, score } = found[k]!;
  await writeFile(join(FRAMES, files[i]!), jpeg);
  const pit = pitLocation(scene)!;
  rows[i] = [files[i]!, pkg.manifest.rejectLabel!, pit.x.toFixed(1), pit.y.toFixed(1), pit.radius.toFixed(1)];
  process.stdout.write(`${files[i]}: faint pit, pit score ${score.toFixed(3)}\n`);
}
await writeFile(join(FRAMES, 'labels.csv'), [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');
