/** Reads a labelled split of the demo data set (a folder of JPEGs + labels.csv). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LabelledImage {
  readonly file: string;
  readonly label: string;
  readonly jpeg: Buffer;
  /** Pit annotation in image pixels, for pitted cherries. */
  readonly pit: { readonly x: number; readonly y: number; readonly radius: number } | null;
}

export async function readLabelledSplit(dir: string): Promise<LabelledImage[]> {
  const csv = await readFile(join(dir, 'labels.csv'), 'utf8');
  const lines = csv.trim().split('\n').slice(1);
  return Promise.all(
    lines.map(async (line) => {
      const [file, label, x, y, radius] = line.split(',');
      if (!file || !label) throw new Error(`${dir}/labels.csv: bad line "${line}"`);
      const pit = x && y && radius ? { x: Number(x), y: Number(y), radius: Number(radius) } : null;
      return { file, label, jpeg: await readFile(join(dir, file)), pit };
    }),
  );
}
