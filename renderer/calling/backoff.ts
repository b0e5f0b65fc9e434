import { backoffDelayMs as retryDelayMs, type BackoffPolicy } from '../../common/backoff.js';

/** How long the calling core waits before SIP reconnect attempts: the common backoff, 1 s to 30 s. */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };

/** Delay before reconnect attempt `attempt` (0-based, as the connection counts them). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return retryDelayMs(policy, attempt + 1, random);
}
