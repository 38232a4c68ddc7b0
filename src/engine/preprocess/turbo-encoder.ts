/**
 * Raw pixels to a JPEG, with libjpeg-turbo (native-codecs.ts), on the calling
 * thread: the picture a raw source's frame is kept and shown as (sources/
 * ffmpeg-source.ts, frames "raw"). A frame at the model's size (224×224)
 * takes ~0.15 ms here, against ~0.6 ms to decode and resize the 640×480 JPEG
 * the camera would otherwise have sent (issue 18). Synchronous so that the
 * line has the picture when it decides, as it has a JPEG source's bytes.
 */
import { nativeBuffer, type NativeBuffer } from '../foreign-library';
import type { RawImage } from './image-types';
import { nativeCodecs, type NativePointer } from './native-codecs';

const TJPF_RGB = 0;
const TJPF_GRAY = 6;
const TJSAMP_420 = 2;
const TJSAMP_GRAY = 3;
const TJFLAG_NOREALLOC = 1024;
/** The kept pictures' quality: what an engineer looking for a defect needs, at a few tens of kB at the model's size. */
export const KEPT_PICTURE_QUALITY = 90;
/** The largest picture encoded (a raw source's frames are at the model's size; the model's input is at most 4096). */
const MAX_PIXELS = 4096 * 4096;

let handle: NativePointer | null = null;
let out: NativeBuffer | null = null;

/** Whether this process can make JPEGs from pixels (libturbojpeg present; LINESIGHT_DECODER=sharp says no). */
export function canEncodeJpeg(): boolean {
  return nativeCodecs() !== null;
}

/** The pixels as a JPEG; throws where they cannot be (no libturbojpeg, a size out of range, TurboJPEG's own error). */
export function encodeJpeg(image: RawImage, quality = KEPT_PICTURE_QUALITY): Uint8Array {
  const codecs = nativeCodecs();
  if (!codecs) throw new Error('no JPEG encoder: libturbojpeg is not available on this machine');
  const { width, height, channels, pixels } = image;
  if (channels !== 1 && channels !== 3) throw new Error(`${channels}-channel pixels are not encoded (1 or 3)`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > MAX_PIXELS)
    throw new Error(`a ${width}×${height} picture is not encoded`);
  if (pixels.length < width * height * channels) throw new Error(`${pixels.length} bytes are too few for ${width}×${height}×${channels}`);
  const { encoder } = codecs;
  handle ??= encoder.init();
  if (!handle) throw new Error('libjpeg-turbo could not start a compressor');
  const subsamp = channels === 1 ? TJSAMP_GRAY : TJSAMP_420;
  const room = encoder.bufSize(width, height, subsamp);
  // One buffer, grown to the largest picture asked for: no native allocation per frame.
  if (!out || out.bytes < room) out = nativeBuffer(room);
  const size: [number] = [out.bytes];
  const rc = encoder.compress(handle, pixels, width, 0, height, channels === 1 ? TJPF_GRAY : TJPF_RGB, [out.pointer], size, subsamp, quality, TJFLAG_NOREALLOC);
  if (rc !== 0) throw new Error(`libjpeg-turbo could not encode the picture: ${encoder.errorText(handle)}`);
  return out.read(size[0]);
}
