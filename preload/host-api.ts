import { hostRejection } from '../common/host-error.js';
// Types only: the schemas (and zod) stay out of the preload bundle.
import type { HostApi } from '../common/contract/index.js';
import type { Envelope } from '../common/validating-dispatch.js';

export interface HostTransport {
  invokeChannels: readonly string[];
  eventChannels: readonly string[];
  invoke(channel: string, request: unknown): Promise<unknown>;
  subscribe(channel: string, deliver: (payload: unknown) => void): () => void;
}

/**
 * The preload's HostApi over any transport (ipcRenderer in Electron, a fake in unit tests):
 * refuses channels outside the contract before anything is sent, and turns error envelopes into
 * `HostError`s whose message carries the code (`[code] message`, see parseHostError).
 */
export function createHostApi(transport: HostTransport): HostApi {
  const allowedInvoke = new Set(transport.invokeChannels);
  const allowedEvents = new Set(transport.eventChannels);
  const api = {
    async invoke(channel: string, request: unknown): Promise<unknown> {
      if (!allowedInvoke.has(channel)) throw hostRejection({ code: 'unknown-channel', message: `no host channel named "${channel}"` });
      const envelope = (await transport.invoke(channel, request)) as Envelope;
      if (envelope.ok) return envelope.value;
      throw hostRejection(envelope.error);
    },
    on(channel: string, listener: (event: unknown) => void): () => void {
      if (!allowedEvents.has(channel)) throw hostRejection({ code: 'unknown-channel', message: `no host event named "${channel}"` });
      return transport.subscribe(channel, listener);
    },
  };
  return api as HostApi;
}
