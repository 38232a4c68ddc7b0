/**
 * A worker thread that must never hold up the line (teaching, quantising)
 * lowers its own priority first: on Linux a nice value is a thread's own,
 * and the threads onnxruntime starts from there inherit it, so the line's
 * threads win every contended core.
 */
import { getPriority, setPriority } from 'node:os';

const LOWEST = 19;

/** Lowers the calling thread to the lowest priority; its nice value after, or null where it could not be set. */
export function lowerThreadPriority(): number | null {
  try {
    // 0: this thread (Linux); elsewhere the process, which is still below the line's priority only there.
    setPriority(0, LOWEST);
    return getPriority(0);
  } catch {
    return null;
  }
}
