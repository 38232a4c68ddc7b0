/**
 * The float graph made ready for quantisation (issue 18), before any range
 * is measured: BatchNormalization folded into the convolution before it (so
 * the weights quantised are the ones that run), and the opset raised to 13,
 * the first with per-channel QuantizeLinear / DequantizeLinear — only where
 * every operator means the same at 13 as at the model's own opset, else the
 * model is refused with the operator named (an exporter can write opset 13).
 * A float16 model (its float32 edges made by model-prep) is widened to
 * float32 first: INT8 is quantised from float32 values, and the same weights
 * widened are exactly the float16 ones.
 */
import { Float16Array } from '@petamoriken/float16';
import { onnx, type OnnxTypes } from '../onnx/onnx-proto';
import { dimsOf, floatsOf, floatTensor, QuantizeError } from './tensor-data';

const T = onnx.TensorProto.DataType;

export const QDQ_OPSET = 13;

/**
 * Operators whose meaning does not change from opset 7 to 13 for the inputs a vision model gives them (Softmax: on
 * a [N, classes] input, which every operator here keeps 2-D after Flatten or Gemm).
 */
const SAME_UP_TO_13 = new Set([
  'Conv',
  'Relu',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'Concat',
  'Flatten',
  'Gemm',
  'MatMul',
  'Add',
  'Mul',
  'Sigmoid',
  'Softmax',
  'Cast',
  'Identity',
  'BatchNormalization',
]);

export interface PreparedGraph {
  readonly foldedBatchNorms: number;
  readonly opsetFrom: number;
  /** Float16 initialisers widened to float32. */
  readonly widenedFloat16: number;
}

/** Float16 weights as float32, casts to float16 made identities, float16 types float32: one float32 graph. */
function widenFloat16(graph: OnnxTypes.IGraphProto): number {
  let widened = 0;
  graph.initializer = (graph.initializer ?? []).map((t) => {
    if (t.dataType !== T.FLOAT16) return t;
    widened++;
    const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
    // Without raw bytes, float16 values sit in int32_data, one 16-bit pattern each.
    const halves = raw
      ? new Float16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))
      : new Float16Array(Uint16Array.from(t.int32Data ?? []).buffer);
    return floatTensor(t.name!, dimsOf(t), Float32Array.from(halves));
  });
  for (const n of graph.node ?? []) {
    const to = n.attribute?.find((a) => a.name === 'to');
    if (n.opType === 'Cast' && to && Number(to.i) === T.FLOAT16) {
      n.opType = 'Identity';
      n.attribute = [];
    }
  }
  for (const v of [...(graph.valueInfo ?? []), ...(graph.input ?? []), ...(graph.output ?? [])])
    if (v.type?.tensorType?.elemType === T.FLOAT16) v.type.tensorType.elemType = T.FLOAT;
  return widened;
}

function initializers(graph: OnnxTypes.IGraphProto): Map<string, OnnxTypes.ITensorProto> {
  return new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
}

function consumersOf(graph: OnnxTypes.IGraphProto, tensor: string): OnnxTypes.INodeProto[] {
  return (graph.node ?? []).filter((n) => n.input?.includes(tensor));
}

function attrFloat(node: OnnxTypes.INodeProto, name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name);
  return a?.f ?? fallback;
}

/** Folds each BatchNormalization that is a convolution's only consumer into that convolution. */
function foldBatchNorms(graph: OnnxTypes.IGraphProto): number {
  const inits = initializers(graph);
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  let folded = 0;
  for (const bn of [...(graph.node ?? [])]) {
    if (bn.opType !== 'BatchNormalization') continue;
    const x = bn.input![0]!;
    const conv = (graph.node ?? []).find((n) => n.opType === 'Conv' && n.output?.[0] === x);
    if (!conv || consumersOf(graph, x).length !== 1 || outputs.has(x)) continue;
    const [gamma, beta, mean, variance] = bn.input!.slice(1).map((n) => inits.get(n));
    const w = inits.get(conv.input![1]!);
    if (!gamma || !beta || !mean || !variance || !w) continue;
    const eps = attrFloat(bn, 'epsilon', 1e-5);
    const [g, b, m, v] = [gamma, beta, mean, variance].map(floatsOf) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const wv = floatsOf(w);
    const cout = g.length;
    const per = wv.length / cout;
    const bias = conv.input![2] ? floatsOf(inits.get(conv.input![2])!) : new Float32Array(cout);
    const newBias = new Float32Array(cout);
    for (let c = 0; c < cout; c++) {
      const k = g[c]! / Math.sqrt(v[c]! + eps);
      for (let i = 0; i < per; i++) wv[c * per + i] = wv[c * per + i]! * k;
      newBias[c] = (bias[c]! - m[c]!) * k + b[c]!;
    }
    const wName = `${conv.input![1]}_bnfolded`;
    const bName = `${conv.name || conv.output![0]}_bnfolded_bias`;
    graph.initializer!.push(floatTensor(wName, dimsOf(w), wv), floatTensor(bName, [cout], newBias));
    conv.input = [conv.input![0]!, wName, bName];
    conv.output = [...bn.output!.slice(0, 1)];
    graph.node = graph.node!.filter((n) => n !== bn);
    folded++;
  }
  return folded;
}

export function prepareGraph(model: OnnxTypes.ModelProto): PreparedGraph {
  const graph = model.graph!;
  const main = (model.opsetImport ?? []).find((o) => !o.domain);
  const opsetFrom = Number(main?.version ?? 0);
  if (opsetFrom < QDQ_OPSET) {
    const odd = [...new Set((graph.node ?? []).filter((n) => (n.domain ?? '') === '' && !SAME_UP_TO_13.has(n.opType!)).map((n) => n.opType!))];
    if (odd.length > 0)
      throw new QuantizeError(
        `the model is opset ${opsetFrom} and uses ${odd.join(', ')}, whose meaning changes by opset ${QDQ_OPSET} (the first with per-channel quantisation): export it at opset ${QDQ_OPSET} or later`,
      );
    for (const n of graph.node ?? []) {
      // Softmax's axis was 1 by default before 13 (-1 since): said outright, it means the same at 13 on [N, classes].
      if (n.opType === 'Softmax' && !n.attribute?.some((a) => a.name === 'axis')) n.attribute = [...(n.attribute ?? []), { name: 'axis', type: 2, i: 1 }];
    }
    main!.version = QDQ_OPSET;
  }
  const widenedFloat16 = widenFloat16(graph);
  const foldedBatchNorms = foldBatchNorms(graph);
  // Initialisers listed as graph inputs (old exporters) cannot be replaced by quantised ones while they are inputs.
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  graph.input = (graph.input ?? []).filter((i) => !inits.has(i.name));
  if (model.irVersion != null && Number(model.irVersion) < 7) model.irVersion = 7;
  return { foldedBatchNorms, opsetFrom, widenedFloat16 };
}
