/**
 * Which signaling server (SIP WebSocket URL) the agent's line tries next (pure). The account lists
 * one or more Kamailio nodes (`sip.wsUrl` first, then `sip.fallbackWsUrls`); the line stays on the
 * server that works and moves on only when the connection is lost or cannot be opened.
 *
 *            connected + registered
 *   ┌──────────────────────────────────────────────┐
 *   ▼                                              │
 *  on server i, 0 failures ──transport failure──▶ on server i+1 (mod n), failures = k
 *                                                  │  k < n: some server not tried yet →
 *                                                  │         try it after a short jittered pause
 *                                                  │  k ≥ n: every server failed in a row →
 *                                                  │         the caller's backoff (round k/n)
 *                                                  └─ another transport failure: k + 1
 *
 * A registration the server *refused* (wrong password, locked, disabled) is not a reason to move:
 * nodes share the agents table, so another node would refuse it too, and hopping between nodes
 * must not become a way around a lockout. The pause before a failover is jittered so a node's
 * agents do not all reconnect to the survivor in the same millisecond.
 */
export interface ServerRotation {
  readonly urls: readonly string[];
  /** Index of the server the next attempt uses. */
  readonly index: number;
  /** Transport failures in a row since the line last registered. */
  readonly failuresInRow: number;
}

/** Upper bound of the jittered pause before trying the next, untried server. */
export const FAILOVER_MAX_PAUSE_MS = 1000;

/** The rotation for an account's server list (primary first); duplicates are tried once. */
export function startRotation(primary: string, fallbacks: readonly string[] = []): ServerRotation {
  return { urls: [...new Set([primary, ...fallbacks])], index: 0, failuresInRow: 0 };
}

export function currentServer(rotation: ServerRotation): string {
  return rotation.urls[rotation.index]!;
}

/** Registered: stay on this server, forget the failures. */
export function afterRegistered(rotation: ServerRotation): ServerRotation {
  return rotation.failuresInRow === 0 ? rotation : { ...rotation, failuresInRow: 0 };
}

export type FailoverStep =
  /** A server not tried since the last success: go there after `pauseMs`. */
  | { readonly kind: 'failover'; readonly rotation: ServerRotation; readonly pauseMs: number }
  /** Every server failed in a row: the caller waits its backoff for retry number `round`. */
  | { readonly kind: 'backoff'; readonly rotation: ServerRotation; readonly round: number };

/** The connection could not be opened or was lost: the next server, and how to wait for it. */
export function afterTransportFailure(rotation: ServerRotation, random: () => number): FailoverStep {
  const n = rotation.urls.length;
  const failuresInRow = rotation.failuresInRow + 1;
  const next: ServerRotation = { ...rotation, index: (rotation.index + 1) % n, failuresInRow };
  if (failuresInRow < n) return { kind: 'failover', rotation: next, pauseMs: Math.round(FAILOVER_MAX_PAUSE_MS * random()) };
  return { kind: 'backoff', rotation: next, round: Math.floor(failuresInRow / n) };
}
