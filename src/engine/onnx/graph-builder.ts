/**
 * A small builder for ONNX graphs, used to write the demo model and the test
 * models in code (docs/BACKGROUND.md: generate test models with onnx-proto).
 */
import { onnx, type OnnxTypes } from './onnx-proto';

/** A Float32Array is always FLOATS; a plain number list is INTS when every value is whole. */
type AttributeValue = number | string | readonly number[] | readonly string[] | Float32Array;

export interface TensorInfo {
  readonly name: string;
  /** A non-tensor type (e.g. a ZipMap's sequence of maps), used instead of dims/elemType. */
  readonly type?: OnnxTypes.ITypeProto;
  /** numbers for fixed dimensions, strings for symbolic (dynamic) ones */
  readonly dims: readonly (number | string)[];
  readonly elemType?: number;
}

export const DataType = onnx.TensorProto.DataType;

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(value) };
  if (value instanceof Float32Array) return { name, type: A.FLOATS, floats: [...value] };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: A.INT, i: value } : { name, type: A.FLOAT, f: value };
  }
  if (value.length > 0 && typeof value[0] === 'string') {
    return { name, type: A.STRINGS, strings: (value as readonly string[]).map((v) => new TextEncoder().encode(v)) };
  }
  const nums = value as readonly number[];
  return nums.every((v) => Number.isInteger(v)) ? { name, type: A.INTS, ints: [...nums] } : { name, type: A.FLOATS, floats: [...nums] };
}

function valueInfo(t: TensorInfo): OnnxTypes.IValueInfoProto {
  if (t.type) return { name: t.name, type: t.type };
  return {
    name: t.name,
    type: {
      tensorType: {
        elemType: t.elemType ?? DataType.FLOAT,
        shape: { dim: t.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class GraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private counter = 0;

  /** Adds a node and returns the name of its (first) output. */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttributeValue> = {}, outputs?: readonly string[], domain?: string): string {
    const outs = outputs ?? [`${opType.toLowerCase()}_${this.counter++}`];
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [...outs],
      name: `${opType}_${this.nodes.length}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      ...(domain ? { domain } : {}),
    });
    return outs[0]!;
  }

  /** Adds a float32 initialiser stored as raw little-endian bytes. */
  floats(name: string, dims: readonly number[], values: Float32Array | readonly number[]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new RangeError(`${name}: ${data.length} values for dims [${dims.join(',')}]`);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: DataType.FLOAT,
      rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
    });
    return name;
  }

  int64s(name: string, values: readonly number[]): string {
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, int64Data: [...values] });
    return name;
  }

  build(opts: {
    readonly name: string;
    readonly inputs: readonly TensorInfo[];
    readonly outputs: readonly TensorInfo[];
    readonly opset?: number;
    readonly extraOpsets?: readonly { domain: string; version: number }[];
    readonly docString?: string;
  }): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'linesight',
      opsetImport: [{ domain: '', version: opts.opset ?? 17 }, ...(opts.extraOpsets ?? [])],
      docString: opts.docString ?? '',
      graph: {
        name: opts.name,
        node: this.nodes,
        initializer: this.initializers,
        input: opts.inputs.map(valueInfo),
        output: opts.outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
