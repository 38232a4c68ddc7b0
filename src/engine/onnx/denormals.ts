/**
 * Denormal (subnormal) floats in initialisers: docs/BACKGROUND.md reports a model that
 * ran 10× slower on the CPU until they were flushed to zero. One scan both
 * counts them (for the import report) and, when asked, zeroes them.
 */
import { onnx, type OnnxTypes } from './onnx-proto';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const DOUBLE = onnx.TensorProto.DataType.DOUBLE;
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;
const FLOAT64_MIN_NORMAL = 2.2250738585072014e-308;

/** Counts the denormals of one initialiser and, with flush, sets them to zero in place. */
export function scanDenormals(t: OnnxTypes.ITensorProto, flush: boolean): number {
  let found = 0;
  if (t.dataType === FLOAT && t.rawData && t.rawData.length > 0) {
    // Raw little-endian float32: test the bit pattern (exponent all zero, mantissa not).
    const copy = Uint8Array.from(t.rawData);
    const bits = new Uint32Array(copy.buffer, 0, Math.floor(copy.length / 4));
    for (let i = 0; i < bits.length; i++) {
      if ((bits[i]! & 0x7f800000) === 0 && (bits[i]! & 0x007fffff) !== 0) {
        found++;
        if (flush) bits[i] = 0;
      }
    }
    if (flush && found > 0) t.rawData = copy;
  } else if (t.dataType === FLOAT && t.floatData) {
    const values = t.floatData.map((v) => {
      if (v === 0 || Math.abs(v) >= FLOAT32_MIN_NORMAL) return v;
      found++;
      return 0;
    });
    if (flush && found > 0) t.floatData = values;
  } else if (t.dataType === DOUBLE) {
    const fromRaw = t.rawData !== null && t.rawData !== undefined && t.rawData.length > 0;
    const values = fromRaw ? new Float64Array(Uint8Array.from(t.rawData!).buffer) : Float64Array.from(t.doubleData ?? []);
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== 0 && Math.abs(values[i]!) < FLOAT64_MIN_NORMAL) {
        found++;
        values[i] = 0;
      }
    }
    if (flush && found > 0) {
      if (fromRaw) t.rawData = new Uint8Array(values.buffer);
      else t.doubleData = [...values];
    }
  }
  return found;
}

export interface DenormalReport {
  /** Initialisers holding at least one denormal float. */
  readonly tensors: readonly string[];
  /** Denormal values in all of them. */
  readonly values: number;
}

/** Scans every initialiser of the graph; with flush, zeroes what it finds. */
export function scanGraphDenormals(graph: OnnxTypes.IGraphProto, flush: boolean): DenormalReport {
  const tensors: string[] = [];
  let values = 0;
  for (const t of graph.initializer ?? []) {
    const n = scanDenormals(t, flush);
    if (n > 0) {
      tensors.push(t.name ?? '(unnamed)');
      values += n;
    }
  }
  return { tensors, values };
}
