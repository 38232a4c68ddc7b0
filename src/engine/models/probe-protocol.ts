/**
 * Messages between the station and a load probe: a child process that loads
 * a model file once, under a memory cap, before the station loads it itself
 * (issue 11, item 5). One request, one answer, then the child ends.
 */
import type { LoadedInfo } from '../inference/protocol';
import type { WarmRequest } from '../inference/warm-session';

/** What the probe loads, and the batch the line will run it at (the probe's runs use that batch: probe-inputs.ts). */
export type ProbeJob = WarmRequest & { readonly batch: number };

export type ProbeRequest = { readonly type: 'probe' } & ProbeJob;

export type FromProbe =
  | {
      readonly type: 'loaded';
      readonly info: LoadedInfo;
      /** What ONNX Runtime loaded, when repairs made it differ from the file sent (null: the file as sent): the registry stores these bytes. */
      readonly prepared: Uint8Array | null;
      /** sha256 of what ONNX Runtime loaded, hashed here so that the station need not hash it again. */
      readonly preparedSha256: string;
      /** The child's peak resident memory, Node and ONNX Runtime included. */
      readonly peakMiB: number;
    }
  | { readonly type: 'load-failed'; readonly message: string; readonly problems: readonly string[] };

/** The child's command-line flag carrying the cap, read by its own memory watchdog. */
export const MEMORY_FLAG = '--linesight-memory-mib=';

/** Written on stderr by the child's watchdog just before it kills the child: the parent reads it as "over the cap". */
export const OVER_CAP_MARKER = 'linesight-probe: over the memory cap';
