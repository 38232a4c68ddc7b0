/**
 * Reads a few labelled pictures at once (teaching's features, calibration's
 * scores): each file's bytes, or the reason it could not be read — one
 * unreadable picture is counted and passed over, never the end of the run.
 *
 * What a labelled folder holds is outside data (a USB stick): on the station
 * each picture must resolve, links followed, inside the import folders (a
 * link on the stick must not reach the station's own files), and none is
 * read whole past `maxBytes` (a camera's frames are capped the same way,
 * source.maxFrameBytes).
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isWithin } from '../path-within';

export interface PictureLimits {
  /** Real paths (links resolved) the pictures must lie in; undefined: anywhere (the command line, run by whoever owns the files). */
  readonly roots?: readonly string[];
  readonly maxBytes: number;
}

/** The largest picture read by default: far above any camera frame, far below what would hurt the station's memory. */
export const MAX_PICTURE_BYTES = 64 * 1024 * 1024;

async function readOne(path: string, limits: PictureLimits): Promise<Uint8Array | Error> {
  try {
    const real = await realpath(path);
    if (limits.roots && !limits.roots.some((r) => isWithin(r, real))) return new Error('it leads outside the import folders (a link): not read');
    // Non-blocking: a FIFO or a device named like a picture must not hold a thread of libuv's pool (the line's decodes use it).
    const file = await open(real, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = await file.stat();
      if (!stat.isFile()) return new Error('it is not a regular file: not read');
      if (stat.size > limits.maxBytes) return new Error(`it is ${stat.size} bytes, more than the ${limits.maxBytes} a picture may be: not read`);
      // Never more than maxBytes, whatever the size said (a file that grows while it is read).
      const buffer = new Uint8Array(Math.min(stat.size, limits.maxBytes) + 1);
      let got = 0;
      for (;;) {
        const { bytesRead } = await file.read(buffer, got, buffer.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
        if (got === buffer.length) return new Error(`it grew past the ${limits.maxBytes} bytes a picture may be: not read`);
      }
      return buffer.subarray(0, got);
    } finally {
      await file.close();
    }
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

export function readPictures(paths: readonly string[], limits: PictureLimits = { maxBytes: MAX_PICTURE_BYTES }): Promise<(Uint8Array | Error)[]> {
  return Promise.all(paths.map((p) => readOne(p, limits)));
}
