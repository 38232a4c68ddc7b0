/**
 * Stand-ins for a camera's frames when the benchmark has none of the
 * camera's own: the given images as 640×480 JPEGs, so that the line decodes
 * what a camera would send it, not a thumbnail.
 */
import sharp from 'sharp';

export function cameraSizedFrames(images: readonly Uint8Array[]): Promise<Uint8Array[]> {
  return Promise.all(images.map(async (img) => new Uint8Array(await sharp(img).resize(640, 480, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer())));
}
