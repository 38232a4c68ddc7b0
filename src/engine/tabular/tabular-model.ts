/**
 * A tabular classifier (the sensor path: feature vectors in, class
 * probabilities out), run in its own worker like every model. Trees exported
 * by skl2onnx or onnxmltools with a ZipMap output are repaired on load, so
 * the per-class probabilities come back as numbers, not only labels.
 */
import { InferenceClient } from '../inference/inference-client';
import type { SessionSettings } from '../inference/session-settings';
import type { WorkerEntry } from '../rpc/worker-entry';
import type { TabularModelPackage } from '../model-package';
import { probabilitiesFromOutput } from '../scores';

export class TabularInputError extends Error {
  override readonly name = 'TabularInputError';
}

export class TabularModel {
  private constructor(
    readonly pkg: TabularModelPackage,
    readonly client: InferenceClient,
    private readonly capacity: number,
  ) {}

  static async load(pkg: TabularModelPackage, opts: { settings: SessionSettings; entry: WorkerEntry; capacity?: number }): Promise<TabularModel> {
    const capacity = pkg.manifest.input.batch === 'dynamic' ? (opts.capacity ?? 256) : 1;
    const client = await InferenceClient.start({
      modelBytes: pkg.bytes,
      modelFile: pkg.modelPath,
      manifest: pkg.manifest,
      labels: pkg.labels,
      itemDims: [1, pkg.manifest.features.length],
      settings: opts.settings,
      entry: opts.entry,
      capacity,
    });
    return new TabularModel(pkg, client, capacity);
  }

  get features(): readonly string[] {
    return this.pkg.manifest.features;
  }

  /** Per-class probabilities of each row, in the order of the manifest's labels. */
  async predict(rows: readonly (readonly number[])[]): Promise<Float64Array[]> {
    const width = this.features.length;
    const out: Float64Array[] = [];
    for (let start = 0; start < rows.length; start += this.capacity) {
      const chunk = rows.slice(start, start + this.capacity);
      const input = this.client.acquireInput();
      chunk.forEach((row, i) => {
        if (row.length !== width) {
          this.client.releaseInput(input);
          throw new TabularInputError(`row ${start + i} has ${row.length} values; ${this.pkg.manifest.name} takes ${width} (${this.features.join(', ')})`);
        }
        input.set(row, i * width);
      });
      const result = await this.client.run(input, [chunk.length, width]);
      const classes = this.pkg.labels.length;
      const probs = probabilitiesFromOutput(result.output, chunk.length, classes, this.pkg.manifest.output.scores);
      for (let i = 0; i < chunk.length; i++) out.push(probs.slice(i * classes, (i + 1) * classes));
    }
    return out;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
