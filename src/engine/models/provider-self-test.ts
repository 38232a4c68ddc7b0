/**
 * The start-up self-test of an execution provider (issue 14): before a model
 * loaded on a GPU or other accelerated provider may decide, its check
 * pictures run through it and through a CPU session of the same model, in
 * their own workers, and the per-label probabilities are compared. A provider
 * that fails a run or disagrees past the tolerance is not used: the model runs
 * on the CPU and every page says so (model-service.ts raises the warning).
 *
 * The check pictures are the package's own (`check/` beside the manifest:
 * pictures of the product), else pictures made here that any image model
 * takes: black, white, grey, two gradients and seeded noise — a provider that
 * computes differently shows it on any input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import type { ImageModelPackage } from '../model-package';
import type { RawImage, ImageInput } from '../preprocess/image-decoder';
import { probabilitiesFromOutput } from '../scores';
import type { LoadedModel } from './loaded-model';

/** Largest |Δp| between the provider and the CPU on any label of any check picture (full precision both). */
export const SELF_TEST_TOLERANCE = 1e-3;
const CHECK_FOLDER = 'check';
const PICTURE = /\.(jpe?g|png|webp|bmp|tiff?)$/i;
const MAX_CHECK_PICTURES = 16;

export interface CheckPicture {
  readonly name: string;
  readonly image: ImageInput;
}

export interface SelfTestResult {
  readonly provider: string;
  readonly passed: boolean;
  readonly pictures: number;
  /** The largest |Δp| found, and on which picture. */
  readonly worstDelta: number;
  readonly worstPicture: string | null;
  /** One sentence for the log, the event and the warning on every page. */
  readonly message: string;
}

function made(name: string, size: number, pixel: (x: number, y: number, c: number) => number): CheckPicture {
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) pixels[(y * size + x) * 3 + c] = pixel(x, y, c);
  const image: RawImage = { width: size, height: size, channels: 3, pixels };
  return { name, image };
}

export function checkPicturesFor(pkg: ImageModelPackage): CheckPicture[] {
  try {
    const dir = join(pkg.dir, CHECK_FOLDER);
    const own = readdirSync(dir)
      .filter((f) => PICTURE.test(f))
      .sort()
      .slice(0, MAX_CHECK_PICTURES)
      .map((f) => ({ name: `${CHECK_FOLDER}/${f}`, image: new Uint8Array(readFileSync(join(dir, f))) }));
    if (own.length > 0) return own;
  } catch {
    // no check/ folder: the made pictures below
  }
  return madeCheckPictures();
}

/** Pictures made here that any image model takes: a provider that computes differently shows it on any input. */
export function madeCheckPictures(): CheckPicture[] {
  const size = 224;
  // Seeded, so that a failure names the same picture every time.
  const rnd = seedrandom('linesight self-test');
  return [
    made('black', size, () => 0),
    made('white', size, () => 255),
    made('grey', size, () => 128),
    made('horizontal gradient', size, (x) => Math.round((x / (size - 1)) * 255)),
    made('vertical gradient', size, (_x, y, c) => Math.round((y / (size - 1)) * 255) ^ (c * 40)),
    made('noise', size, () => Math.floor(rnd() * 256)),
  ];
}

/** One picture through the model as the line runs it (its preprocessing, its worker), as per-label probabilities. */
export async function checkProbabilities(model: LoadedModel, image: ImageInput): Promise<Float64Array> {
  const { preprocessor, client, pkg } = model;
  const input = client.acquireInput();
  try {
    await preprocessor.prepare(image, input, 0);
  } catch (err) {
    client.releaseInput(input);
    throw err;
  }
  const result = await client.run(input, preprocessor.batchDims(1));
  return probabilitiesFromOutput(result.output, 1, pkg.labels.length, pkg.manifest.output.scores);
}

/**
 * Pictures through the model in batches of its own batch size (the line's throughput mode sends several items a run,
 * and a provider can compute a batch differently from one item): each picture's probabilities, or the error that kept
 * it from a score. A picture that does not prepare is left out of its batch and answered with its error.
 */
export async function checkBatchProbabilities(model: LoadedModel, images: readonly ImageInput[]): Promise<(Float64Array | Error)[]> {
  const { preprocessor, client, pkg } = model;
  const size = Math.max(1, model.batchSize);
  const out: (Float64Array | Error)[] = [];
  for (let start = 0; start < images.length; start += size) {
    const chunk = images.slice(start, start + size);
    const input = client.acquireInput();
    const slots: number[] = [];
    const answers: (Float64Array | Error)[] = [];
    for (const image of chunk) {
      try {
        await preprocessor.prepare(image, input, slots.length);
        answers.push(new Float64Array(0));
        slots.push(answers.length - 1);
      } catch (err) {
        answers.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    if (slots.length === 0) {
      client.releaseInput(input);
      out.push(...answers);
      continue;
    }
    try {
      const result = await client.run(input, preprocessor.batchDims(slots.length));
      const classes = pkg.labels.length;
      const all = probabilitiesFromOutput(result.output, slots.length, classes, pkg.manifest.output.scores);
      slots.forEach((answer, k) => (answers[answer] = all.slice(k * classes, (k + 1) * classes)));
    } catch (err) {
      for (const answer of slots) answers[answer] = err instanceof Error ? err : new Error(String(err));
    }
    out.push(...answers);
  }
  return out;
}

/** Runs the pictures through `candidate` (its provider) and `cpu` (the same model on the CPU) and compares. */
export async function providerSelfTest(candidate: LoadedModel, cpu: LoadedModel, pictures: readonly CheckPicture[], tolerance = SELF_TEST_TOLERANCE): Promise<SelfTestResult> {
  const provider = candidate.client.info.provider;
  const labels = candidate.pkg.labels;
  let worstDelta = 0;
  let worstPicture: string | null = null;
  let worstWords = '';
  let compared = 0;
  for (const picture of pictures) {
    // The CPU first: a picture that does not decode, or a reference that fails, says nothing about the provider.
    let want: Float64Array;
    try {
      want = await checkProbabilities(cpu, picture.image);
    } catch {
      continue;
    }
    if (!want.every(Number.isFinite)) continue;
    let got: Float64Array;
    try {
      got = await checkProbabilities(candidate, picture.image);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { provider, passed: false, pictures: pictures.length, worstDelta: Infinity, worstPicture: picture.name, message: `${provider} failed its self-test on "${picture.name}": ${why}` };
    }
    compared++;
    for (let i = 0; i < labels.length; i++) {
      const delta = Number.isFinite(got[i]!) ? Math.abs(got[i]! - want[i]!) : Infinity;
      if (delta > worstDelta) {
        worstDelta = delta;
        worstPicture = picture.name;
        worstWords = `${labels[i]} ${got[i]!.toFixed(4)} on ${provider} vs ${want[i]!.toFixed(4)} on the CPU`;
      }
    }
  }
  if (compared === 0) {
    return { provider, passed: false, pictures: 0, worstDelta: Infinity, worstPicture: null, message: `${provider} could not be self-tested: no check picture ran on the CPU` };
  }
  const passed = worstDelta <= tolerance;
  const message = passed
    ? `${provider} passed its self-test: ${compared} check pictures within ${tolerance} of the CPU (largest difference ${worstDelta.toExponential(1)})`
    : `${provider} disagrees with the CPU on check picture "${worstPicture}" (${worstWords}, more than ${tolerance} apart)`;
  return { provider, passed, pictures: compared, worstDelta, worstPicture, message };
}
