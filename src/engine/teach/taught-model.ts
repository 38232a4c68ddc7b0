/**
 * The ONNX models teaching makes from a frozen backbone (issue 15), with the
 * project's ONNX tools (onnx-proto), nothing trained in them:
 *
 * - the feature model: the backbone cut at a named inner tensor (the rest of
 *   its graph dropped), then averaged over space and flattened: [N, channels]
 *   float32 — what teaching fits the head on;
 * - the taught model: the same, then the head (softmax-head.ts) as one Gemm
 *   and a Softmax: [N, classes] probabilities — what the line runs.
 *
 * Both share the cut, so the head is fitted on exactly the features the line
 * computes. A float16 backbone takes its picture as float32 and its features
 * are cast to float32 before the pooling, so the head stays in full precision
 * and the models need no float16 from JavaScript.
 */
import { onnx, type OnnxTypes } from '../onnx/onnx-proto';
import { parseOnnx } from '../onnx/onnx-inspect';
import { encodeOnnx, wrapFloat16Edges } from '../onnx/onnx-rewrite';
import type { Pooling } from '../../shared/teach';
import type { SoftmaxHead } from './softmax-head';

export const FEATURES_OUTPUT = 'features';
export const PROBABILITIES_OUTPUT = 'probabilities';

const A = onnx.AttributeProto.AttributeType;
const T = onnx.TensorProto.DataType;

export class BackboneCutError extends Error {
  override readonly name = 'BackboneCutError';
}

const intAttr = (name: string, i: number): OnnxTypes.IAttributeProto => ({ name, type: A.INT, i });

function node(opType: string, input: string[], output: string, attribute: OnnxTypes.IAttributeProto[] = []): OnnxTypes.NodeProto {
  return onnx.NodeProto.create({ opType, domain: '', name: `taught/${output}`, input, output: [output], attribute });
}

function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTypes.TensorProto {
  // rawData is little-endian whatever the machine.
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return onnx.TensorProto.create({ name, dims, dataType: T.FLOAT, rawData: bytes });
}

// How the feature map is pooled over space (shared/teach.ts): its average, or its average and its maximum
// side by side (2 × channels: a small defect raises a maximum long before it moves an average;
// ../shared/data/README.md measured 98–99 % on held-back castings with both).
export type { Pooling };

/** The backbone's graph up to `featureTensor` only, pooled and flattened to `pooled` (float32 [N, channels]). */
function cutAndPool(backbone: Uint8Array, featureTensor: string, pooling: Pooling): { model: OnnxTypes.ModelProto; pooled: string } {
  const model = parseOnnx(backbone);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  if (!nodes.some((n) => n.output?.includes(featureTensor))) {
    const names = nodes.flatMap((n) => n.output ?? []).slice(-8);
    throw new BackboneCutError(`the backbone has no tensor "${featureTensor}" (its last ones: ${names.join(', ')})`);
  }
  // Walk back from the feature tensor: the nodes it needs, and the tensors they read.
  const needed = new Set([featureTensor]);
  const kept: OnnxTypes.INodeProto[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!(n.output ?? []).some((o) => needed.has(o))) continue;
    kept.unshift(n);
    for (const input of n.input ?? []) if (input) needed.add(input);
  }
  graph.node = kept as OnnxTypes.NodeProto[];
  graph.initializer = (graph.initializer ?? []).filter((t) => needed.has(t.name ?? ''));
  graph.input = (graph.input ?? []).filter((v) => needed.has(v.name ?? ''));
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => needed.has(v.name ?? ''));
  const initialisers = new Set(graph.initializer.map((t) => t.name));
  const data = graph.input.find((v) => !initialisers.has(v.name));
  const float16 = data?.type?.tensorType?.elemType === T.FLOAT16;
  let x = featureTensor;
  if (float16) {
    // The picture goes in as float32, as the line prepares it (prepare-model.ts does the same for any float16 model).
    wrapFloat16Edges(model, { inputs: [data!.name!], outputs: [] });
    graph.node.push(node('Cast', [x], 'taught/features_f32', [intAttr('to', T.FLOAT)]));
    x = 'taught/features_f32';
  }
  graph.node.push(node('GlobalAveragePool', [x], 'taught/avg'));
  graph.node.push(node('Flatten', ['taught/avg'], 'taught/avg_flat', [intAttr('axis', 1)]));
  if (pooling === 'average') return { model, pooled: 'taught/avg_flat' };
  graph.node.push(node('GlobalMaxPool', [x], 'taught/max'));
  graph.node.push(node('Flatten', ['taught/max'], 'taught/max_flat', [intAttr('axis', 1)]));
  graph.node.push(node('Concat', ['taught/avg_flat', 'taught/max_flat'], 'taught/pooled', [intAttr('axis', 1)]));
  return { model, pooled: 'taught/pooled' };
}

function setOutput(graph: OnnxTypes.IGraphProto, from: string, name: string, width: number | null): void {
  graph.node!.push(node('Identity', [from], name));
  graph.output = [
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'N' }, width === null ? { dimParam: 'channels' } : { dimValue: width }] } } },
    }),
  ];
}

/** The backbone cut at `featureTensor`, pooled over space: output `features`, float32 [N, channels] (2 × channels with max). */
export function featureModel(backbone: Uint8Array, featureTensor: string, pooling: Pooling = 'average'): Uint8Array {
  const { model, pooled } = cutAndPool(backbone, featureTensor, pooling);
  setOutput(model.graph!, pooled, FEATURES_OUTPUT, null);
  return encodeOnnx(model);
}

/** The backbone cut at `featureTensor`, pooled, then the head and a Softmax: output `probabilities`, [N, classes]. */
export function taughtModel(backbone: Uint8Array, featureTensor: string, head: SoftmaxHead, pooling: Pooling = 'average'): Uint8Array {
  const { model, pooled } = cutAndPool(backbone, featureTensor, pooling);
  const graph = model.graph!;
  graph.initializer!.push(floatTensor('taught/head_w', [head.classes, head.features], head.weights));
  graph.initializer!.push(floatTensor('taught/head_b', [head.classes], head.bias));
  graph.node!.push(node('Gemm', [pooled, 'taught/head_w', 'taught/head_b'], 'taught/logits', [intAttr('transB', 1)]));
  graph.node!.push(node('Softmax', ['taught/logits'], 'taught/softmax', [intAttr('axis', 1)]));
  setOutput(graph, 'taught/softmax', PROBABILITIES_OUTPUT, head.classes);
  return encodeOnnx(model);
}
