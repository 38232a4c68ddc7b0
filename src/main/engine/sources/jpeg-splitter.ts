/**
 * Cuts a byte stream of back-to-back JPEG images (ffmpeg's image2pipe output)
 * into single images: each runs from a start-of-image marker (FF D8 FF) to the
 * end-of-image marker (FF D9). Inside JPEG data FF is always followed by 00 or
 * a marker, and ffmpeg's MJPEG encoder writes no embedded thumbnails, so the
 * first EOI after an SOI ends the image.
 */
const SOI = Buffer.from([0xff, 0xd8, 0xff]);
const EOI = Buffer.from([0xff, 0xd9]);

export class JpegSplitter {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Where the search for EOI resumes (bytes already searched). */
  private searched = 0;
  private inImage = false;

  constructor(
    private readonly onImage: (jpeg: Buffer) => void,
    private readonly onRefused: (reason: string) => void,
    private readonly maxBytes: number,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    for (;;) {
      const buffer = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
      this.chunks = [buffer];
      if (!this.inImage) {
        const start = buffer.indexOf(SOI);
        if (start < 0) {
          this.keep(buffer.subarray(Math.max(0, buffer.length - 2)));
          return;
        }
        this.keep(buffer.subarray(start));
        this.inImage = true;
        this.searched = 2;
        continue;
      }
      const end = buffer.indexOf(EOI, Math.max(2, this.searched - 1));
      if (end < 0) {
        this.searched = buffer.length;
        if (buffer.length > this.maxBytes) {
          this.onRefused(`an image from ffmpeg ran past ${this.maxBytes} bytes without its end marker`);
          this.inImage = false;
          this.keep(Buffer.alloc(0));
        }
        return;
      }
      this.onImage(Buffer.from(buffer.subarray(0, end + 2)));
      this.inImage = false;
      this.keep(buffer.subarray(end + 2));
    }
  }

  private keep(rest: Buffer): void {
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
  }
}
