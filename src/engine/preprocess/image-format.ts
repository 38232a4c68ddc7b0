/**
 * What kind of picture a frame's bytes claim to be, from their first bytes.
 * Only pictures are kept beside the log or shown on the live page: a 200 MB
 * junk file handed in by a camera was once kept verbatim as a "kept image"
 * (issue 11). Pure: bytes in, a format (with its file extension) or null out.
 */

export type ImageFormat = 'jpg' | 'png' | 'webp' | 'bmp' | 'tif';

const BMP_DIB_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

export function imageFormatOf(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  // "BM" alone is two letters of any text: a BMP also names one of the known DIB header sizes.
  if (
    startsWith(bytes, [0x42, 0x4d]) &&
    bytes.length >= 18 &&
    BMP_DIB_HEADER_SIZES.has(new DataView(bytes.buffer, bytes.byteOffset + 14, 4).getUint32(0, true))
  )
    return 'bmp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tif';
  return null;
}
