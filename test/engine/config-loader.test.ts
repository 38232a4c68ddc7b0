import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/engine/config-loader';
import { DEMO_MODEL_DIR, DEMO_THRESHOLDS, LAYOUT, ROOT } from '../helpers/paths';
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
    mkdirSync(join(dir, 'models', 'x'), { recursive: true });
    writeFileSync(join(dir, 'models', 'x', 'manifest.json'), '{}');
    mkdirSync(join(dir, 'frames'));
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
    await expect(loadConfig(join(dir, 'nope.json'), app)).rejects.toThrow(/cannot read config file .*nope\.json: there is no "nope\.json" in .* \(ENOENT\)/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "station": ');
    await expect(loadConfig(bad, app)).rejects.toThrow(ConfigError);
    await expect(loadConfig(bad, app)).rejects.toThrow(/bad\.json is not valid JSON/);
    writeFileSync(bad, JSON.stringify({ sever: { port: 1 } }));
    await expect(loadConfig(bad, app)).rejects.toThrow(/bad\.json is invalid: .*unknown key "sever": did you mean "server"\?/);
    writeFileSync(bad, JSON.stringify({ model: { thresholds: { pit: 0.4, maybe: 0.6 } } }));
    await expect(loadConfig(bad, app)).rejects.toThrow(/model\.thresholds\.maybe: maybe threshold must not exceed pit threshold/);
    writeFileSync(bad, JSON.stringify({ source: { kind: 'replay', fps: -3 } }));
    await expect(loadConfig(bad, app)).rejects.toThrow(/source\.fps/);
  });

  /** Writes `text` (or JSON) as a config file in a fresh folder and loads it; resolves with the error's message. */
  const refusal = async (content: unknown, name = 'station.json'): Promise<string> => {
    const dir = tempDir();
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
    const err = await loadConfig(file, LAYOUT).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  };

  it('suggests the nearest known key for a typo, at every level', async () => {
    expect(await refusal({ sever: { port: 5780 } })).toMatch(/station\.json is invalid: \(top level\): unknown key "sever": did you mean "server"\?/);
    expect(await refusal({ server: { prot: 5780 } })).toMatch(/server: unknown key "prot": did you mean "port"\?/);
    expect(await refusal({ model: { thresholds: { pti: 0.8 } } })).toMatch(/model\.thresholds: unknown key "pti": did you mean "pit"\?/);
    expect(await refusal({ upload: { targets: [{ kind: 'http', id: 'c', url: 'https://c.plant/ingest', tokn: 'x' }] } })).toMatch(
      /upload\.targets\[0\]: unknown key "tokn": did you mean "token"\?/,
    );
    // Nothing near: the keys that are there.
    expect(await refusal({ server: { zzzzzz: 1 } })).toMatch(/server: unknown key "zzzzzz" \(the keys here are port, host, token, /);
  });

  it('says what is missing or wrong in words, and which kinds there are', async () => {
    const missing = await refusal({ source: { kind: 'hot-folder' } });
    expect(missing).toMatch(/source\.dir: missing: this key is needed \(text in double quotes\)/);
    expect(missing).not.toMatch(/Invalid input|received undefined/);
    const kind = await refusal({ sensors: { sources: [{ kind: 'serail' }] } });
    expect(kind).toMatch(/sensors\.sources\[0\]\.kind: the text "serail" is not one of "serial", "modbus", "csv-replay", "simulated": did you mean "serial"\?/);
    expect(kind).not.toMatch(/discriminator/);
    expect(await refusal({ server: { host: 1 } })).toMatch(/server\.host: must be text in double quotes, not the number 1/);
    expect(await refusal({ model: { loadMemoryMiB: 5 } })).toMatch(/model\.loadMemoryMiB: must be at least 256, not 5/);
    expect(await refusal({ inference: { providers: ['cdua'] } })).toMatch(/inference\.providers\[0\]: .*did you mean "cuda"\?/);
  });

  it('names model.dir when it names no model package, and the part of the path that is missing', async () => {
    expect(await refusal({ model: { dir: 'models/absent' } })).toMatch(
      /station\.json: model\.dir: no model package at .*models\/absent: there is no "models" in .* \(ENOENT\) \(a relative path is taken from the config file's folder/,
    );
    const dir = tempDir();
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'station.json'), JSON.stringify({ model: { dir: 'empty' } }));
    await expect(loadConfig(join(dir, 'station.json'), LAYOUT)).rejects.toThrow(/model\.dir: no model package at .*empty: the folder has no manifest\.json/);
    expect(await refusal({ source: { kind: 'replay', dir: 'frames' } })).toMatch(/source\.dir: no folder at .*frames: there is no "frames" in /);
  });

  it('reads a file saved with a UTF-8 byte order mark, and names UTF-16', async () => {
    const dir = tempDir();
    const file = join(dir, 'station.json');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ station: { id: 'line-3' } }))]));
    expect((await loadConfig(file, LAYOUT)).config.station.id).toBe('line-3');
    // A BOM'd file with a mistake: the message is about the mistake, with no invisible character in it.
    const typo = await refusal(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"sever": {}}')]));
    expect(typo).toMatch(/did you mean "server"/);
    expect(typo).not.toContain('\ufeff');
    expect(await refusal(Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]))).toMatch(/saved as UTF-16 \("Unicode"\): save it as UTF-8/);
  });

  it('refuses a key given twice, which JSON.parse would take silently', async () => {
    const text = '{\n  "station": { "id": "a" },\n  "model": { "thresholds": { "pit": 0.8, "maybe": 0.5, "pit": 0.9 } },\n  "station": { "id": "b" }\n}';
    const message = await refusal(text);
    expect(message).toMatch(/has a key twice: "pit" twice in model\.thresholds \(line 3, column \d+ and line 3, column \d+\)/);
    expect(message).toMatch(/"station" twice at the top level \(line 2, column 3 and line 4, column 3\)/);
    // The same key in two different objects is no duplicate.
    const dir = tempDir();
    writeFileSync(join(dir, 's.json'), JSON.stringify({ station: { id: 'x', name: 'x' }, server: { host: '127.0.0.1' } }));
    expect((await loadConfig(join(dir, 's.json'), LAYOUT)).config.station.id).toBe('x');
  });

  it('gives the line and column of a syntax error, in words', async () => {
    expect(await refusal('{\n  port: 5780\n}')).toMatch(/is not valid JSON: line 2, column 3: a word without double quotes/);
    expect(await refusal('{ "station": { "id": "a" }, }')).toMatch(/line 1, column 29: a key in double quotes expected/);
    // A Windows path written as it is: "D:\data" holds \d, which JSON does not know.
    expect(await refusal('{ "source": { "kind": "replay", "dir": "D:\\data" } }')).toMatch(
      /line 1, column 40: a backslash JSON does not know: write \\\\ for one backslash/,
    );
    expect(await refusal('// line 3\n{}')).toMatch(/comments are not allowed in JSON/);
  });

  it('says what is wrong with the path of the file itself', async () => {
    const dir = tempDir();
    const file = join(dir, 'station.json');
    writeFileSync(file, '{}');
    await expect(loadConfig(join(file, 'more.json'), LAYOUT)).rejects.toThrow(
      /cannot read config file .*station\.json\/more\.json: .*station\.json is a file, not a folder \(ENOTDIR\)/,
    );
    await expect(loadConfig(dir, LAYOUT)).rejects.toThrow(/is a folder: give the path of the JSON file/);
  });

  it('takes pit or maybe alone and fills the other from the configured model', async () => {
    const dir = tempDir();
    const file = join(dir, 'station.json');
    writeFileSync(file, JSON.stringify({ model: { thresholds: { pit: 0.8 } } }));
    expect((await loadConfig(file, LAYOUT)).config.model.thresholds).toEqual({ pit: 0.8, maybe: DEMO_THRESHOLDS.maybe });
    writeFileSync(file, JSON.stringify({ model: { thresholds: { maybe: 0.3 } } }));
    expect((await loadConfig(file, LAYOUT)).config.model.thresholds).toEqual({ pit: DEMO_THRESHOLDS.pit, maybe: 0.3 });
    // From model.dir's manifest, not the bundled one's.
    const model = join(dir, 'model');
    cpSync(DEMO_MODEL_DIR, model, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(model, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(model, 'manifest.json'), JSON.stringify({ ...manifest, thresholds: { pit: 0.9, maybe: 0.6 } }));
    writeFileSync(file, JSON.stringify({ model: { dir: 'model', thresholds: { pit: 0.95 } } }));
    expect((await loadConfig(file, LAYOUT)).config.model.thresholds).toEqual({ pit: 0.95, maybe: 0.6 });
    // One that cannot go with the model's other: both are asked for, in words.
    expect(await refusal({ model: { thresholds: { pit: 0.4 } } })).toMatch(
      new RegExp(`model\\.thresholds: pit 0\\.4 is below the model's maybe ${String(DEMO_THRESHOLDS.maybe).replace('.', '\\.')}: give both pit and maybe`),
    );
  });

  it('ships an example that loads as it is, with paths relative to it', async () => {
    const resolved = await loadConfig(join(ROOT, 'resources', 'station.example.json'), LAYOUT);
    expect(resolved.modelDir).toBe(DEMO_MODEL_DIR);
    expect(resolved.config.source).toMatchObject({ kind: 'replay', dir: LAYOUT.defaultReplayDir });
    expect(resolved.config.auth.technicians).toEqual([expect.objectContaining({ name: 'Ana Ruiz' })]);
  });
});
