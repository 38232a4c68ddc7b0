/** A frame's encoded bytes, for tests of sources that deliver JPEGs (a raw frame here is a failure of the test). */
import type { Frame } from '../../src/engine/sources/frame-source';

export function encodedBytes(frame: Frame): Buffer {
  if (!(frame.data instanceof Uint8Array)) throw new Error(`frame ${frame.id} is raw pixels, not an encoded picture`);
  return Buffer.from(frame.data);
}
