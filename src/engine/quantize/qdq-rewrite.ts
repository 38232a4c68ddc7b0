/**
 * The float graph written again in QDQ form (issue 18), the form ONNX
 * Runtime's x86 guidance asks for: every activation a quantisable operator
 * reads or writes passes through QuantizeLinear → DequantizeLinear (uint8,
 * asymmetric, its range measured on calibration frames: activation-ranges.ts);
 * convolution and Gemm weights are stored as int8, symmetric, one scale per
 * output channel, their bias as int32 at input scale × weight scale; a ReLU
 * right after a convolution is folded into it (its output quantised with the
 * ReLU's range, zero point 0, clips the same). At session creation ONNX
 * Runtime fuses DQ → Conv → Q into QLinearConv, and the like for the others.
 * Pure: a decoded model in, the same model changed; nothing is run here.
 */
import type { OnnxTypes } from '../onnx/onnx-proto';
import { dimsOf, floatsOf, floatTensor, int32Tensor, int8Tensor, QuantizeError, uint8Tensor } from './tensor-data';

export interface TensorRange {
  readonly min: number;
  readonly max: number;
}

/** Read weights from an initialiser, activations through Q/DQ. */
const WEIGHTED = new Set(['Conv', 'Gemm']);
/** Every float input and the output quantised, each with its own scale. */
const ACTIVATION_OPS = new Set(['Relu', 'Add', 'Concat', 'GlobalAveragePool', 'AveragePool']);
/** The output keeps the input's scale and zero point: they only move or pick values (ONNX Runtime then runs them on uint8). */
const SHARED_PARAMS = new Set(['MaxPool', 'GlobalMaxPool', 'Flatten']);

export interface QdqOptions {
  /** Node names (or their first output's names) left in float. */
  readonly exclude?: ReadonlySet<string>;
  /**
   * Quantise the head too — what comes after the last convolution (pooling, the classifier's Gemm). Off by default:
   * the head costs almost nothing to run, and on the casting model quantising it flipped one decision in eight near
   * the threshold, where the backbone alone flipped none of 600 (CHANGELOG, issue 18).
   */
  readonly quantizeHead?: boolean;
}

/** Nodes no convolution depends on: the head after the last convolution. */
function headNodes(graph: OnnxTypes.IGraphProto): Set<OnnxTypes.INodeProto> {
  const nodes = graph.node ?? [];
  const producer = new Map<string, OnnxTypes.INodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  const feedsConv = new Set<OnnxTypes.INodeProto>();
  const stack = nodes.filter((n) => n.opType === 'Conv');
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (feedsConv.has(n)) continue;
    feedsConv.add(n);
    for (const i of n.input ?? []) {
      const p = producer.get(i);
      if (p) stack.push(p);
    }
  }
  // Without any convolution there is no head to tell apart: everything is the model.
  return feedsConv.size === 0 ? new Set() : new Set(nodes.filter((n) => !feedsConv.has(n)));
}

export interface QdqReport {
  readonly quantizedNodes: number;
  readonly floatNodes: readonly string[];
  readonly foldedRelus: number;
  readonly activations: number;
  readonly weights: number;
}

interface Params {
  readonly scale: string;
  readonly zeroPoint: string;
  /** The scale's value (a bias is stored at input scale × weight scale). */
  readonly value: number;
}

const isQuantisable = (op: string): boolean => WEIGHTED.has(op) || ACTIVATION_OPS.has(op) || SHARED_PARAMS.has(op);

/** uint8 asymmetric: the range widened to hold 0 exactly (padding and ReLU's floor are exact then). */
export function activationParams(r: TensorRange): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, r.min);
  const hi = Math.max(0, r.max);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-lo / scale))) };
}

/** int8 symmetric, one scale per channel along `axis` (0 or 1 of a 2-D+ tensor); zero point 0. */
export function quantiseWeights(values: Float32Array, dims: readonly number[], axis: number): { q: Int8Array; scales: Float32Array } {
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const scales = new Float32Array(channels);
  const channelOf = (i: number): number => Math.floor(i / inner) % channels;
  for (let i = 0; i < values.length; i++) {
    const c = channelOf(i);
    scales[c] = Math.max(scales[c]!, Math.abs(values[i]!));
  }
  for (let c = 0; c < channels; c++) scales[c] = scales[c]! > 0 ? scales[c]! / 127 : 1;
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(values[i]! / scales[channelOf(i)]!)));
  return { q, scales };
}

function attrInt(node: OnnxTypes.INodeProto, name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name);
  return a?.i != null ? Number(a.i) : fallback;
}

/**
 * Folds each ReLU that is a convolution's only consumer into it; returns how many. A pair either of which is named
 * to stay float is left as it is, and both stay float (`keptApart`): a float convolution must keep its ReLU.
 */
