/**
 * Creates an onnxruntime-node session on the first execution provider of the
 * preference list that loads, recording why each earlier one did not. Blocks
 * the calling thread while ORT builds the session: call it in a worker.
 */
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../../shared/config';
import type { SessionSettings } from './session-settings';

export interface ProviderFallback {
  readonly provider: ExecutionProvider;
  readonly reason: string;
}

export interface CreatedSession {
  readonly session: ort.InferenceSession;
  readonly provider: ExecutionProvider;
  readonly fallbacks: readonly ProviderFallback[];
}

export class SessionCreateError extends Error {
  override readonly name = 'SessionCreateError';
}

export function sessionOptions(settings: SessionSettings, provider: ExecutionProvider, quiet: boolean): ort.InferenceSession.SessionOptions {
  const spin = settings.spinning ? '1' : '0';
  return {
    executionProviders: [provider],
    intraOpNumThreads: settings.intraOpThreads,
    interOpNumThreads: settings.interOpThreads,
    graphOptimizationLevel: settings.graphOptimization,
    executionMode: settings.executionMode,
    enableCpuMemArena: settings.memoryArena,
    enableMemPattern: true,
    logSeverityLevel: quiet ? 4 : 3,
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

/** The execution providers this build of onnxruntime-node has (whether their hardware is there is found out by loading). */
export function providersInBuild(): Set<string> {
  try {
    return new Set(ort.listSupportedBackends().map((b) => b.name));
  } catch {
    return new Set(['cpu']);
  }
}

export async function createSession(bytes: Uint8Array, settings: SessionSettings): Promise<CreatedSession> {
  // A provider that is tried and does not load is reported by us, once, in plain words; ORT's own
  // log would print a shared-library error on stderr for every attempt. Errors still arrive as exceptions.
  ort.env.logLevel = 'fatal';
  const fallbacks: ProviderFallback[] = [];
  const inBuild = providersInBuild();
  for (const [i, provider] of settings.providers.entries()) {
    const last = i === settings.providers.length - 1;
    if (!inBuild.has(provider)) {
      fallbacks.push({ provider, reason: `not available in this build of onnxruntime-node on ${process.platform}` });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(bytes, sessionOptions(settings, provider, !last));
      return { session, provider, fallbacks };
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
      // The CPU provider always exists: when it fails, the model is the problem, not the provider.
      if (provider === 'cpu') throw new SessionCreateError(`ONNX Runtime cannot load the model: ${reason}`);
      fallbacks.push({ provider, reason });
    }
  }
  throw new SessionCreateError(`no execution provider could run the model: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}`);
}
