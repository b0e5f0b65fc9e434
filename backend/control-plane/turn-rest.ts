import { createHmac } from 'node:crypto';
import type { TurnCredentials } from '../../common/provisioning-api.js';

/**
 * Lifetime of TURN credentials unless the operator says otherwise: credentials already handed out
 * cannot be revoked, so this bounds how long a disabled or deleted agent can still open a relay
 * (coturn checks the expiry on Allocate only: an allocation made before it keeps being refreshed).
 * Both clients (desktop and web) refresh them in the background before they expire.
 */
export const DEFAULT_TURN_TTL_SEC = 600;

/**
 * TURN REST credentials (draft-uberti-behave-turn-rest, coturn `use-auth-secret`): the username
 * is `<expiry unix seconds>:<agent>`, the password base64(HMAC-SHA1(secret, username)). coturn
 * recomputes the password and refuses the credential once the expiry has passed.
 */
export function turnRestCredentials(input: {
  secret: string;
  agent: string;
  ttlSec: number;
  nowMs: number;
  uris: readonly string[];
}): TurnCredentials {
  const expiry = Math.floor(input.nowMs / 1000) + input.ttlSec;
  const username = `${expiry}:${input.agent}`;
  const password = createHmac('sha1', input.secret).update(username).digest('base64');
  return { username, password, ttl: input.ttlSec, uris: [...input.uris] };
}

/** The TURN URIs of one coturn node: UDP and TCP on one port, TLS on another. */
export function turnUris(host: string, turnPort: number, turnsPort: number): string[] {
  const h = host.includes(':') ? `[${host}]` : host;
  return [`turn:${h}:${turnPort}?transport=udp`, `turn:${h}:${turnPort}?transport=tcp`, `turns:${h}:${turnsPort}?transport=tcp`];
}
