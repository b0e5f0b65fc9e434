/**
 * Retry delays (pure) — the one backoff every process uses: the stack supervisor's restarts, the
 * control plane's database connect, the calling core's SIP reconnect and the host's TURN
 * credential refresh. Exponential from `baseMs`, capped at `maxMs`, with jitter (a uniform draw in
 * [delay/2, delay]) so components, control planes or a fleet of agents that failed together do
 * not retry in lock-step against the same recovering dependency; never below half the ceiling,
 * because a retry storm of near-zero delays helps nobody.
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Delay before retry number `attempt` (1 = the first retry). `random` returns [0, 1). */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`backoff attempt must be an integer ≥ 1 (got ${attempt})`);
  // 2^30 already exceeds any sane cap; clamping the exponent keeps the product finite.
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
