/**
 * decode.floor's two sides run (issue 18, src/tools/bench/decode-bench.ts): the engine's decode and the OpenCV peer
 * (Debian's python3-opencv, installed by .ci/run) on the same 640×480 JPEGs, both giving a time for every frame and
 * the row its ratio. Times are the benchmark's to judge (npm run bench), never asserted here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchDecodeFloor } from '../../src/tools/bench/decode-bench';
import { DEMO_FRAMES_DIR } from '../helpers/paths';

describe('decode.floor', () => {
  it('decodes the same frames through the engine and through OpenCV, and states their ratio', async () => {
    const frames = readdirSync(DEMO_FRAMES_DIR)
      .filter((f) => f.endsWith('.jpg'))
      .slice(0, 4)
      .map((f) => new Uint8Array(readFileSync(join(DEMO_FRAMES_DIR, f))));
    const row = await benchDecodeFloor(frames, 1, () => {});
    expect(row.error).toBeUndefined();
    expect(row).toMatchObject({ name: 'decode.floor', frames: 4, peer: expect.stringMatching(/^OpenCV \d/), ratio_goal: 1.25 });
    for (const k of ['engine_p50_ms', 'engine_exact_p50_ms', 'peer_reduced_p50_ms', 'peer_full_p50_ms', 'ratio_vs_peer', 'exact_ratio_vs_peer_full'] as const)
      expect(row[k]).toBeGreaterThan(0);
    expect(row.decoder).toBe('libjpeg-turbo + swscale');
  }, 60_000);
});
