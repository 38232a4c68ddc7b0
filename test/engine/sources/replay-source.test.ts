import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodedBytes } from '../../helpers/frame-bytes';
import type { Frame } from '../../../src/engine/sources/frame-source';
import { ReplaySource, ReplaySourceError } from '../../../src/engine/sources/replay-source';
import { DEMO_FRAMES_DIR } from '../../helpers/paths';
import { waitFor } from '../../helpers/wait';

describe('ReplaySource', () => {
  it('replays a list of files in the order given, and finishes when not looping', async () => {
    const files = ['00007.jpg', '00002.jpg', '00005.jpg'].map((f) => join(DEMO_FRAMES_DIR, f));
    const source = await ReplaySource.open({ files, fps: 100, loop: false });
    const frames: Frame[] = [];
    let ended = false;
    source.start(
      (f) => frames.push(f),
      () => (ended = true),
    );
    await waitFor('the end', () => ended);
    expect(source.state).toBe('finished');
    expect(frames.map((f) => f.origin)).toEqual(['replay:00007.jpg', 'replay:00002.jpg', 'replay:00005.jpg']);
    expect(encodedBytes(frames[1]!).equals(readFileSync(files[1]!))).toBe(true);
    expect(source.stats().framesDelivered).toBe(3);
  });

  it('says which file or folder it cannot read', async () => {
    await expect(ReplaySource.open({ files: [join(DEMO_FRAMES_DIR, 'nope.jpg')], fps: 1, loop: false })).rejects.toThrow(ReplaySourceError);
    await expect(ReplaySource.open({ files: [join(DEMO_FRAMES_DIR, 'nope.jpg')], fps: 1, loop: false })).rejects.toThrow(
      /cannot read replay image .*nope\.jpg: ENOENT/,
    );
    await expect(ReplaySource.open({ dir: '/no/such/folder', fps: 1, loop: false })).rejects.toThrow(/cannot read replay folder \/no\/such\/folder: ENOENT/);
  });
});
