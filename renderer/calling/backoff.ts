/**
 * How long to wait before reconnect attempt `attempt` (0-based): exponential with "full jitter",
 * so a fleet of agents dropped by the same server restart does not reconnect in lockstep.
 * `random` is injected (Math.random in production) to keep this pure.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000 };

export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be ≥ 0 (got ${attempt})`);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  // Never below half the ceiling: a retry storm of near-zero delays helps nobody.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
