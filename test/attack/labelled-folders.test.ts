/**
 * Attacks through a labelled folder on a USB stick (issue 15): a folder outside the import folders, a link on
 * the stick to the station's own files, a picture too large to read, junk named like a picture, a labels.csv
 * pointing out of its folder, a second calibration while one runs. The station teaches and calibrates on what
 * it may read, counts and names what it left out, never reads what it may not, and keeps deciding.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION_OPTIONS } from '../../src/shared/calibration';
import { useRunningEngines } from '../helpers/engine';
import { HELDOUT_DIR } from '../helpers/paths';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait';

const OPTIONS = DEFAULT_CALIBRATION_OPTIONS;

/** A stick with the demo's held-out cherries as a labelled folder (copies: the station follows no link out). */
function demoStick(stick: string): string {
  const data = join(stick, 'cherries');
  cpSync(HELDOUT_DIR, data, { recursive: true });
  return data;
}

describe('attacks through a labelled folder', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  it('calibrates on what it may read, leaving out and naming a link to the station files, an oversized picture and junk', async () => {
    const stick = tempDir();
    const dataDir = tempDir();
    const data = demoStick(stick);
    // A link on the stick to the station's own database, named like a picture.
    symlinkSync(join(dataDir, 'linesight.sqlite'), join(data, 'zz-link.jpg'));
    // A "picture" of 65 MiB (sparse: no disk used) and junk named like a picture.
    writeFileSync(join(data, 'zz-huge.jpg'), '');
    truncateSync(join(data, 'zz-huge.jpg'), 65 * 1024 * 1024);
    writeFileSync(join(data, 'zz-junk.jpg'), 'not a jpeg');
    const csv = join(data, 'labels.csv');
    writeFileSync(csv, `${readFileLines(csv).join('\n')}\nzz-link.jpg,cherry_clean\nzz-huge.jpg,cherry_pit\nzz-junk.jpg,cherry_clean\n`);

    const engine = await engines.start(dataDir, { source: { kind: 'replay', fps: 10 }, model: { importRoots: [stick] } });
    const before = engine.getStatus().frames.classified;
    const calibration = await engine.calibration.calibrate({ data, options: OPTIONS, split: 'all' }, 'tech');
    expect(calibration.unscored).toBe(3);
    expect(calibration.nDefect + calibration.nGood).toBe(400);
    expect(calibration.notes[0]).toMatch(/^3 picture\(s\) could not be scored and were left out \(first: /);
    expect(calibration.thresholds).not.toBeNull();
    await waitFor('the line still deciding', () => engine.getStatus().frames.classified > before + 5);
  }, 120_000);

  it('refuses a folder outside the import folders, and a labels.csv that leads out of its folder, before reading a picture', async () => {
    const stick = tempDir();
    const outside = demoStick(tempDir());
    const engine = await engines.start(tempDir(), { source: { kind: 'replay', fps: 10 }, model: { importRoots: [stick] } });
    await expect(engine.calibration.calibrate({ data: outside, options: OPTIONS, split: 'all' }, 'tech')).rejects.toThrow(
      /is not under an import folder: labelled pictures are read only from /,
    );
    await expect(engine.teaching.inspect(outside)).rejects.toThrow(/is not under an import folder/);
    // Inside the stick, a labels.csv naming a file outside it.
    const data = demoStick(stick);
    writeFileSync(join(data, 'labels.csv'), 'file,label\n../../../etc/passwd.jpg,cherry_pit\n00000.jpg,cherry_clean\n');
    await expect(engine.calibration.calibrate({ data, options: OPTIONS, split: 'all' }, 'tech')).rejects.toThrow(/is not a picture in/);
  }, 60_000);

  it('runs one calibration at a time, and one teaching run at a time, saying so', async () => {
    const stick = tempDir();
    const data = demoStick(stick);
    const engine = await engines.start(tempDir(), { source: { kind: 'replay', fps: 10 }, model: { importRoots: [stick] } });
    const first = engine.calibration.calibrate({ data, options: OPTIONS, split: 'all' }, 'tech');
    await expect(engine.calibration.calibrate({ data, options: OPTIONS, split: 'all' }, 'tech')).rejects.toThrow(/a calibration is already running/);
    await first;
    // Teaching on a folder with subfolders: two labels of the castings-like layout made from the demo's pictures.
    const labelled = join(stick, 'by-label');
    for (const label of ['cherry_clean', 'cherry_pit']) mkdirSync(join(labelled, label), { recursive: true });
    readdirSync(data)
      .filter((f) => f.endsWith('.jpg'))
      .slice(0, 40)
      .forEach((f, i) => cpSync(join(data, f), join(labelled, i % 2 ? 'cherry_pit' : 'cherry_clean', f)));
    const run = await engine.teaching.start({ data: labelled, rejectLabel: 'cherry_pit', name: 'twice' }, 'tech');
    await expect(engine.teaching.start({ data: labelled, rejectLabel: 'cherry_pit', name: 'twice' }, 'tech')).rejects.toThrow(/a teaching run is going on/);
    const cancelled = await engine.teaching.cancel(run.runId);
    expect(['cancelled', 'done', 'failed']).toContain(cancelled.state);
  }, 120_000);
});

function readFileLines(file: string): string[] {
  return readFileSync(file, 'utf8').trim().split('\n');
}
