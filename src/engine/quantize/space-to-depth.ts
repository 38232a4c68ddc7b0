/**
 * The first convolution of a vision model, over the picture's 3 channels with
 * stride 2, rewritten before quantising as the same convolution over
 * SpaceToDepth(2) of the picture: 12 channels at half the size, stride 1, a
 * kernel of ⌈k/2⌉ + 1 or so taps a side, zero where the original had none.
 * Why: ONNX Runtime's integer convolution gathers its input per tap, and with
 * 3 channels a tap is 3 bytes; it ran ResNet-18's 7×7 stem at a third of the
 * speed of its other convolutions, slower than float (0.87 ms of a 5.8 ms
 * frame), and SqueezeNet's 3×3 stem in 0.33 ms of 1.1 (issue 18, CHANGELOG).
 * With 12 channels it gathers 4× fewer, 4× longer runs. The arithmetic is the
 * same sums over the same pixels: in float the two graphs agree to rounding
 * (test/engine/quantize/space-to-depth.test.ts). Pure: a decoded model in,
 * changed; nothing is run here.
 */
import type { OnnxTypes } from '../onnx/onnx-proto';
import { dimsOf, floatsOf, floatTensor } from './tensor-data';

const BLOCK = 2;
/** Up to this many input channels a stride-2 convolution is rewritten (the picture's 1, 3 or 4). */
const MAX_CHANNELS = 4;

interface ConvShape {
  readonly kh: number;
  readonly kw: number;
  /** Top, left, bottom, right. */
  readonly pads: readonly [number, number, number, number];
}

function ints(node: OnnxTypes.INodeProto, name: string): number[] | null {
  const a = node.attribute?.find((x) => x.name === name);
  return a ? (a.ints ?? []).map(Number) : null;
}

/** The convolution's shape when it is one this rewrite keeps exact: stride 2 both ways, no dilation, one group, explicit pads. */
function rewritable(node: OnnxTypes.INodeProto, weightDims: readonly number[]): ConvShape | null {
  const [, cin, kh, kw] = weightDims;
  if (weightDims.length !== 4 || !cin || !kh || !kw || cin > MAX_CHANNELS) return null;
  const strides = ints(node, 'strides');
  if (!strides || strides.length !== 2 || strides.some((s) => s !== BLOCK)) return null;
  if ((ints(node, 'dilations') ?? [1, 1]).some((d) => d !== 1)) return null;
  const group = node.attribute?.find((x) => x.name === 'group');
  if (group && Number(group.i ?? 1) !== 1) return null;
  const autoPad = node.attribute?.find((x) => x.name === 'auto_pad');
  if (autoPad && autoPad.s && new TextDecoder().decode(autoPad.s) !== 'NOTSET') return null;
  const kernel = ints(node, 'kernel_shape');
  if (kernel && (kernel[0] !== kh || kernel[1] !== kw)) return null;
  const p = ints(node, 'pads') ?? [0, 0, 0, 0];
  if (p.length !== 4) return null;
  return { kh, kw, pads: [p[0]!, p[1]!, p[2]!, p[3]!] };
}

/** The spatial size of the tensor a node reads, traced through Identity and Cast to a graph input of fixed size. */
function spatialSize(graph: OnnxTypes.IGraphProto, tensor: string): { h: number; w: number } | null {
  const producer = new Map<string, OnnxTypes.INodeProto>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) producer.set(o, n);
  let t = tensor;
  for (let hops = 0; hops < 8; hops++) {
    const input = graph.input?.find((i) => i.name === t);
    if (input) {
      const dims = input.type?.tensorType?.shape?.dim ?? [];
      if (dims.length !== 4) return null;
      const [h, w] = [Number(dims[2]!.dimValue ?? 0), Number(dims[3]!.dimValue ?? 0)];
      return h > 0 && w > 0 ? { h, w } : null;
    }
    const p = producer.get(t);
    if (!p || !['Identity', 'Cast'].includes(p.opType!)) return null;
    t = p.input![0]!;
  }
  return null;
}

