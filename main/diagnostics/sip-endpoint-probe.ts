/**
 * "Why did the softphone's WebSocket fail?" answered from plain Node, which — unlike a page, where
 * every failed WebSocket is close code 1006 — sees the TLS error. It is the `sip-websocket`
 * step's handshake (same upgrade asking for `sip`, same proxy choice), reduced to the three
 * findings the calling core's registration classifier understands.
 */
import { parsePacResult } from './proxy.js';
import { certificateProblem, errorText } from './step.js';
import type { Probes } from './types.js';
import { settleWithin } from '../../common/timeout.js';

export type SipEndpointResult = 'http-answered' | 'no-answer' | 'tls-rejected';
export interface SipEndpointFinding {
  result: SipEndpointResult;
  /** For the agent: the certificate problem, the HTTP answer, or why nothing answered. */
  detail: string;
}

/** The renderer waits for this before it shows the failure, so it stays short. */
const SIP_ENDPOINT_PROBE_TIMEOUT_MS = 3000;

/** TLS failures that are not about the certificate (protocol/cipher mismatch, alert, plain port). */
const TLS_HANDSHAKE_ERROR = /TLS handshake|SSL routines|ssl3_|tlsv1 alert|wrong version number/i;

export function classifyHandshakeError(err: unknown): SipEndpointFinding {
  const certificate = certificateProblem(err);
  if (certificate) return { result: 'tls-rejected', detail: certificate };
  const text = errorText(err);
  if (TLS_HANDSHAKE_ERROR.test(text))
    return { result: 'tls-rejected', detail: /^TLS handshake/.test(text) ? text : `TLS handshake failed: ${text}` };
  return { result: 'no-answer', detail: text };
}

export async function probeSipEndpoint(
  wsUrl: string,
  probes: Pick<Probes, 'webSocketHandshake' | 'resolveProxy'>,
  timeoutMs = SIP_ENDPOINT_PROBE_TIMEOUT_MS,
): Promise<SipEndpointFinding> {
  const attempt = async (): Promise<SipEndpointFinding> => {
    const proxy = parsePacResult(await probes.resolveProxy(wsUrl).catch(() => 'DIRECT'));
    try {
      const r = await probes.webSocketHandshake(wsUrl, 'sip', proxy);
      if (r.status === 101 && r.protocol === 'sip') {
        return { result: 'http-answered', detail: 'the WebSocket upgrade works from the desktop app itself' };
      }
      return {
        result: 'http-answered',
        detail:
          r.status === 101
            ? `upgrade without the sip subprotocol (got ${r.protocol ?? 'none'})`
            : `HTTP ${r.status} instead of a WebSocket upgrade`,
      };
    } catch (err) {
      return classifyHandshakeError(err);
    }
  };
  // The handshake has its own (longer) connect and read timeouts and closes its socket on them;
  // the caller must not wait that long.
  return settleWithin(attempt(), timeoutMs, (): SipEndpointFinding => ({
    result: 'no-answer',
    detail: `no answer within ${timeoutMs} ms`,
  }));
}
