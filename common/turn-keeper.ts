import type { TurnCredentials } from './contract/index.js';
import type { Timers } from './timers.js';
import { DEFAULT_TURN_REFRESH, isFresh, nextRefreshDelayMs, type TurnRefreshPolicy } from './turn-refresh-schedule.js';

export interface TurnKeeperDeps {
  now: () => number;
  timers: Timers;
  log: { info(message: string): void; warn(message: string): void };
  /** Told about every new set: the host pushes it to the renderer (`turn.credentials`). */
  onUpdate?: (credentials: TurnCredentials) => void;
  policy?: TurnRefreshPolicy;
  random?: () => number;
}

/**
 * Keeps the signed-in agent's TURN credentials fresh in the background — owned by the host (main
 * on the desktop, the web host in a browser), which pushes each new set to the calling core, so
 * there is one scheduler and one retry policy. `turn.refresh` at call setup normally answers
 * from memory without a round trip.
 */
export class TurnKeeper {
  #credentials: TurnCredentials;
  #issuedAt: number;
  #failures = 0;
  #timer: unknown = null;
  #inFlight: Promise<TurnCredentials> | null = null;
  #stopped = false;

  /** `issuedAt` defaults to now; 0 means "of unknown age" (restored from storage): due at once. */
  constructor(
    initial: TurnCredentials,
    private readonly fetchCredentials: () => Promise<TurnCredentials>,
    private readonly deps: TurnKeeperDeps,
    issuedAt = deps.now(),
  ) {
    this.#credentials = initial;
    this.#issuedAt = issuedAt;
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

  /** Fetches a new set; callers arriving while one is on its way share it. */
  refreshNow(): Promise<TurnCredentials> {
    this.#inFlight ??= this.#fetch().finally(() => (this.#inFlight = null));
    return this.#inFlight;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.deps.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #fetch(): Promise<TurnCredentials> {
    try {
      const next = await this.fetchCredentials();
      this.#credentials = next;
      this.#issuedAt = this.deps.now();
      this.#failures = 0;
      this.deps.log.info(`TURN credentials refreshed (ttl ${next.ttl} s)`);
      if (!this.#stopped) this.deps.onUpdate?.(next); // stopped: signed out meanwhile, nobody to tell
      return next;
    } catch (error) {
      this.#failures += 1;
      this.deps.log.warn(`TURN credential refresh failed (attempt ${this.#failures}): ${(error as Error).message}`);
      throw error;
    } finally {
      this.#schedule();
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#timer !== null) this.deps.timers.clearTimeout(this.#timer);
    const delay = nextRefreshDelayMs(
      { ttlSec: this.#credentials.ttl, issuedAt: this.#issuedAt },
      this.deps.now(),
      this.#failures,
      this.deps.policy ?? DEFAULT_TURN_REFRESH,
      this.deps.random,
    );
    this.#timer = this.deps.timers.setTimeout(() => {
      this.#timer = null;
      this.refreshNow().catch(() => undefined); // already logged; the next attempt is scheduled
    }, delay);
  }
}
