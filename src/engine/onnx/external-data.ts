/**
 * Where a model keeps tensor data outside its own file. ONNX Runtime opens
 * such a file itself (relative to the model's folder, or to the working
 * directory when the model is loaded from bytes, as the station does), so one
 * tensor marked EXTERNAL anywhere lets a model read any file the station can
 * (issue 11, item 6: an `If` branch's initializer pointing at package.json).
 *
 * Tensors hide in more places than the top graph's initializers: subgraphs of
 * If / Loop / Scan (attributes of type GRAPH and GRAPHS, to any depth),
 * Constant-style attributes (TENSOR, TENSORS, SPARSE_TENSOR, SPARSE_TENSORS),
 * sparse initializers (values and indices), the nodes of model-local
 * functions and training-info graphs. Every one is visited. Pure.
 */
import { onnx, type OnnxTypes } from './onnx-proto';

const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

/** Marked EXTERNAL, or carrying external_data entries (either makes ONNX Runtime look for a file). */
function isExternal(t: OnnxTypes.ITensorProto | null | undefined): boolean {
  return !!t && (t.dataLocation === EXTERNAL || (t.externalData?.length ?? 0) > 0);
}

/** The file the tensor names, for the message (never opened here). */
function locationOf(t: OnnxTypes.ITensorProto): string {
  const location = t.externalData?.find((e) => e.key === 'location')?.value;
  return location ? ` (file "${location}")` : '';
}

const named = (kind: string, name: string | null | undefined): string => `${kind} "${name || '(unnamed)'}"`;

class Finder {
  readonly found: string[] = [];

  tensor(t: OnnxTypes.ITensorProto | null | undefined, where: string): void {
    if (t && isExternal(t)) this.found.push(`${where}${locationOf(t)}`);
  }

  sparse(s: OnnxTypes.ISparseTensorProto | null | undefined, where: string): void {
    if (!s) return;
    this.tensor(s.values, `${where} values`);
    this.tensor(s.indices, `${where} indices`);
  }

  node(n: OnnxTypes.INodeProto, where: string): void {
    const at = `${where} › node ${named(n.opType ?? 'node', n.name)}`;
    for (const a of n.attribute ?? []) {
      const attr = `${at} attribute ${a.name ?? '(unnamed)'}`;
      this.tensor(a.t, attr);
      (a.tensors ?? []).forEach((t, i) => this.tensor(t, `${attr}[${i}]`));
      this.sparse(a.sparseTensor, attr);
      (a.sparseTensors ?? []).forEach((s, i) => this.sparse(s, `${attr}[${i}]`));
      if (a.g) this.graph(a.g, attr);
      (a.graphs ?? []).forEach((g, i) => this.graph(g, `${attr}[${i}]`));
    }
  }

  graph(g: OnnxTypes.IGraphProto, where: string): void {
    const at = where ? `${where} › ${named('graph', g.name)}` : named('graph', g.name);
    for (const t of g.initializer ?? []) this.tensor(t, `${at} initializer "${t.name ?? '(unnamed)'}"`);
    for (const s of g.sparseInitializer ?? []) this.sparse(s, `${at} sparse initializer "${s.values?.name ?? '(unnamed)'}"`);
    for (const n of g.node ?? []) this.node(n, at);
  }
}

/** Every place in the model that keeps tensor data in another file, in words; empty when the file is self-contained. */
export function findExternalData(model: OnnxTypes.IModelProto): string[] {
  const finder = new Finder();
  if (model.graph) finder.graph(model.graph, '');
  for (const f of model.functions ?? []) for (const n of f.node ?? []) finder.node(n, named('function', f.name));
  (model.trainingInfo ?? []).forEach((info, i) => {
    if (info.initialization) finder.graph(info.initialization, `training info ${i} initialization`);
    if (info.algorithm) finder.graph(info.algorithm, `training info ${i} algorithm`);
  });
  return finder.found;
}
