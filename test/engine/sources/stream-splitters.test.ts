/** The stream splitters (multipart, back-to-back JPEGs, ffmpeg's raw frames), fed their input cut at every possible place. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JpegSplitter } from '../../../src/engine/sources/jpeg-splitter';
import { boundaryOf, MultipartParser } from '../../../src/engine/sources/multipart-parser';
import { RawFrameCutter } from '../../../src/engine/sources/raw-frames';
import { DEMO_FRAMES_DIR } from '../../helpers/paths';

const jpegs = ['00000.jpg', '00001.jpg', '00002.jpg'].map((f) => readFileSync(join(DEMO_FRAMES_DIR, f)));

function multipart(boundaryParam: string, withLength: boolean, lineEnd = '\r\n'): Buffer {
  const delimiter = boundaryParam.startsWith('--') ? boundaryParam : `--${boundaryParam}`;
  return Buffer.concat(
    jpegs
      .flatMap((j) => [
        Buffer.from(`${delimiter}${lineEnd}Content-Type: image/jpeg${lineEnd}${withLength ? `Content-Length: ${j.length}${lineEnd}` : ''}${lineEnd}`),
        j,
        Buffer.from(lineEnd),
      ])
      .concat([Buffer.from(`${delimiter}--${lineEnd}`)]),
  );
}

function feed(push: (b: Buffer) => void, stream: Buffer, cut: number): void {
  for (let i = 0; i < stream.length; i += cut) push(stream.subarray(i, i + cut));
}

describe('MultipartParser', () => {
  it('finds the boundary in the Content-Type header, quoted or not', () => {
    expect(boundaryOf('multipart/x-mixed-replace; boundary=myboundary')).toBe('myboundary');
    expect(boundaryOf('multipart/x-mixed-replace;boundary="--frame"')).toBe('--frame');
    expect(boundaryOf('image/jpeg')).toBeNull();
  });

  for (const [label, param, withLength, lineEnd] of [
    ['Content-Length, CRLF', 'frame', true, '\r\n'],
    ['no Content-Length, CRLF', 'frame', false, '\r\n'],
    ['dashes in the parameter, LF only', '--frame', true, '\n'],
    ['no Content-Length, LF only', 'frame', false, '\n'],
  ] as const) {
    it(`gives back every JPEG exactly (${label}), however the stream is cut`, () => {
      const stream = multipart(param, withLength, lineEnd);
      for (const cut of [1, 2, 3, 7, 64, 1000, stream.length]) {
        const parts: Buffer[] = [];
        const parser = new MultipartParser(param, { part: (b) => parts.push(b), refused: (r) => expect.fail(r) }, 1_000_000);
        feed((b) => parser.push(b), stream, cut);
        expect(parts.length, `cut ${cut}`).toBe(3);
        parts.forEach((p, i) => expect(p.equals(jpegs[i]!), `cut ${cut}, part ${i}`).toBe(true));
      }
    });
  }

  it('refuses a part over the size limit and carries on with the next', () => {
    const parts: Buffer[] = [];
    const refused: string[] = [];
    const parser = new MultipartParser('frame', { part: (b) => parts.push(b), refused: (r) => refused.push(r) }, Math.min(...jpegs.map((j) => j.length)) + 1);
    parser.push(multipart('frame', true));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatch(/over the \d+-byte limit/);
    expect(parts.length).toBe(3 - refused.length);
  });
});

describe('JpegSplitter', () => {
  it('cuts back-to-back JPEGs apart exactly, however the stream is cut, skipping junk between them', () => {
    const stream = Buffer.concat([Buffer.from('junk'), jpegs[0]!, jpegs[1]!, Buffer.from([0, 1, 2]), jpegs[2]!]);
    for (const cut of [1, 5, 333, stream.length]) {
      const out: Buffer[] = [];
      const splitter = new JpegSplitter(
        (j) => out.push(j),
        (r) => expect.fail(r),
        1_000_000,
      );
      feed((b) => splitter.push(b), stream, cut);
      expect(out.map((j) => j.length)).toEqual(jpegs.map((j) => j.length));
      out.forEach((j, i) => expect(j.equals(jpegs[i]!)).toBe(true));
    }
  });

  it('refuses an image that never ends', () => {
    const refused: string[] = [];
    const splitter = new JpegSplitter(
      () => expect.fail('no image'),
      (r) => refused.push(r),
      1000,
    );
    splitter.push(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(2000)]));
    expect(refused[0]).toMatch(/ran past 1000 bytes/);
  });
});

describe('RawFrameCutter', () => {
  it("cuts ffmpeg's raw frames apart exactly, however the pipe delivers them, and never hands on a frame cut short", () => {
    const frameBytes = 5 * 4 * 3;
    const stream = Buffer.from(Array.from({ length: frameBytes * 3 + 17 }, (_, i) => (i * 31) % 251));
    for (const cut of [1, 7, frameBytes - 1, frameBytes, frameBytes + 1, 2 * frameBytes + 3, stream.length]) {
      const got: Uint8Array[] = [];
      const cutter = new RawFrameCutter(frameBytes, (f) => got.push(f));
      feed((b) => cutter.push(b), stream, cut);
      expect(got.map((f) => Buffer.from(f).toString('hex'))).toEqual(
        [0, 1, 2].map((k) => stream.subarray(k * frameBytes, (k + 1) * frameBytes).toString('hex')),
      );
      // The 17 bytes ffmpeg left when it stopped wait for a frame that never comes.
      expect(cutter.partial).toBe(17);
    }
    // Each frame is its own memory: the pipe's chunk can be reused or freed.
    const whole = Buffer.alloc(frameBytes * 2, 7);
    const got: Uint8Array[] = [];
    new RawFrameCutter(frameBytes, (f) => got.push(f)).push(whole);
    whole.fill(0);
    expect(got.every((f) => f.every((b) => b === 7))).toBe(true);
    expect(() => new RawFrameCutter(0, () => {})).toThrow(/a raw frame of 0 bytes/);
  });
});
