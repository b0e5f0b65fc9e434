/**
 * Slows down password guessing on the HTTP API (pure; the clock is injected): after `maxFailures`
 * failed sign-ins for one key (source address + username) within `windowMs`, that key is refused
 * until the window has passed — even with the right password, so guessing cannot be confirmed.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const t = this.now();
    const kept = (this.failures.get(key) ?? []).filter((at) => t - at < this.windowMs);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  /** Seconds until `key` may try again, or 0 when it may try now. */
  blockedForSec(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - this.now()) / 1000));
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.set(key, recent);
    // Bound memory under a spray of usernames: forget the oldest keys beyond 10 000.
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }
}