function foldRelus(
  graph: OnnxTypes.IGraphProto,
  named: (n: OnnxTypes.INodeProto) => boolean,
  keptApart: Set<OnnxTypes.INodeProto>,
  folded: Set<OnnxTypes.INodeProto>,
): void {
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  for (const relu of [...(graph.node ?? [])]) {
    if (relu.opType !== 'Relu') continue;
    const x = relu.input![0]!;
    const conv = graph.node!.find((n) => n.opType === 'Conv' && n.output?.[0] === x);
    if (!conv || outputs.has(x) || graph.node!.filter((n) => n.input?.includes(x)).length !== 1) continue;
    if (named(conv) || named(relu)) {
      keptApart.add(conv).add(relu);
      continue;
    }
    conv.output = [relu.output![0]!];
    graph.node = graph.node!.filter((n) => n !== relu);
    folded.add(conv);
  }
}

export function rewriteQdq(model: OnnxTypes.ModelProto, ranges: ReadonlyMap<string, TensorRange>, options: QdqOptions = {}): QdqReport {
  const graph = model.graph!;
  const exclude = options.exclude ?? new Set<string>();
  const named = (n: OnnxTypes.INodeProto): boolean => exclude.has(n.name ?? '') || exclude.has(n.output?.[0] ?? '');
  // ReLUs fold first: a convolution's own ReLU is part of it, not of the head after it.
  const keptApart = new Set<OnnxTypes.INodeProto>();
  const folded = new Set<OnnxTypes.INodeProto>();
  foldRelus(graph, named, keptApart, folded);
  const head = options.quantizeHead ? new Set<OnnxTypes.INodeProto>() : headNodes(graph);
  const excluded = (n: OnnxTypes.INodeProto): boolean => head.has(n) || named(n) || keptApart.has(n);
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name!));
  const nodes = graph.node ?? [];
  const quantised = nodes.filter((n) => isQuantisable(n.opType!) && !excluded(n));

  // Which activations go through Q/DQ, and with whose parameters (a shared-params op's output takes its input's).
  const params = new Map<string, Params>();
  const added: OnnxTypes.ITensorProto[] = [];
  const ownParams = (t: string): Params => {
    const known = params.get(t);
    if (known) return known;
    const r = ranges.get(t);
    if (!r) throw new QuantizeError(`no range was measured for ${t}: calibrate again`);
    const p = activationParams(r);
    const made = { scale: `${t}_scale`, zeroPoint: `${t}_zero_point`, value: p.scale };
    added.push(floatTensor(made.scale, [], Float32Array.of(p.scale)), uint8Tensor(made.zeroPoint, [], Uint8Array.of(p.zeroPoint)));
    params.set(t, made);
    return made;
  };
  const activation = (t: string | null | undefined): t is string => !!t && !inits.has(t) && !graphOutputs.has(t);
  shareConcatParams(nodes, quantised, activation, ownParams, params);
  for (const n of quantised) {
    const op = n.opType!;
    const ins = WEIGHTED.has(op) ? [n.input![0]] : (n.input ?? []);
    for (const t of ins) if (activation(t)) ownParams(t);
    const out = n.output![0];
    if (!activation(out)) continue;
    // An output only float nodes read (the head) stays float: quantising it would only add noise there. Not a
    // convolution's: without a QuantizeLinear after it ONNX Runtime cannot fuse it into QLinearConv and runs it in
    // float, weights dequantised on every run (the casting model's last fire module cost 0.29 ms a frame so).
    if (!WEIGHTED.has(op) && !nodes.some((c) => c.input?.includes(out) && quantised.includes(c))) continue;
    if (params.has(out)) continue;
    if (SHARED_PARAMS.has(op) && activation(n.input![0])) params.set(out, ownParams(n.input![0]!));
    else ownParams(out);
  }

  // The graph again: Q/DQ after each quantised activation's producer (or first, for a graph input), weights as int8.
  const dqOf = (t: string): string => (params.has(t) ? `${t}_dq` : t);
  const qdqNodes = (t: string): OnnxTypes.INodeProto[] => {
    const p = params.get(t)!;
    return [
      { opType: 'QuantizeLinear', name: `${t}_Q`, input: [t, p.scale, p.zeroPoint], output: [`${t}_q`] },
      { opType: 'DequantizeLinear', name: `${t}_DQ`, input: [`${t}_q`, p.scale, p.zeroPoint], output: [`${t}_dq`] },
    ];
  };
  const out: OnnxTypes.INodeProto[] = [];
  for (const i of graph.input ?? []) if (params.has(i.name!)) out.push(...qdqNodes(i.name!));
  let weights = 0;
  for (const n of nodes) {
    const x = n.input?.[0];
    n.input = (n.input ?? []).map((t) => (t ? dqOf(t) : t));
    if (quantised.includes(n) && WEIGHTED.has(n.opType!)) {
      out.push(...weightNodes(n, inits, added, x ? (params.get(x)?.value ?? null) : null));
      weights++;
    }
    const own = n.output?.[0];
    if (folded.has(n) && own && !params.has(own)) {
      // Its output stays float (only the head reads it): the ReLU folded into it comes back, as no quantiser clips for it.
      n.output = [`${own}_before_relu`];
      out.push(n, { opType: 'Relu', name: `${own}_Relu`, input: [`${own}_before_relu`], output: [own] });
      folded.delete(n);
      continue;
    }
    out.push(n);
    for (const t of n.output ?? []) if (params.has(t)) out.push(...qdqNodes(t));
  }
  graph.node = out;
  graph.initializer = [...(graph.initializer ?? []), ...added];
  pruneInitialisers(graph);
  return {
    quantizedNodes: quantised.length,
    floatNodes: nodes.filter((n) => !quantised.includes(n) && !['QuantizeLinear', 'DequantizeLinear'].includes(n.opType!)).map((n) => n.name || n.opType!),
    foldedRelus: folded.size,
    activations: new Set([...params.values()].map((p) => p.scale)).size,
    weights,
  };
}