/** One axis: the block kernel's size and its leading and trailing pads, so that output i reads what it read before. */
function blockAxis(k: number, padBefore: number, padAfter: number, size: number): { k: number; before: number; after: number; shift: number } | null {
  const out = Math.floor((size + padBefore + padAfter - k) / BLOCK) + 1;
  // Output i reads rows 2i − padBefore … 2i − padBefore + k − 1: blocks ⌊(2i − padBefore)/2⌋ onwards.
  const before = Math.ceil(padBefore / BLOCK);
  const last = Math.floor((k - 1 - padBefore) / BLOCK);
  const blockK = last + before + 1;
  const after = out - 1 + blockK - size / BLOCK - before;
  if (after < 0) return null;
  return { k: blockK, before, after, shift: BLOCK * before - padBefore };
}

/**
 * Rewrites each stride-2 convolution over at most 4 channels that reads the picture (a graph input of fixed, even
 * size) as SpaceToDepth(2) → a stride-1 convolution; returns how many.
 */
export function spaceToDepthStems(graph: OnnxTypes.IGraphProto): number {
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  let rewritten = 0;
  const replaced = new Set<string>();
  const nodes: OnnxTypes.INodeProto[] = [];
  for (const n of graph.node ?? []) {
    const w = n.opType === 'Conv' ? inits.get(n.input?.[1] ?? '') : undefined;
    const shape = w ? rewritable(n, dimsOf(w)) : null;
    const size = shape ? spatialSize(graph, n.input![0]!) : null;
    const rows = shape && size && size.h % BLOCK === 0 ? blockAxis(shape.kh, shape.pads[0], shape.pads[2], size.h) : null;
    const cols = shape && size && size.w % BLOCK === 0 ? blockAxis(shape.kw, shape.pads[1], shape.pads[3], size.w) : null;
    if (!w || !shape || !rows || !cols) {
      nodes.push(n);
      continue;
    }
    const [cout, cin] = dimsOf(w) as [number, number];
    const src = floatsOf(w);
    const c4 = cin * BLOCK * BLOCK;
    const dst = new Float32Array(cout * c4 * rows.k * cols.k);
    // SpaceToDepth's channel (dy·2 + dx)·C + c holds pixel (2·by + dy, 2·bx + dx) of channel c (ONNX's DCR order).
    for (let o = 0; o < cout; o++)
      for (let c = 0; c < cin; c++)
        for (let by = 0; by < rows.k; by++)
          for (let dy = 0; dy < BLOCK; dy++) {
            const ky = BLOCK * by + dy - rows.shift;
            if (ky < 0 || ky >= shape.kh) continue;
            for (let bx = 0; bx < cols.k; bx++)
              for (let dx = 0; dx < BLOCK; dx++) {
                const kx = BLOCK * bx + dx - cols.shift;
                if (kx < 0 || kx >= shape.kw) continue;
                const ch = (dy * BLOCK + dx) * cin + c;
                dst[((o * c4 + ch) * rows.k + by) * cols.k + bx] = src[((o * cin + c) * shape.kh + ky) * shape.kw + kx]!;
              }
          }
    const name = `${w.name}_s2d`;
    replaced.add(w.name!);
    graph.initializer!.push(floatTensor(name, [cout, c4, rows.k, cols.k], dst));
    const blocks = `${n.input![0]}_s2d`;
    nodes.push({
      opType: 'SpaceToDepth',
      name: `${n.name || n.output![0]}_s2d`,
      input: [n.input![0]!],
      output: [blocks],
      attribute: [{ name: 'blocksize', type: 2, i: BLOCK }],
    });
    n.input = [blocks, name, ...n.input!.slice(2)];
    n.attribute = [
      { name: 'kernel_shape', type: 7, ints: [rows.k, cols.k] },
      { name: 'strides', type: 7, ints: [1, 1] },
      { name: 'pads', type: 7, ints: [rows.before, cols.before, rows.after, cols.after] },
    ];
    nodes.push(n);
    rewritten++;
  }
  graph.node = nodes;
  // The stems' old weights, read by nothing now (ONNX Runtime would warn of each, and they would travel in the file).
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  graph.initializer = (graph.initializer ?? []).filter((t) => used.has(t.name!) || !replaced.has(t.name!));
  return rewritten;
}
