/**
 * Cuts a byte stream of back-to-back JPEG images (ffmpeg's image2pipe output)
 * into single images: each runs from a start-of-image marker (FF D8 FF) to the
 * end-of-image marker (FF D9). Inside JPEG data FF is always followed by 00 or
 * a marker, and ffmpeg's MJPEG encoder writes no embedded thumbnails, so the
 * first EOI after an SOI ends the image. Each chunk is searched once, and an
 * image's chunks are joined once, when it ends (byte-chunks.ts).
 */
import { ByteChunks } from './byte-chunks';

const SOI = Buffer.from([0xff, 0xd8, 0xff]);
const EOI = Buffer.from([0xff, 0xd9]);

export class JpegSplitter {
  /** Outside an image: the last bytes, in which an SOI cut in two could have begun. */
  private before: Buffer = Buffer.alloc(0);
  private readonly image = new ByteChunks();
  private inImage = false;

  constructor(
    private readonly onImage: (jpeg: Buffer) => void,
    private readonly onRefused: (reason: string) => void,
    private readonly maxBytes: number,
  ) {}

  push(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) data = this.inImage ? this.inside(data) : this.outside(data);
  }

  /** Looks for the next image's start; returns what follows it unsearched (empty when there is none). */
  private outside(chunk: Buffer): Buffer {
    const window = this.before.length === 0 ? chunk : Buffer.concat([this.before, chunk]);
    const start = window.indexOf(SOI);
    if (start < 0) {
      this.before = window.subarray(Math.max(0, window.length - (SOI.length - 1)));
      return Buffer.alloc(0);
    }
    this.before = Buffer.alloc(0);
    this.inImage = true;
    this.image.add(window.subarray(start, start + SOI.length));
    return window.subarray(start + SOI.length);
  }

  /** Looks for the image's end in the new bytes; returns what follows the image (empty when it goes on). */
  private inside(chunk: Buffer): Buffer {
    // One byte back: an EOI whose FF ended the previous chunk. Never before the SOI's last byte.
    const overlap = this.image.size > SOI.length - 1 ? this.image.tail(1) : Buffer.alloc(0);
    const window = overlap.length === 0 ? chunk : Buffer.concat([overlap, chunk]);
    const found = window.indexOf(EOI);
    if (found < 0) {
      this.image.add(chunk);
      if (this.image.size > this.maxBytes) {
        this.onRefused(`an image from ffmpeg ran past ${this.maxBytes} bytes without its end marker`);
        this.image.clear();
        this.inImage = false;
      }
      return Buffer.alloc(0);
    }
    const end = this.image.size - overlap.length + found + EOI.length;
    this.image.add(chunk);
    const { body, rest } = this.image.take(end);
    this.inImage = false;
    if (body.length > this.maxBytes) this.onRefused(`an image from ffmpeg ran past ${this.maxBytes} bytes`);
    else this.onImage(Buffer.from(body));
    return rest;
  }
}
