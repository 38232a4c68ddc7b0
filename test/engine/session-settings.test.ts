import { describe, expect, it } from 'vitest';
import { InferenceConfigSchema } from '../../src/shared/config';
import { autoIntraOpThreads, defaultProviders, resolveSessionSettings } from '../../src/engine/inference/session-settings';

describe('session settings', () => {
  it('leave a core for decoding and the UI: 1 thread on a 2-core station PC', () => {
    expect(autoIntraOpThreads(1)).toBe(1);
    expect(autoIntraOpThreads(2)).toBe(1);
    expect(autoIntraOpThreads(4)).toBe(3);
    expect(autoIntraOpThreads(32)).toBe(8);
  });

  it('prefer the platform GPU providers, CPU last', () => {
    expect(defaultProviders('linux')).toEqual(['tensorrt', 'cuda', 'cpu']);
    expect(defaultProviders('win32')).toEqual(['dml', 'cpu']);
    expect(defaultProviders('darwin')).toEqual(['coreml', 'cpu']);
    expect(defaultProviders('freebsd')).toEqual(['cpu']);
  });

  it('take what the config sets over the defaults', () => {
    const config = InferenceConfigSchema.parse({ providers: ['cpu'], intraOpThreads: 3, spinning: true, graphOptimization: 'basic' });
    expect(resolveSessionSettings(config, { platform: 'linux', cores: 2 })).toMatchObject({
      providers: ['cpu'],
      intraOpThreads: 3,
      spinning: true,
      graphOptimization: 'basic',
    });
    const auto = resolveSessionSettings(InferenceConfigSchema.parse({}), { platform: 'linux', cores: 2 });
    expect(auto).toMatchObject({ providers: ['tensorrt', 'cuda', 'cpu'], intraOpThreads: 1, interOpThreads: 1, spinning: false, warmupRuns: 3 });
  });
});
