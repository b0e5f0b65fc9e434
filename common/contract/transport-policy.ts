import type { ClientConfig } from '../provisioning-api.js';

/**
 * The clients' transport rule, in the one place every process imports (main, renderer, the
 * network-test CLI): credentials travel only over TLS. HTTP Basic carries the SIP password to the
 * control plane and SIP digest is replayable, so `http://` and `ws://` are allowed only when the
 * server is this computer (the one-command demo, tests), where nobody else sees the traffic.
 */

const CLEAR_TO_SECURE: Readonly<Record<string, string>> = { 'http:': 'https:', 'ws:': 'wss:' };
const SECURE = new Set(Object.values(CLEAR_TO_SECURE));

/**
 * Loopback as a WHATWG URL spells it: 127.0.0.0/8 (the URL parser already normalised "127.1" or
 * "2130706433" to dotted quads), [::1], and "localhost". Nothing else: a LAN address or a name
 * that happens to resolve to 127.0.0.1 today is still a network path tomorrow.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Why `url` must not carry credentials, or null when it may. `what` names it for the agent
 * ("provisioning URL", "SIP WebSocket URL"). Only the http(s)/ws(s) families are judged; each
 * caller's own schema already decides which family it accepts.
 */
export function insecureTransportProblem(url: string, what: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `the ${what} is not a valid URL: ${url}`;
  }
  if (SECURE.has(parsed.protocol)) return null;
  const secure = CLEAR_TO_SECURE[parsed.protocol];
  if (!secure || isLoopbackHostname(parsed.hostname)) return null;
  return (
    `the server must use https:// (and wss://) unless it is this computer: the ${what} ${parsed.origin} ` +
    `is ${parsed.protocol}// to ${parsed.hostname}, which would send your password in clear; ` +
    `ask your administrator for its ${secure}// address`
  );
}

/** The first provisioned address that breaks the rule (SIP WebSockets in order, then control plane), or null. */
export function clientConfigTransportProblem(config: Pick<ClientConfig, 'sip' | 'controlPlaneUrl'>): string | null {
  const sipUrls = [config.sip.wsUrl, ...(config.sip.fallbackWsUrls ?? [])];
  return (
    sipUrls.map((url) => insecureTransportProblem(url, 'SIP WebSocket URL')).find((problem) => problem !== null) ??
    insecureTransportProblem(config.controlPlaneUrl, 'control plane URL')
  );
}
