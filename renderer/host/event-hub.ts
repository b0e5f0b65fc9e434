import type { EventChannel, EventOf } from '../../common/contract/index.js';

/** Typed fan-out of host events to listeners; one listener's exception does not starve the rest. */
export interface EventHub {
  on<C extends EventChannel>(channel: C, listener: (event: EventOf<C>) => void): () => void;
  emit<C extends EventChannel>(channel: C, event: EventOf<C>): void;
}

export function createEventHub(onListenerError: (error: unknown) => void = () => {}): EventHub {
  const listeners = new Map<EventChannel, Set<(event: never) => void>>();
  return {
    on(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener as (event: never) => void);
      return () => set.delete(listener as (event: never) => void);
    },
    emit(channel, event) {
      for (const listener of [...(listeners.get(channel) ?? [])]) {
        try {
          (listener as (event: EventOf<typeof channel>) => void)(event);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
  };
}
