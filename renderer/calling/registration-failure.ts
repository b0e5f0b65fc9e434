import { LOCKED_OUT_TEXT, lockoutWaitSeconds } from '../../common/contract/index.js';
import type { RegistrationFailure } from './phone-api.js';

/**
 * Why registering failed, in words an agent (or the helpdesk reading their screen) can act on.
 * Pure: the core collects the evidence (SIP response, WebSocket close code, an HTTP probe of the
 * same host:port) and this decides.
 */
export interface Classified {
  readonly reason: RegistrationFailure;
  readonly message: string;
  /** The server said when to try again (a lockout): wait exactly this, not the reconnect backoff. */
  readonly retryAfterMs?: number;
}

/**
 * The server's lockout answer: `403 Locked` (the reason phrase is the signal; a plain 403 is a wrong
 * password). The phrase is compared case-insensitively: proxies on the way may re-case it.
 */
const isLockout = (statusCode: number, reasonPhrase: string) => statusCode === 403 && reasonPhrase.trim().toLowerCase() === 'locked';

/**
 * A final non-2xx answer to REGISTER, after SIP.js already answered the digest challenge once.
 * `retryAfter` is the response's Retry-After header, if any.
 */
export function classifyRegisterRejection(statusCode: number, reasonPhrase: string, username: string, retryAfter?: string): Classified {
  if (isLockout(statusCode, reasonPhrase)) {
    return { reason: 'locked', message: LOCKED_OUT_TEXT, retryAfterMs: lockoutWaitSeconds(retryAfter) * 1000 };
  }
  if (statusCode === 401 || statusCode === 403 || statusCode === 407) {
    return {
      reason: 'wrong-credentials',
      message: `Sign-in rejected for “${username}” (${statusCode} ${reasonPhrase}): the username or password is wrong.`,
    };
  }
  return {
    reason: 'server-error',
    message: `The phone server refused registration (${statusCode} ${reasonPhrase}). Try again later or contact IT.`,
  };
}

/**
 * What a plain HTTP(S) request to the WebSocket's host:port showed. Browsers report every failed
 * WebSocket handshake as close code 1006 and hide the cause, so the probe tells "nothing there"
 * from "something answered but would not upgrade" (a proxy or firewall in the way).
 */
export type EndpointProbe = 'http-answered' | 'no-answer' | 'tls-rejected' | 'not-run';

export interface TransportEvidence {
  readonly wsUrl: string;
  /** WebSocket close code, when known (SIP.js reports "WebSocket closed <url> (code: N)"). */
  readonly closeCode: number | null;
  readonly probe: EndpointProbe;
  /** The probe's specifics, e.g. "certificate has expired" (only hosts outside the page see them). */
  readonly probeDetail?: string;
  /** We had been registered on this connection before it dropped. */
  readonly wasConnected: boolean;
}

export function closeCodeFromError(error: Error | undefined): number | null {
  const m = error ? /\(code: (\d+)\)/.exec(error.message) : null;
  return m ? Number(m[1]) : null;
}

export function classifyTransportFailure(e: TransportEvidence): Classified {
  const where = e.wsUrl;
  if (e.wasConnected) {
    return { reason: 'network-lost', message: `Connection to the phone server (${where}) was lost; reconnecting…` };
  }
  if (e.closeCode === 1015 || e.probe === 'tls-rejected') {
    const what = e.probeDetail ? `: ${e.probeDetail}` : ' (its certificate is not trusted or has expired)';
    return {
      reason: 'tls',
      message:
        `The phone server's TLS connection (${where}) was rejected${what}. ` +
        'Ask IT to install the company CA certificate on this computer or to fix the server certificate.',
    };
  }
  // Codes a server or middlebox sends when it accepted TCP but will not carry our WebSocket.
  if ((e.closeCode !== null && [1002, 1003, 1008, 1009, 1010].includes(e.closeCode)) || e.probe === 'http-answered') {
    return {
      reason: 'websocket-blocked',
      message:
        `${where} answered but refused the WebSocket connection${e.closeCode !== null && e.closeCode !== 1006 ? ` (close code ${e.closeCode})` : ''}: ` +
        'a proxy or firewall is probably blocking WebSockets. Ask IT to allow WebSocket traffic to this address.',
    };
  }
  const secureHint = where.startsWith('wss:') ? ' (or its TLS certificate is not trusted)' : '';
  return {
    reason: 'unreachable',
    message: `Cannot reach the phone server at ${where}: nothing answered${secureHint}. Check your network or VPN.`,
  };
}
