/**
 * Reads a few labelled pictures at once (teaching's features, calibration's
 * scores): each file's bytes, or the reason it could not be read — one
 * unreadable picture is counted and passed over, never the end of the run.
 */
import { readFile } from 'node:fs/promises';

export async function readPictures(paths: readonly string[]): Promise<(Uint8Array | Error)[]> {
  return Promise.all(
    paths.map((p) =>
      readFile(p).then(
        (b) => new Uint8Array(b),
        (err: Error) => err,
      ),
    ),
  );
}
