/**
 * Provider fallback with the real onnxruntime-node. No GPU provider can load
 * on the build machine (no GPU, no CUDA libraries), so these tests show the
 * fallback path: the reason for each provider passed over is recorded, and
 * the session runs on the CPU.
 */
import { describe, expect, it } from 'vitest';
import { OFFLINE_SESSION } from '../../src/engine/evaluation/score-images';
import { createSession, SessionCreateError } from '../../src/engine/inference/session-factory';
import { tinyCnn } from '../fixtures/test-models';

describe('createSession', () => {
  const { bytes } = tinyCnn();

  it('falls back from GPU providers to the CPU, saying why', async () => {
    const created = await createSession(bytes, { ...OFFLINE_SESSION, providers: ['tensorrt', 'cuda', 'dml', 'coreml', 'cpu'] });
    try {
      expect(created.provider).toBe('cpu');
      expect(created.fallbacks.map((f) => f.provider)).toEqual(['tensorrt', 'cuda', 'dml', 'coreml']);
      for (const f of created.fallbacks) expect(f.reason.length).toBeGreaterThan(10);
      expect(created.fallbacks.find((f) => f.provider === 'dml')?.reason).toMatch(/not available in this build of onnxruntime-node on linux/);
    } finally {
      await created.session.release();
    }
  });

  it('says so when no provider in the list can run the model', async () => {
    await expect(createSession(bytes, { ...OFFLINE_SESSION, providers: ['cuda', 'dml'] })).rejects.toThrow(
      /no execution provider could run the model: cuda: .*; dml: not available/,
    );
  });

  it('blames the model, not the provider, when the CPU cannot load it', async () => {
    await expect(createSession(new Uint8Array([8, 7, 1, 2, 3]), { ...OFFLINE_SESSION, providers: ['cpu'] })).rejects.toThrow(SessionCreateError);
    await expect(createSession(new Uint8Array([8, 7, 1, 2, 3]), { ...OFFLINE_SESSION, providers: ['cpu'] })).rejects.toThrow(
      /ONNX Runtime cannot load the model/,
    );
  });
});
