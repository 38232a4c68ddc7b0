import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/main/engine/config-loader';
import { useTempDirs } from '../helpers/temp-dir';

const app = {
  defaultModelDir: '/app/models/demo-cherry',
  defaultReplayDir: '/app/resources/demo/frames',
  defaultSensorModelDir: '/app/models/demo-sensor',
  defaultSensorRecording: '/app/resources/demo/sensors.csv',
  bundledModelsDir: '/app/models',
};

describe('loadConfig', () => {
  const tempDir = useTempDirs();

  it('runs on the embedded demo default without a file', async () => {
    const resolved = await loadConfig(undefined, app);
    expect(resolved.file).toBeNull();
    expect(resolved.modelDir).toBe(app.defaultModelDir);
    expect(resolved.config.source).toMatchObject({ kind: 'replay', dir: app.defaultReplayDir, fps: 10, loop: true, stallMs: 2000 });
    expect(resolved.config.server.port).toBe(5780);
    expect(resolved.config.pipeline).toEqual({ queueLimit: 4, dropPolicy: 'drop-oldest', decodeConcurrency: 1 });
    expect(resolved.config.inference.intraOpThreads).toBe('auto');
    expect(resolved.config.inference.mode).toBe('latency');
  });

  it('resolves relative paths against the config file and keeps what it sets', async () => {
    const dir = tempDir();
    const file = join(dir, 'station.json');
    writeFileSync(
      file,
      JSON.stringify({
        station: { id: 'line-3' },
        model: { dir: 'models/x', thresholds: { pit: 0.8, maybe: 0.4 } },
        source: { kind: 'replay', dir: 'frames', fps: 25 },
      }),
    );
    const resolved = await loadConfig(file, app);
    expect(resolved.modelDir).toBe(join(dir, 'models', 'x'));
    expect(resolved.config.source).toMatchObject({ kind: 'replay', dir: join(dir, 'frames'), fps: 25 });
    expect(resolved.config.station.id).toBe('line-3');
    expect(resolved.config.model.thresholds).toEqual({ pit: 0.8, maybe: 0.4 });
  });

  it('takes a replay list of files instead of a folder', async () => {
    const dir = tempDir();
    const file = join(dir, 'station.json');
    writeFileSync(file, JSON.stringify({ source: { kind: 'replay', files: ['shift/a.jpg', '/abs/b.jpg'] } }));
    expect((await loadConfig(file, app)).config.source).toMatchObject({ kind: 'replay', files: [join(dir, 'shift', 'a.jpg'), '/abs/b.jpg'] });
  });

  it('names the file and the problem: missing, not JSON, a typo, a bad value', async () => {
    const dir = tempDir();
    await expect(loadConfig(join(dir, 'nope.json'), app)).rejects.toThrow(/cannot read config file .*nope\.json: ENOENT/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "station": ');
    await expect(loadConfig(bad, app)).rejects.toThrow(ConfigError);
    await expect(loadConfig(bad, app)).rejects.toThrow(/bad\.json is not valid JSON/);
    writeFileSync(bad, JSON.stringify({ sever: { port: 1 } }));
    await expect(loadConfig(bad, app)).rejects.toThrow(/bad\.json is invalid: .*sever/);
    writeFileSync(bad, JSON.stringify({ model: { thresholds: { pit: 0.4, maybe: 0.6 } } }));
    await expect(loadConfig(bad, app)).rejects.toThrow(/model\.thresholds\.maybe: maybe threshold must not exceed pit threshold/);
    writeFileSync(bad, JSON.stringify({ source: { kind: 'replay', fps: -3 } }));
    await expect(loadConfig(bad, app)).rejects.toThrow(/source\.fps/);
  });
});
