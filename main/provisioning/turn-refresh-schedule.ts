/**
 * When to fetch new TURN REST credentials. They expire `ttl` seconds after issue and a call that
 * starts (or ICE-restarts) with stale ones loses its relay, so: refresh at 80% of the lifetime,
 * and when that fails retry with exponential backoff instead of hammering the control plane.
 */
export interface TurnRefreshPolicy {
  /** Fraction of the lifetime after which credentials count as due for refresh. */
  refreshAtFraction: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_TURN_REFRESH: TurnRefreshPolicy = {
  refreshAtFraction: 0.8,
  retryBaseMs: 2_000,
  retryMaxMs: 60_000,
};

export interface IssuedCredentials {
  ttlSec: number;
  /** ms since epoch when they were received */
  issuedAt: number;
}

/** The moment (ms since epoch) credentials become due for refresh. */
export const refreshDueAt = (c: IssuedCredentials, policy = DEFAULT_TURN_REFRESH): number =>
  c.issuedAt + c.ttlSec * 1000 * policy.refreshAtFraction;

export const isFresh = (c: IssuedCredentials, now: number, policy = DEFAULT_TURN_REFRESH): boolean =>
  now < refreshDueAt(c, policy);

/**
 * Delay until the next refresh attempt. `failures` counts consecutive failed attempts since the
 * last success: 0 → wait for the 80% mark; n ≥ 1 → base·2^(n−1), capped.
 */
export function nextRefreshDelayMs(
  c: IssuedCredentials,
  now: number,
  failures: number,
  policy = DEFAULT_TURN_REFRESH,
): number {
  if (failures > 0) return Math.min(policy.retryBaseMs * 2 ** (failures - 1), policy.retryMaxMs);
  return Math.max(0, refreshDueAt(c, policy) - now);
}
