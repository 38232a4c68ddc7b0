/**
 * A model package's files are sized before they are read (model-package.ts):
 * a model file over model.maxFileBytes, a manifest or labels file over 1 MiB,
 * or something that is not a regular file is refused from its stat, so a
 * multi-GB file on a USB stick never reaches memory; the model file is read
 * and hashed in pieces, so a large one never holds the event loop for long.
 * Large files here are sparse: they take no disk. No wall-clock times are
 * asserted (docs/BACKGROUND.md): "never read" is this process's peak memory, "in
 * pieces" is the event loop turning while the file is read.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, openSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelPackage, MAX_TEXT_FILE_BYTES, ModelPackageError } from '../../../src/engine/model-package';
import { findImportCandidates } from '../../../src/engine/models/import-candidates';
import { tinyCnn, writePackage } from '../../fixtures/test-models';
import { useTempDirs } from '../../helpers/temp-dir';

const GIB = 1024 ** 3;
const tempDir = useTempDirs();

/** Runs `load`, which must be refused; returns the message and how much this process's memory grew at its peak meanwhile. */
async function refused(load: () => Promise<unknown>): Promise<{ message: string; grewMiB: number }> {
  const rss = process.memoryUsage.rss();
  let peak = rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
  try {
    await load();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelPackageError);
    peak = Math.max(peak, process.memoryUsage.rss());
    return { message: (err as Error).message, grewMiB: (peak - rss) / 1024 / 1024 };
  } finally {
    clearInterval(sampler);
  }
  throw new Error('it was read');
}

describe('model package file limits', () => {
  it('refuses a model file over model.maxFileBytes from its size, before reading it: a 3 GiB file, this process unchanged', async () => {
    const dir = writePackage(tempDir(), tinyCnn());
    const model = join(dir, 'model.onnx');
    truncateSync(model, 3 * GIB);
    const { message, grewMiB } = await refused(() => loadModelPackage(dir));
    expect(message).toBe(`model file ${model} is 3072.0 MiB (3221225472 bytes), more than model.maxFileBytes (1073741824 bytes): refused before reading it`);
    // Reading it would have put 3 GiB into this process.
    expect(grewMiB).toBeLessThan(64);
    // The cap is the setting's: a small one refuses the tiny CNN itself.
    const small = writePackage(tempDir(), tinyCnn());
    await expect(loadModelPackage(small, { maxFileBytes: 100 })).rejects.toThrow(/model\.onnx is 0\.0 MiB \(\d+ bytes\), more than model\.maxFileBytes \(100 bytes\): refused before reading it/);
    expect((await loadModelPackage(small, { maxFileBytes: 1024 * 1024 })).manifest.name).toBe('tiny-cnn');
  });

  it('refuses a manifest or a labels file over 1 MiB before reading it', async () => {
    const dir = writePackage(tempDir(), tinyCnn());
    const manifest = join(dir, 'manifest.json');
    truncateSync(manifest, 2 * GIB);
    const { message, grewMiB } = await refused(() => loadModelPackage(dir));
    expect(message).toBe(`model manifest ${manifest} is 2048.0 MiB (2147483648 bytes), more than the 1048576 bytes (1 MiB) a model manifest may have: refused before reading it`);
    expect(grewMiB).toBeLessThan(64);

    const withLabels = writePackage(tempDir(), tinyCnn(), { labels: undefined, labelsFile: 'labels.txt' });
    const labels = join(withLabels, 'labels.txt');
    writeFileSync(labels, 'cherry_clean\ncherry_pit\n'.padEnd(MAX_TEXT_FILE_BYTES + 1, '\n'));
    await expect(loadModelPackage(withLabels)).rejects.toThrow(
      `labels file ${labels} is 1.0 MiB (1048577 bytes), more than the 1048576 bytes (1 MiB) a labels file may have: refused before reading it`,
    );
    writeFileSync(labels, 'cherry_clean\ncherry_pit\n');
    expect((await loadModelPackage(withLabels)).labels).toEqual(['cherry_clean', 'cherry_pit']);
  });

  it.skipIf(process.platform === 'win32')('refuses a model file that is not a regular file (a FIFO) from its stat, instead of waiting on it', async () => {
    const dir = writePackage(tempDir(), tinyCnn(), { modelFile: 'pipe.onnx' });
    const fifo = join(dir, 'pipe.onnx');
    execFileSync('mkfifo', [fifo]);
    // Nobody ever writes to it: a reader waiting on it would wait for good (the test's own timeout).
    const { message } = await refused(() => loadModelPackage(dir));
    expect(message).toBe(`model file ${fifo} is not a regular file: refused before reading it`);
    // And no reader is left holding it open: a writer that does not wait finds none (ENXIO).
    expect(() => openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)).toThrow(expect.objectContaining({ code: 'ENXIO' }));
  });

  it('reads and hashes a 256 MiB model file in pieces: the event loop turns while it is read, and the hash is the whole file', async () => {
    const size = 256 * 1024 * 1024;
    const zeros = new Uint8Array(1024 * 1024);
    const hash = createHash('sha256');
    for (let i = 0; i < size / zeros.length; i++) hash.update(zeros);
    const dir = writePackage(tempDir(), tinyCnn(), { sha256: hash.digest('hex') });
    // All zeros: emptied, then made long.
    truncateSync(join(dir, 'model.onnx'), 0);
    truncateSync(join(dir, 'model.onnx'), size);
    // Counts the turns of the event loop while it is read: a read (or a hash) in one go is one turn.
    let turns = 0;
    let counting = true;
    const turn = (): void => {
      turns++;
      if (counting) setImmediate(turn);
    };
    setImmediate(turn);
    const pkg = await loadModelPackage(dir);
    counting = false;
    expect(pkg.bytes.length).toBe(size);
    // Read in 1 MiB pieces, each awaited: the loop turns between them (256 pieces; a margin for pieces read together).
    expect(turns).toBeGreaterThanOrEqual(64);
  });

  it('lists a huge manifest.json among the import candidates as unreadable, without reading it', async () => {
    const root = tempDir();
    writePackage(join(root, 'fine'), tinyCnn({ name: 'fine' }));
    const huge = writePackage(join(root, 'huge'), tinyCnn({ name: 'huge' }));
    truncateSync(join(huge, 'manifest.json'), 4 * GIB);
    const found = await findImportCandidates([root], () => null);
    expect(found.candidates.map((c) => c.name)).toEqual(['fine']);
    expect(found.unreadable).toEqual([{ path: join(huge, 'manifest.json'), problem: expect.stringMatching(/is 4096\.0 MiB .* a model manifest may have: refused before reading it/) }]);
  });
});
