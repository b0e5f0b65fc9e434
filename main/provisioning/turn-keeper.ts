import type { TurnCredentials } from '../../common/contract/index.js';
import type { ScopedLogger } from '../logging/logger.js';
import { DEFAULT_TURN_REFRESH, isFresh, nextRefreshDelayMs, type TurnRefreshPolicy } from './turn-refresh-schedule.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref(); // a pending refresh must not keep a test process or the harness alive
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Keeps the signed-in agent's TURN credentials fresh in the background, following the pure
 * schedule, so `turn.refresh` at call setup normally answers from memory without a round trip.
 */
export class TurnKeeper {
  #credentials: TurnCredentials;
  #issuedAt: number;
  #failures = 0;
  #timer: unknown = null;
  #stopped = false;

  constructor(
    initial: TurnCredentials,
    private readonly fetchCredentials: () => Promise<TurnCredentials>,
    private readonly deps: { now: () => number; timers: Timers; log: ScopedLogger; policy?: TurnRefreshPolicy },
  ) {
    this.#credentials = initial;
    this.#issuedAt = deps.now();
    this.#schedule();
  }

  get failures(): number {
    return this.#failures;
  }

  /** Fresh credentials: from memory while before the 80% mark, otherwise fetched now. */
  async current(): Promise<TurnCredentials> {
    const issued = { ttlSec: this.#credentials.ttl, issuedAt: this.#issuedAt };
    if (isFresh(issued, this.deps.now(), this.deps.policy ?? DEFAULT_TURN_REFRESH)) return this.#credentials;
    return this.refreshNow();
  }

  async refreshNow(): Promise<TurnCredentials> {
    try {
      const next = await this.fetchCredentials();
      this.#credentials = next;
      this.#issuedAt = this.deps.now();
      this.#failures = 0;
      this.deps.log.info(`TURN credentials refreshed (ttl ${next.ttl} s)`);
      return next;
    } catch (error) {
      this.#failures += 1;
      this.deps.log.warn(`TURN credential refresh failed (attempt ${this.#failures}): ${(error as Error).message}`);
      throw error;
    } finally {
      this.#schedule();
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.deps.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#timer !== null) this.deps.timers.clearTimeout(this.#timer);
    const delay = nextRefreshDelayMs(
      { ttlSec: this.#credentials.ttl, issuedAt: this.#issuedAt },
      this.deps.now(),
      this.#failures,
      this.deps.policy ?? DEFAULT_TURN_REFRESH,
    );
    this.#timer = this.deps.timers.setTimeout(() => {
      this.#timer = null;
      this.refreshNow().catch(() => undefined); // already logged; the next attempt is scheduled
    }, delay);
  }
}
