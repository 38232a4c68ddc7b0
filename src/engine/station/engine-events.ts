/** The station's events for the UI (src/shared/contract.ts EventName): a listener that throws is logged, never breaks the line. */
import type { EventName, EventPayload } from '../../shared/contract';
import type { Logger } from '../logger';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

export class EngineEvents {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();

  constructor(private readonly logger: Logger) {}

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (err) {
        this.logger.error(`a ${event} listener failed: ${(err as Error).message}`);
      }
    }
  }
}
