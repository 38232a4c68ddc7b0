/** The labelled folder teaching reads (src/engine/labelled/labelled-folder.ts), on the real castings. */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heldOutByName, LabelledFolderError, readLabelledFolder } from '../../../src/engine/labelled/labelled-folder';
import { SHARED_DATA } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';

const tempDir = useTempDirs();

describe('readLabelledFolder', () => {
  it('reads the casting pictures by label, holds out about a fifth of each, the same ones every time', async () => {
    const set = await readLabelledFolder(join(SHARED_DATA, 'images', 'casting', 'train'));
    expect(set.labels).toEqual(['def_front', 'ok_front']);
    expect(set.counts.map((c) => c.total)).toEqual([3758, 2811]);
    for (const c of set.counts) {
      expect(c.heldOut / c.total).toBeGreaterThan(0.17);
      expect(c.heldOut / c.total).toBeLessThan(0.23);
    }
    const again = await readLabelledFolder(join(SHARED_DATA, 'images', 'casting', 'train'));
    expect(again.fingerprint).toBe(set.fingerprint);
    expect(again.pictures.filter((p) => p.heldOut).map((p) => p.name)).toEqual(set.pictures.filter((p) => p.heldOut).map((p) => p.name));
  });

  it('decides the split by name alone, so adding pictures moves none across it', async () => {
    expect(heldOutByName('ok_front/cast_ok_0_1.jpeg', 0.2)).toBe(heldOutByName('ok_front/cast_ok_0_1.jpeg', 0.2));
    const dir = tempDir();
    for (const label of ['good', 'pit']) {
      mkdirSync(join(dir, label));
      for (let i = 0; i < 20; i++) writeFileSync(join(dir, label, `${i}.jpg`), 'x');
    }
    const before = (await readLabelledFolder(dir)).pictures.filter((p) => p.heldOut).map((p) => p.name);
    writeFileSync(join(dir, 'pit', 'new.jpg'), 'x');
    const after = (await readLabelledFolder(dir)).pictures.filter((p) => p.heldOut).map((p) => p.name);
    expect(after.filter((n) => n !== 'pit/new.jpg')).toEqual(before);
  });

  it('refuses a folder without two labels, or a label without pictures, saying which', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'good'));
    writeFileSync(join(dir, 'good', 'a.jpg'), 'x');
    await expect(readLabelledFolder(dir)).rejects.toThrow(/needs one folder per label, at least two \(found 1: good\)/);
    mkdirSync(join(dir, 'pit'));
    await expect(readLabelledFolder(dir)).rejects.toThrow(LabelledFolderError);
    await expect(readLabelledFolder(dir)).rejects.toThrow(/pit holds no pictures/);
    await expect(readLabelledFolder(join(dir, 'missing'))).rejects.toThrow(/cannot read the labelled folder/);
  });
});

describe('a folder with labels.csv', () => {
  it('reads the labels from the file, holds out by label and name, and refuses a file that leads outside the folder', async () => {
    const dir = tempDir();
    for (const f of ['a.jpg', 'b.jpg', 'c.jpg']) writeFileSync(join(dir, f), 'x');
    writeFileSync(join(dir, 'labels.csv'), 'file,label,extra\na.jpg,pit,1\nb.jpg,clean,2\nc.jpg,clean,3\n');
    const set = await readLabelledFolder(dir, 0.5);
    expect(set.labels).toEqual(['clean', 'pit']);
    expect(set.pictures.map((p) => [p.name, p.label, p.heldOut])).toEqual([
      ['clean/b.jpg', 0, heldOutByName('clean/b.jpg', 0.5)],
      ['clean/c.jpg', 0, heldOutByName('clean/c.jpg', 0.5)],
      ['pit/a.jpg', 1, heldOutByName('pit/a.jpg', 0.5)],
    ]);
    expect(set.counts.map((c) => [c.label, c.total])).toEqual([
      ['clean', 2],
      ['pit', 1],
    ]);
    writeFileSync(join(dir, 'labels.csv'), 'file,label\n../outside.jpg,pit\nb.jpg,clean\n');
    await expect(readLabelledFolder(dir)).rejects.toThrow(/line 2: "\.\.\/outside\.jpg" is not a picture in/);
    writeFileSync(join(dir, 'labels.csv'), 'file,label\na.jpg,pit\na.jpg,clean\n');
    await expect(readLabelledFolder(dir)).rejects.toThrow(/line 3: "a\.jpg" is listed twice/);
    // A labels file that is a link (to anywhere) is not read.
    rmSync(join(dir, 'labels.csv'));
    writeFileSync(join(dir, 'elsewhere.csv'), 'file,label\na.jpg,pit\nb.jpg,clean\n');
    symlinkSync(join(dir, 'elsewhere.csv'), join(dir, 'labels.csv'));
    await expect(readLabelledFolder(dir)).rejects.toThrow(/labels\.csv is not a regular file/);
    rmSync(join(dir, 'labels.csv'));
    writeFileSync(join(dir, 'labels.csv'), 'name,class\na.jpg,pit\n');
    await expect(readLabelledFolder(dir)).rejects.toThrow(/needs a header row naming a "file" and a "label" column/);
  });
});
