import type { EndpointProbe } from './registration-failure.js';

/** What a probe found, with the specifics when the prober can see them (the certificate problem). */
export interface EndpointFinding {
  readonly result: EndpointProbe;
  readonly detail?: string;
}

/**
 * Asks "is anything at the WebSocket's host:port?" — in-page, the evidence a browser can gather;
 * a desktop host injects one that also sees TLS errors.
 */
export type EndpointProber = (wsUrl: string) => Promise<EndpointFinding>;

/**
 * In-page probe: an opaque (no-cors) HTTP(S) request to the same host and port. A response of any
 * kind means a server answered but refused the WebSocket upgrade; a network error means nothing
 * answered (or, for wss, the TLS handshake failed — a page cannot tell those apart).
 */
export const probeEndpoint: EndpointProber = async (wsUrl) => {
  const httpUrl = wsUrl.replace(/^ws(s?):/i, 'http$1:');
  try {
    await fetch(httpUrl, { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(3000) });
    return { result: 'http-answered' };
  } catch {
    return { result: 'no-answer' };
  }
};
