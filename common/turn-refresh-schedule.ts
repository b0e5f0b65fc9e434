import { backoffDelayMs } from './backoff.js';
import { MAX_TIMER_MS } from './timers.js';

/**
 * When a host fetches new TURN REST credentials. They expire `ttl` seconds after issue and a call
 * that starts (or ICE-restarts) with stale ones loses its relay (coturn answers 401), so: refresh
 * at 80% of the lifetime, and when that fails retry with the common backoff instead of hammering
 * the control plane.
 */
export interface TurnRefreshPolicy {
  /** Fraction of the lifetime after which credentials count as due for refresh. */
  readonly refreshAtFraction: number;
  /** A tiny ttl still leaves this long between refreshes: never a tight loop. */
  readonly minIntervalMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

export const DEFAULT_TURN_REFRESH: TurnRefreshPolicy = {
  refreshAtFraction: 0.8,
  minIntervalMs: 5_000,
  retryBaseMs: 2_000,
  retryMaxMs: 60_000,
};

export interface IssuedCredentials {
  readonly ttlSec: number;
  /** ms since epoch when they were received */
  readonly issuedAt: number;
}

/** The moment (ms since epoch) credentials become due for refresh. */
export const refreshDueAt = (c: IssuedCredentials, policy = DEFAULT_TURN_REFRESH): number =>
  c.issuedAt + Math.max(c.ttlSec * 1000 * policy.refreshAtFraction, policy.minIntervalMs);

export const isFresh = (c: IssuedCredentials, now: number, policy = DEFAULT_TURN_REFRESH): boolean => now < refreshDueAt(c, policy);

/**
 * Delay until the next refresh attempt. `failures` counts consecutive failed attempts since the
 * last success: 0 → wait for the 80% mark; n ≥ 1 → the common backoff from retryBaseMs to
 * retryMaxMs. Never beyond what a timer can wait.
 */
export function nextRefreshDelayMs(
  c: IssuedCredentials,
  now: number,
  failures: number,
  policy = DEFAULT_TURN_REFRESH,
  random: () => number = Math.random,
): number {
  const delay =
    failures > 0
      ? backoffDelayMs({ baseMs: policy.retryBaseMs, maxMs: policy.retryMaxMs }, failures, random)
      : Math.max(0, refreshDueAt(c, policy) - now);
  return Math.min(delay, MAX_TIMER_MS);
}
