/**
 * decode.floor (issue 18): the same 640×480 JPEG frames decoded and resized to
 * 224×224 by the engine's preprocessing (engine/preprocess/image-decoder.ts,
 * as the line calls it) and by a libjpeg-turbo peer in the same run — OpenCV
 * from Debian's python3-opencv (peers/opencv_decode.py), one thread each. Like
 * for like: a model with jpegScaling "dct" (a half-size decode straight from
 * the DCT, as OpenCV's IMREAD_REDUCED_COLOR_2) against the peer's reduced
 * decode — the ratio the goal is on — and the default "exact" (sharp's pixels:
 * full-size decode here) against the peer's full decode. Without
 * python3-opencv the row says so and has no ratio.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeAndResize, type ResizeSpec } from '../../engine/preprocess/image-decoder';
import { decoderInfo } from '../../engine/preprocess/native-codecs';
import { percentile, round } from '../../engine/bench/stats';
import type { BenchResult } from './bench-report';
import type { Progress } from './bench';

export const DECODE_FLOOR_GOAL = 1.25;
const SPEC: ResizeSpec = { width: 224, height: 224, resize: 'stretch', interpolation: 'linear', channelOrder: 'RGB', jpegScaling: 'dct' };
const EXACT: ResizeSpec = { ...SPEC, jpegScaling: 'exact' };

/** The demo pictures as camera frames: 640×480 JPEGs at quality 90. */
async function cameraJpegs(sources: readonly Uint8Array[]): Promise<Uint8Array[]> {
  return Promise.all(sources.map(async (s) => new Uint8Array(await sharp(s).resize(640, 480, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer())));
}

const p50 = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

export async function benchDecodeFloor(demoFrames: readonly Uint8Array[], rounds: number, progress: Progress): Promise<BenchResult> {
  const frames = await cameraJpegs(demoFrames.slice(0, 16));
  progress(`decode.floor: ${frames.length} JPEGs of 640×480 to 224×224, ${rounds} rounds, the engine then OpenCV`);
  // Warm: the first calls load the decoders.
  for (const f of frames) await decodeAndResize(f, SPEC);
  for (const f of frames) await decodeAndResize(f, EXACT);
  const engineMs: number[] = [];
  const exactMs: number[] = [];
  for (let r = 0; r < rounds; r++)
    for (const f of frames) {
      const t0 = performance.now();
      await decodeAndResize(f, SPEC);
      const t1 = performance.now();
      await decodeAndResize(f, EXACT);
      engineMs.push(t1 - t0);
      exactMs.push(performance.now() - t1);
    }
  const base: BenchResult = {
    name: 'decode.floor',
    model: `${SPEC.width}×${SPEC.height} from 640×480 JPEG`,
    engine_p50_ms: round(p50(engineMs)),
    engine_p99_ms: round(
      percentile(
        [...engineMs].sort((a, b) => a - b),
        99,
      ),
    ),
    engine_exact_p50_ms: round(p50(exactMs)),
    decoder: decoderInfo().decoder,
    frames: engineMs.length,
    samples: engineMs.length,
  };
  const dir = mkdtempSync(join(tmpdir(), 'linesight-decode-'));
  try {
    frames.forEach((f, i) => writeFileSync(join(dir, `${String(i).padStart(3, '0')}.jpg`), f));
    const script = join(import.meta.dirname, 'peers', 'opencv_decode.py');
    // Debian's own Python, where python3-opencv installs (a pyenv or venv python3 first on the PATH would not see it).
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const run = spawnSync(python, [script, dir, String(SPEC.width), String(SPEC.height), String(rounds)], { encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0)
      return { ...base, status: 'no peer', error: `python3-opencv did not run: ${(run.stderr || run.error?.message || '').trim().split('\n').at(-1)}` };
    const peer = JSON.parse(run.stdout) as { opencv: string; full_ms: number[]; reduced_ms: number[] };
    const reduced = p50(peer.reduced_ms);
    const ratio = p50(engineMs) / reduced;
    return {
      ...base,
      peer: `OpenCV ${peer.opencv} (libjpeg-turbo)`,
      peer_reduced_p50_ms: round(reduced),
      peer_full_p50_ms: round(p50(peer.full_ms)),
      ratio_vs_peer: round(ratio, 3),
      exact_ratio_vs_peer_full: round(p50(exactMs) / p50(peer.full_ms), 3),
      ratio_goal: DECODE_FLOOR_GOAL,
      goal_met: ratio <= DECODE_FLOOR_GOAL,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
