/**
 * Benchmark models with the shapes of the studies' networks (docs/BACKGROUND.md:
 * ResNet-18, ResNet-50, MobileNet) and seeded random weights: the same
 * layers, sizes and arithmetic as the real ones at 224×224, generated in code
 * so that nothing is downloaded. Batch normalisation is folded into the
 * convolutions, as an exporter's optimiser would. Two output classes, so the
 * whole line path (decision included) runs on them.
 */
import seedrandom from 'seedrandom';
import type { ModelManifest } from '../../shared/manifest';
import { ModelManifestSchema } from '../../shared/manifest';
import { sha256Hex, type ImageModelPackage } from '../model-package';
import { GraphBuilder } from '../onnx/graph-builder';

export const SHAPED_MODELS = ['resnet18-shaped', 'resnet50-shaped', 'mobilenet-shaped'] as const;
export type ShapedModelName = (typeof SHAPED_MODELS)[number];

class Net {
  readonly g = new GraphBuilder();
  private readonly rng: () => number;
  private n = 0;

  constructor(seed: string) {
    this.rng = seedrandom(seed);
  }

  /** He-style uniform weights, scaled down so activations stay finite through a deep net without normalisation. */
  private weights(count: number, fanIn: number, gain: number): Float32Array {
    const bound = gain * Math.sqrt(6 / fanIn);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (this.rng() * 2 - 1) * bound;
    return out;
  }

  conv(x: string, cin: number, cout: number, k: number, stride = 1, group = 1, gain = 0.5): string {
    const id = this.n++;
    const w = this.g.floats(`conv${id}.w`, [cout, cin / group, k, k], this.weights((cout * cin * k * k) / group, (cin / group) * k * k, gain));
    const b = this.g.floats(`conv${id}.b`, [cout], new Float32Array(cout));
    const pad = Math.floor(k / 2);
    return this.g.node('Conv', [x, w, b], { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], group });
  }

  relu(x: string): string {
    return this.g.node('Relu', [x]);
  }

  add(a: string, b: string): string {
    return this.g.node('Add', [a, b]);
  }

  head(x: string, channels: number): string {
    let y = this.g.node('GlobalAveragePool', [x]);
    y = this.g.node('Flatten', [y], { axis: 1 });
    const w = this.g.floats('fc.w', [2, channels], this.weights(2 * channels, channels, 1));
    y = this.g.node('Gemm', [y, w, this.g.floats('fc.b', [2], [0, 0])], { transB: 1 });
    return this.g.node('Softmax', [y], { axis: 1 }, ['probabilities']);
  }

  build(name: string): Uint8Array {
    return this.g.build({
      name,
      inputs: [{ name: 'image', dims: ['N', 3, 224, 224] }],
      outputs: [{ name: 'probabilities', dims: ['N', 2] }],
      opset: 17,
      docString: `${name}: seeded random weights, for benchmarks only`,
    });
  }
}

function stem(net: Net): string {
  let x = net.relu(net.conv('image', 3, 64, 7, 2));
  x = net.g.node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  return x;
}

function resnet18(): Uint8Array {
  const net = new Net('resnet18-shaped');
  let x = stem(net);
  let cin = 64;
  for (const [cout, stride] of [
    [64, 1],
    [128, 2],
    [256, 2],
    [512, 2],
  ] as const) {
    for (let block = 0; block < 2; block++) {
      const s = block === 0 ? stride : 1;
      const shortcut = s !== 1 || cin !== cout ? net.conv(x, cin, cout, 1, s) : x;
      let y = net.relu(net.conv(x, cin, cout, 3, s));
      y = net.conv(y, cout, cout, 3, 1, 1, 0.25);
      x = net.relu(net.add(y, shortcut));
      cin = cout;
    }
  }
  net.head(x, 512);
  return net.build('resnet18-shaped');
}

function resnet50(): Uint8Array {
  const net = new Net('resnet50-shaped');
  let x = stem(net);
  let cin = 64;
  for (const [mid, blocks, stride] of [
    [64, 3, 1],
    [128, 4, 2],
    [256, 6, 2],
    [512, 3, 2],
  ] as const) {
    const cout = mid * 4;
    for (let block = 0; block < blocks; block++) {
      const s = block === 0 ? stride : 1;
      const shortcut = s !== 1 || cin !== cout ? net.conv(x, cin, cout, 1, s) : x;
      let y = net.relu(net.conv(x, cin, mid, 1));
      y = net.relu(net.conv(y, mid, mid, 3, s));
      y = net.conv(y, mid, cout, 1, 1, 1, 0.25);
      x = net.relu(net.add(y, shortcut));
      cin = cout;
    }
  }
  net.head(x, 2048);
  return net.build('resnet50-shaped');
}

/** MobileNetV2: inverted residual blocks (expand 1×1, depthwise 3×3, project 1×1). */
function mobilenet(): Uint8Array {
  const net = new Net('mobilenet-shaped');
  let x = net.relu(net.conv('image', 3, 32, 3, 2, 1, 1));
  let cin = 32;
  for (const [t, c, n, s] of [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const hidden = cin * t;
      let y = t === 1 ? x : net.relu(net.conv(x, cin, hidden, 1, 1, 1, 1));
      y = net.relu(net.conv(y, hidden, hidden, 3, stride, hidden, 1));
      y = net.conv(y, hidden, c, 1, 1, 1, 0.7);
      x = stride === 1 && cin === c ? net.add(y, x) : y;
      cin = c;
    }
  }
  x = net.relu(net.conv(x, cin, 1280, 1, 1, 1, 1));
  net.head(x, 1280);
  return net.build('mobilenet-shaped');
}

const BUILDERS: Record<ShapedModelName, () => Uint8Array> = {
  'resnet18-shaped': resnet18,
  'resnet50-shaped': resnet50,
  'mobilenet-shaped': mobilenet,
};

/** The generated model as an in-memory package, with the ImageNet preprocessing the real ones use. */
export function shapedModelPackage(name: ShapedModelName): ImageModelPackage {
  const bytes = BUILDERS[name]();
  const manifest = ModelManifestSchema.parse({
    schemaVersion: 1,
    name,
    version: 'bench',
    description: 'Generated for benchmarks (seeded random weights); its scores mean nothing.',
    task: 'image-classification',
    labels: ['cherry_clean', 'cherry_pit'],
    rejectLabel: 'cherry_pit',
    input: { name: 'image', layout: 'NCHW', dtype: 'float32', batch: 'dynamic' },
    output: { name: 'probabilities', scores: 'probabilities' },
    preprocessing: {
      width: 224,
      height: 224,
      resize: 'stretch',
      interpolation: 'linear',
      channelOrder: 'RGB',
      scale: 1 / 255,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    sha256: sha256Hex(bytes),
  }) as Extract<ModelManifest, { task: 'image-classification' }>;
  return {
    dir: '(generated)',
    manifestPath: `(generated ${name})`,
    modelPath: `(generated ${name})`,
    manifest,
    labels: manifest.labels!,
    bytes,
    rejectIndex: 1,
  };
}
