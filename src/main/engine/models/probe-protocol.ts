/**
 * Messages between the station and a load probe: a child process that loads
 * a model file once, under a memory cap, before the station loads it itself
 * (issue 11, item 5). One request, one answer, then the child ends.
 */
import type { LoadedInfo } from '../inference/protocol';
import type { WarmRequest } from '../inference/warm-session';

export type ProbeRequest = { readonly type: 'probe' } & WarmRequest;

export type FromProbe =
  | {
      readonly type: 'loaded';
      readonly info: LoadedInfo;
      /** What ONNX Runtime loaded: the registry stores these bytes. */
      readonly prepared: Uint8Array;
      /** The child's peak resident memory, Node and ONNX Runtime included. */
      readonly peakMiB: number;
    }
  | { readonly type: 'load-failed'; readonly message: string; readonly problems: readonly string[] };

/** The child's command-line flag carrying the cap, read by its own memory watchdog. */
export const MEMORY_FLAG = '--linesight-memory-mib=';

/** Written on stderr by the child's watchdog just before it kills the child: the parent reads it as "over the cap". */
export const OVER_CAP_MARKER = 'linesight-probe: over the memory cap';
