import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, WireError } from '../../src/shared/wire';

describe('wire encoding', () => {
  it('sends messages without bytes as JSON text', () => {
    const message = { kind: 'reply', id: 3, result: { ok: true, value: { a: [1, 'x', null] } } };
    const encoded = encodeMessage(message);
    expect(typeof encoded).toBe('string');
    expect(decodeMessage(encoded)).toEqual(message);
  });

  it('keeps images binary: bytes travel as attachments, not base64', () => {
    const jpeg = Uint8Array.from({ length: 3000 }, (_, i) => i % 251);
    const message = { kind: 'reply', id: 1, result: { ok: true, value: { frameId: 9, jpeg, more: [new Uint8Array([1, 2])] } } };
    const encoded = encodeMessage(message);
    expect(encoded).toBeInstanceOf(Uint8Array);
    // header + two attachments: well under what base64 (4/3) would need
    expect((encoded as Uint8Array).length).toBeLessThan(3000 * 1.05 + 200);
    const decoded = decodeMessage(encoded) as typeof message;
    expect(decoded.result.value.jpeg).toEqual(jpeg);
    expect(decoded.result.value.more[0]).toEqual(new Uint8Array([1, 2]));
    expect(decoded.result.value.frameId).toBe(9);
  });

  it('rejects malformed messages with a WireError, never a crash', () => {
    expect(() => decodeMessage('{not json')).toThrow(WireError);
    expect(() => decodeMessage(new Uint8Array([0, 0]))).toThrow(/shorter than its header/);
    expect(() => decodeMessage(new Uint8Array([0, 0, 0, 200, 1, 2]))).toThrow(/overruns/);
    const good = encodeMessage({ b: new Uint8Array(10) }) as Uint8Array;
    expect(() => decodeMessage(good.subarray(0, good.length - 3))).toThrow(/overruns/);
    const header = new TextEncoder().encode('{"b":{"$bin":4}}');
    const orphan = new Uint8Array(4 + header.length);
    new DataView(orphan.buffer).setUint32(0, header.length);
    orphan.set(header, 4);
    expect(() => decodeMessage(orphan)).toThrow(/no attachment/);
  });
});