/**
 * A quantised Concat's inputs take its output's scale and zero point where nothing else reads them and their
 * producer has parameters of its own: ONNX Runtime's QLinearConcat then copies them instead of requantising each
 * value through a lookup table (on the casting model's fire modules 0.28 ms a frame against 0.06 ms), the rule
 * TensorFlow Lite's int8 specification makes for concatenation. The output's range holds every input's.
 */
function shareConcatParams(
  nodes: readonly OnnxTypes.INodeProto[],
  quantised: readonly OnnxTypes.INodeProto[],
  activation: (t: string | null | undefined) => t is string,
  ownParams: (t: string) => Params,
  params: Map<string, Params>,
): void {
  const producer = new Map<string, OnnxTypes.INodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  for (const concat of quantised) {
    const out = concat.output?.[0];
    if (concat.opType !== 'Concat' || !activation(out)) continue;
    for (const t of concat.input ?? []) {
      const from = activation(t) ? producer.get(t) : undefined;
      if (!from || !quantised.includes(from) || SHARED_PARAMS.has(from.opType!) || params.has(t)) continue;
      if (nodes.filter((c) => c.input?.includes(t)).length !== 1) continue;
      params.set(t, ownParams(out));
    }
  }
}

/** A Conv's or Gemm's weight (and bias) as int8 (int32) behind DequantizeLinear; rewires the node to them. */
function weightNodes(
  n: OnnxTypes.INodeProto,
  inits: Map<string, OnnxTypes.ITensorProto>,
  added: OnnxTypes.ITensorProto[],
  inputScale: number | null,
): OnnxTypes.INodeProto[] {
  const w = inits.get(n.input![1]!);
  if (!w) return [];
  const dims = dimsOf(w);
  const axis = n.opType === 'Gemm' && attrInt(n, 'transB', 0) === 0 ? 1 : 0;
  const { q, scales } = quantiseWeights(floatsOf(w), dims, axis);
  const channels = dims[axis]!;
  const name = w.name!;
  added.push(
    int8Tensor(`${name}_q`, dims, q),
    floatTensor(`${name}_scale`, [channels], scales),
    int8Tensor(`${name}_zero_point`, [channels], new Int8Array(channels)),
  );
  const nodes: OnnxTypes.INodeProto[] = [
    {
      opType: 'DequantizeLinear',
      name: `${name}_DQ`,
      input: [`${name}_q`, `${name}_scale`, `${name}_zero_point`],
      output: [`${name}_dq`],
      attribute: [{ name: 'axis', type: 2, i: axis }],
    },
  ];
  n.input![1] = `${name}_dq`;
  const b = n.input![2] ? inits.get(n.input![2]) : undefined;
  if (b && inputScale !== null) {
    const bias = floatsOf(b);
    const bScales = scales.map((s) => s * inputScale);
    const bq = new Int32Array(bias.length);
    // Clamped: a channel with tiny weights (dead after BatchNorm folding) can ask for more than int32 holds, and
    // Int32Array would wrap it round to a wrong value.
    for (let c = 0; c < bias.length; c++) bq[c] = Math.max(-2_147_483_648, Math.min(2_147_483_647, Math.round(bias[c]! / bScales[c % channels]!)));
    const bn = b.name!;
    added.push(
      int32Tensor(`${bn}_q`, [bias.length], bq),
      floatTensor(`${bn}_scale`, [bias.length], bScales),
      int32Tensor(`${bn}_zero_point`, [bias.length], new Int32Array(bias.length)),
    );
    nodes.push({
      opType: 'DequantizeLinear',
      name: `${bn}_DQ`,
      input: [`${bn}_q`, `${bn}_scale`, `${bn}_zero_point`],
      output: [`${bn}_dq`],
      attribute: [{ name: 'axis', type: 2, i: 0 }],
    });
    n.input![2] = `${bn}_dq`;
  }
  return nodes;
}

function pruneInitialisers(graph: OnnxTypes.IGraphProto): void {
  const used = new Set((graph.node ?? []).flatMap((n) => n.input ?? []));
  graph.initializer = (graph.initializer ?? []).filter((t) => used.has(t.name!));
}
