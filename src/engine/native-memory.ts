/**
 * Hands freed native memory back to the system (glibc's malloc, Linux).
 *
 * Why: loading a model makes and drops large native buffers (the model's bytes
 * in each thread, ONNX Runtime's initialisers, the first-load probe's session,
 * parity/first-load-gate). glibc raises its mmap threshold each time such a
 * buffer is freed, so the next ones come from the heap and stay in the
 * process when freed: measured with resnet50-shaped (~100 MB of weights) and
 * the demo line, 720 MB resident against 384 MB with the threshold held at
 * 1 MiB (`memory.rss` in `npm run bench`; the station without a large model:
 * 168 MB). Holding it there (which also stops glibc moving it) keeps every
 * allocation of 1 MiB or more in its own mapping, returned when freed; the
 * line's per-frame buffers are smaller than that, so their cost is unchanged.
 * Called once at boot (boot.ts), before any model loads; elsewhere (Windows,
 * macOS, musl) it does nothing and says why.
 */
import { openForeignLibrary } from './foreign-library';

// malloc.h
const M_TRIM_THRESHOLD = -1;
const M_MMAP_THRESHOLD = -3;
const ONE_MIB = 1 << 20;

export interface MallocTuning {
  readonly applied: boolean;
  readonly detail: string;
}

let tuning: MallocTuning | null = null;

export function holdMallocThresholds(): MallocTuning {
  if (tuning) return tuning;
  if (process.platform !== 'linux') return (tuning = { applied: false, detail: `not glibc (${process.platform})` });
  try {
    const mallopt = openForeignLibrary('libc.so.6').func('int mallopt(int, int)') as (param: number, value: number) => number;
    // mallopt answers 1 where it took the value.
    const ok = mallopt(M_MMAP_THRESHOLD, ONE_MIB) === 1 && mallopt(M_TRIM_THRESHOLD, ONE_MIB) === 1;
    tuning = ok
      ? { applied: true, detail: 'glibc malloc: mmap and trim thresholds held at 1 MiB' }
      : { applied: false, detail: 'mallopt refused the thresholds' };
  } catch (err) {
    tuning = { applied: false, detail: `glibc's mallopt not reachable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
  return tuning;
}
