/**
 * The two repairs the importer makes to a model before it is stored:
 *
 * - ZipMap outputs (a sequence of maps, as skl2onnx and onnxmltools export tree
 *   models by default) cannot be returned by onnxruntime-node ("Non tensor
 *   type is temporarily not supported"). The ZipMap node is replaced by an
 *   Identity, so the same output name now carries the probability tensor
 *   [N, classes].
 * - Denormal floats in initialisers make CPU kernels 10× slower (docs/BACKGROUND.md);
 *   they are flushed to zero in a copy (docs/BACKGROUND.md: rewrite the
 *   initialisers rather than rely on ORT's flag).
 *
 * Both mutate a decoded ModelProto; encode it with encodeOnnx.
 */
import { scanGraphDenormals } from './denormals';
import { onnx, type OnnxTypes } from './onnx-proto';
import type { ZipMapOutput } from './onnx-inspect';

export function encodeOnnx(model: OnnxTypes.ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export class ZipMapRewriteError extends Error {
  override readonly name = 'ZipMapRewriteError';
}

/** How to export without a ZipMap, for the message when it cannot be undone here. */
export const REEXPORT_WITHOUT_ZIPMAP =
  "re-export without ZipMap: skl2onnx convert_sklearn(..., options={id(model): {'zipmap': False}}), onnxmltools convert_lightgbm(..., zipmap=False)";

export function removeZipMap(model: OnnxTypes.ModelProto, zipMap: ZipMapOutput): void {
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const consumers = nodes.filter((n) => n.input?.includes(zipMap.output));
  if (consumers.length > 0) {
    throw new ZipMapRewriteError(`the ZipMap output ${zipMap.output} feeds other nodes, so it cannot be replaced; ${REEXPORT_WITHOUT_ZIPMAP}`);
  }
  const node = nodes[zipMap.nodeIndex];
  if (!node || node.opType !== 'ZipMap') throw new ZipMapRewriteError(`no ZipMap node at ${zipMap.nodeIndex}; ${REEXPORT_WITHOUT_ZIPMAP}`);
  nodes[zipMap.nodeIndex] = onnx.NodeProto.create({
    opType: 'Identity',
    domain: '',
    name: `${node.name || 'ZipMap'}_as_tensor`,
    input: [zipMap.probabilities],
    output: [zipMap.output],
  });
  const output = graph.output?.find((o) => o.name === zipMap.output);
  if (!output) throw new ZipMapRewriteError(`graph output ${zipMap.output} not found; ${REEXPORT_WITHOUT_ZIPMAP}`);
  const classes = zipMap.classLabels.length;
  output.type = onnx.TypeProto.create({
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: [{ dimParam: 'N' }, classes > 0 ? { dimValue: classes } : { dimParam: 'classes' }] },
    },
  });
}

/** Sets every denormal float in the initialisers to zero; returns how many. */
export function flushDenormals(model: OnnxTypes.ModelProto): number {
  return scanGraphDenormals(model.graph!, true).values;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;

function renameUses(graph: OnnxTypes.IGraphProto, from: string, to: string): void {
  for (const node of graph.node ?? []) {
    if (node.input) node.input = node.input.map((n) => (n === from ? to : n));
  }
}

/**
 * Gives a float16 model float32 edges: a Cast after each float16 input and
 * before each float16 output, so ONNX Runtime converts natively on the way in
 * and out (Node 20 has no Float16Array, and converting in JavaScript costs
 * more than the inference). Names stay the same; returns the names changed.
 */
export function wrapFloat16Edges(model: OnnxTypes.ModelProto, names: { readonly inputs: readonly string[]; readonly outputs: readonly string[] }): string[] {
  const graph = model.graph!;
  const changed: string[] = [];
  const prologue: OnnxTypes.INodeProto[] = [];
  for (const name of names.inputs) {
    const input = graph.input?.find((i) => i.name === name);
    if (input?.type?.tensorType?.elemType !== FLOAT16) continue;
    const inner = `${name}__float16`;
    renameUses(graph, name, inner);
    prologue.push(
      onnx.NodeProto.create({
        opType: 'Cast',
        name: `${name}_to_float16`,
        input: [name],
        output: [inner],
        attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT16 }],
      }),
    );
    input.type.tensorType.elemType = FLOAT;
    changed.push(name);
  }
  const epilogue: OnnxTypes.INodeProto[] = [];
  for (const name of names.outputs) {
    const output = graph.output?.find((o) => o.name === name);
    if (output?.type?.tensorType?.elemType !== FLOAT16) continue;
    const inner = `${name}__float16`;
    for (const node of graph.node ?? []) {
      if (node.output) node.output = node.output.map((n) => (n === name ? inner : n));
    }
    renameUses(graph, name, inner);
    epilogue.push(
      onnx.NodeProto.create({
        opType: 'Cast',
        name: `${name}_to_float32`,
        input: [inner],
        output: [name],
        attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }],
      }),
    );
    output.type.tensorType.elemType = FLOAT;
    changed.push(name);
  }
  graph.node = [...prologue, ...(graph.node ?? []), ...epilogue];
  return changed;
}
