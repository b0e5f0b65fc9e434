/**
 * How often one agent may send something the control plane stores (pure; the clock is injected):
 * at most `max` accepted uploads per `windowMs`, counted per agent over a sliding window. It bounds
 * what one stolen or misbehaving account can write; the per-agent cap of the store bounds what
 * stays. Memory is bounded too: at most `maxAgents` agents are tracked, the least recently seen
 * one is dropped first (which only ever lets that agent send again sooner, never locks anyone out).
 */
export interface UploadRatePolicy {
  readonly max: number;
  readonly windowMs: number;
  readonly maxAgents: number;
}

export const NETWORK_REPORT_UPLOAD_POLICY: UploadRatePolicy = { max: 5, windowMs: 10 * 60_000, maxAgents: 10_000 };

export class UploadRateLimiter {
  /** Per agent, the times of its accepted uploads within the window (insertion order = least recently seen first). */
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly policy: UploadRatePolicy,
    private readonly now: () => number,
  ) {}

  /** Admits and counts one upload, or says how many seconds until the next one is admitted. */
  take(agent: string): { allowed: true } | { allowed: false; retryAfterSec: number } {
    const t = this.now();
    const recent = (this.seen.get(agent) ?? []).filter((at) => at > t - this.policy.windowMs);
    this.seen.delete(agent);
    if (recent.length >= this.policy.max) {
      this.seen.set(agent, recent);
      return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((recent[0]! + this.policy.windowMs - t) / 1000)) };
    }
    recent.push(t);
    this.seen.set(agent, recent);
    if (this.seen.size > this.policy.maxAgents) this.seen.delete(this.seen.keys().next().value!);
    return { allowed: true };
  }
}
