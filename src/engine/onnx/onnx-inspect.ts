/**
 * Reads an ONNX file with onnx-proto and describes what the engine needs to
 * know before it lets ONNX Runtime near it: opsets, real inputs (not
 * initialisers), outputs with their types and shapes, ZipMap outputs, denormal
 * initialisers, external data. Pure: bytes in, facts out.
 */
import { scanGraphDenormals, type DenormalReport } from './denormals';
import { findExternalData } from './external-data';
import { onnx, type OnnxTypes } from './onnx-proto';

export class OnnxFormatError extends Error {
  override readonly name = 'OnnxFormatError';
}

export type Dim = number | string | null;

export interface ValueSummary {
  readonly name: string;
  /** tensor: dims and element type known; sequence/map: e.g. a ZipMap output. */
  readonly kind: 'tensor' | 'sequence' | 'map' | 'other';
  /** ONNX TensorProto.DataType of a tensor; null otherwise. */
  readonly elemType: number | null;
  readonly dims: readonly Dim[] | null;
}

export interface ZipMapOutput {
  /** The graph output the ZipMap produces (sequence of maps). */
  readonly output: string;
  /** The probability tensor feeding the ZipMap. */
  readonly probabilities: string;
  readonly classLabels: readonly (string | number)[];
  readonly nodeIndex: number;
}

export interface OnnxSummary {
  readonly irVersion: number;
  /** Version of the default (ai.onnx) domain. */
  readonly opset: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producer: string;
  readonly inputs: readonly ValueSummary[];
  readonly outputs: readonly ValueSummary[];
  readonly nodeCount: number;
  readonly opTypes: readonly string[];
  readonly zipMaps: readonly ZipMapOutput[];
  readonly denormals: DenormalReport;
  /** Every tensor, in any graph, subgraph, attribute or sparse initializer, whose data is in another file (external-data.ts). */
  readonly externalData: readonly string[];
}

export const ELEM_TYPE_NAMES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  16: 'bfloat16',
};
export const elemTypeName = (t: number | null): string => (t === null ? 'not a tensor' : (ELEM_TYPE_NAMES[t] ?? `type ${t}`));

const num = (v: number | { toNumber(): number } | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

/** Parses the bytes as an ONNX ModelProto, with a message that tells a truncated file from a file that is not ONNX at all. */
export function parseOnnx(bytes: Uint8Array): OnnxTypes.ModelProto {
  if (bytes.length === 0) throw new OnnxFormatError('the file is empty');
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // Exporters write ir_version (field 1, a varint: byte 0x08) first, so a file that starts like
    // a model and runs out of bytes was cut short; anything else is not a model at all.
    if (/index out of range/.test(reason) && bytes[0] === 0x08) {
      throw new OnnxFormatError(`the file ends in the middle of the model (${bytes.length} bytes): it is truncated, copy it again`);
    }
    throw new OnnxFormatError(`the file is not an ONNX model (${reason})`);
  }
  if (!model.graph || (model.graph.node?.length ?? 0) === 0 || (model.opsetImport?.length ?? 0) === 0) {
    throw new OnnxFormatError('the file is not an ONNX model (no graph, nodes or opset inside)');
  }
  return model;
}

function valueSummary(v: OnnxTypes.IValueInfoProto): ValueSummary {
  const t = v.type;
  if (t?.tensorType) {
    const dims = (t.tensorType.shape?.dim ?? []).map((d): Dim =>
      d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? num(d.dimValue) : null,
    );
    return { name: v.name ?? '', kind: 'tensor', elemType: t.tensorType.elemType ?? null, dims: t.tensorType.shape ? dims : null };
  }
  if (t?.sequenceType) return { name: v.name ?? '', kind: 'sequence', elemType: null, dims: null };
  if (t?.mapType) return { name: v.name ?? '', kind: 'map', elemType: null, dims: null };
  return { name: v.name ?? '', kind: 'other', elemType: null, dims: null };
}

function attr(node: OnnxTypes.INodeProto, name: string): OnnxTypes.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

function zipMapsOf(graph: OnnxTypes.IGraphProto): ZipMapOutput[] {
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const found: ZipMapOutput[] = [];
  (graph.node ?? []).forEach((node, nodeIndex) => {
    if (node.opType !== 'ZipMap') return;
    const out = node.output?.[0];
    const input = node.input?.[0];
    if (!out || !input || !outputs.has(out)) return;
    const ints = attr(node, 'classlabels_int64s')?.ints?.map(num);
    const strings = attr(node, 'classlabels_strings')?.strings?.map((s) => new TextDecoder().decode(s));
    found.push({ output: out, probabilities: input, classLabels: ints && ints.length > 0 ? ints : (strings ?? []), nodeIndex });
  });
  return found;
}

export function summarizeOnnx(model: OnnxTypes.ModelProto): OnnxSummary {
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name));
  const opsets = (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: num(o.version) }));
  const defaultOpset = opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  return {
    irVersion: num(model.irVersion),
    opset: defaultOpset,
    opsets,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name)).map(valueSummary),
    outputs: (graph.output ?? []).map(valueSummary),
    nodeCount: graph.node?.length ?? 0,
    opTypes: [...new Set((graph.node ?? []).map((n) => n.opType ?? ''))],
    zipMaps: zipMapsOf(graph),
    denormals: scanGraphDenormals(graph, false),
    externalData: findExternalData(model),
  };
}
