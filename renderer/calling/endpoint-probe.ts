import type { EndpointProbe } from './registration-failure.js';

/** Asks "is anything at the WebSocket's host:port?" — the evidence a browser can gather. */
export type EndpointProber = (wsUrl: string) => Promise<EndpointProbe>;

/**
 * In-page probe: an opaque (no-cors) HTTP(S) request to the same host and port. A response of any
 * kind means a server answered but refused the WebSocket upgrade; a network error means nothing
 * answered (or, for wss, the TLS handshake failed — a page cannot tell those apart).
 */
export const probeEndpoint: EndpointProber = async (wsUrl) => {
  const httpUrl = wsUrl.replace(/^ws(s?):/i, 'http$1:');
  try {
    await fetch(httpUrl, { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(3000) });
    return 'http-answered';
  } catch {
    return 'no-answer';
  }
};
