/**
 * Slows down password guessing on the HTTP API (pure; the clock is injected) without handing an
 * attacker a way to lock the real user out:
 *
 * - LOCK per (source address, username): `pairMaxFailures` failures within `windowMs` refuse that
 *   pair for `windowMs`, even with the right password (guessing cannot be confirmed). The real
 *   user on another address is not affected.
 * - LOCK per source address: `addressMaxFailures` failures for any usernames refuse the address,
 *   so spraying usernames (or flushing the tables with them) from one address stops early.
 *   IPv6 sources count per /64: one host can hold a whole /64. A user with a working session
 *   from that address (signed in there within `knownGoodMs`) is not refused by it: a spray
 *   from a shared office address does not lock out every colleague.
 * - SLOW-DOWN per username, never a lock: after `userSlowdownAfter` failures from anywhere, each
 *   attempt from an address that has not signed in as that user recently is answered after a
 *   delay (doubling, capped at `slowdownMaxMs`). An address with a working session is exempt.
 *
 * Left to an attacker behind the same address as the user: failing as that user locks the pair,
 * which is the same as the attacker's, so the real user waits out the window there.
 *
 * Memory and CPU are bounded: each table holds at most its cap of entries (`maxEntries`); when a
 * table is full, the oldest entry that is not locked is evicted; a locked entry is never evicted,
 * so no amount of junk unlocks a victim. A table full of locked entries (an attacker holding tens
 * of thousands of addresses) leaves new keys untracked until locks expire; the per-user slow-down
 * still applies to them.
 */

export interface LimiterPolicy {
  readonly windowMs: number;
  readonly pairMaxFailures: number;
  readonly addressMaxFailures: number;
  readonly userSlowdownAfter: number;
  readonly slowdownBaseMs: number;
  readonly slowdownMaxMs: number;
  /** How long a successful sign-in exempts its (address, username) from the per-user slow-down. */
  readonly knownGoodMs: number;
  /** Cap of each of the four tables (pairs, addresses, users, known-good pairs). */
  readonly maxEntries: number;
}

export const DEFAULT_LIMITER_POLICY: LimiterPolicy = {
  windowMs: 5 * 60_000,
  pairMaxFailures: 10,
  addressMaxFailures: 50,
  userSlowdownAfter: 5,
  slowdownBaseMs: 250,
  slowdownMaxMs: 2000,
  knownGoodMs: 12 * 60 * 60_000,
  maxEntries: 20_000,
};

export type Admission = { readonly allowed: true; readonly delayMs: number } | { readonly allowed: false; readonly retryAfterSec: number };

interface Counter {
  count: number;
  firstAt: number;
  lockedUntil: number;
}

/** Usernames longer than any valid one are cut: a key never costs more than this. */
const MAX_USERNAME_KEY = 64;
/** How many of the oldest entries an insert into a full table looks at for one it may evict. */
const EVICTION_SCAN = 64;

/** The address a budget is counted on: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class FailureLimiter {
  private readonly pairs = new Map<string, Counter>();
  private readonly addresses = new Map<string, Counter>();
  private readonly users = new Map<string, Counter>();
  private readonly knownGood = new Map<string, number>();

  constructor(
    private readonly policy: LimiterPolicy = DEFAULT_LIMITER_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a sign-in attempt may be checked now, and after what delay. */
  admit(ip: string, username: string): Admission {
    const t = this.now();
    const pair = pairKey(ip, username);
    const goodAt = this.knownGood.get(pair);
    const workingSession = goodAt !== undefined && t - goodAt < this.policy.knownGoodMs;
    // A working session is spared its address's lock (colleagues behind one NAT), never its own pair's.
    const addressLock = workingSession ? 0 : this.lockedUntil(this.addresses, addressKey(ip), t);
    const lockedUntil = Math.max(addressLock, this.lockedUntil(this.pairs, pair, t));
    if (lockedUntil > t) return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((lockedUntil - t) / 1000)) };
    if (workingSession) return { allowed: true, delayMs: 0 };
    const user = this.live(this.users, userKey(username), t);
    const over = (user?.count ?? 0) - this.policy.userSlowdownAfter;
    if (over < 0) return { allowed: true, delayMs: 0 };
    return { allowed: true, delayMs: Math.min(this.policy.slowdownMaxMs, this.policy.slowdownBaseMs * 2 ** Math.min(over, 16)) };
  }

  fail(ip: string, username: string): void {
    const t = this.now();
    this.count(this.addresses, addressKey(ip), this.policy.addressMaxFailures, t);
    this.count(this.pairs, pairKey(ip, username), this.policy.pairMaxFailures, t);
    this.count(this.users, userKey(username), Infinity, t);
  }

  /** A right password from an admitted attempt: the pair's failures are forgiven and it counts as a working session. */
  succeed(ip: string, username: string): void {
    const key = pairKey(ip, username);
    this.pairs.delete(key);
    this.knownGood.delete(key);
    if (this.knownGood.size >= this.policy.maxEntries) {
      // Losing an exemption only means the slow-down applies again: the oldest may go.
      this.knownGood.delete(this.knownGood.keys().next().value!);
    }
    this.knownGood.set(key, this.now());
  }

  /** Entries held across all tables (what the memory bound caps at 4 × maxEntries). */
  get size(): number {
    return this.pairs.size + this.addresses.size + this.users.size + this.knownGood.size;
  }

  private expired(c: Counter, t: number): boolean {
    return t - c.firstAt >= this.policy.windowMs && t >= c.lockedUntil;
  }

  private live(table: Map<string, Counter>, key: string, t: number): Counter | undefined {
    const c = table.get(key);
    if (c && this.expired(c, t)) {
      table.delete(key);
      return undefined;
    }
    return c;
  }

  private lockedUntil(table: Map<string, Counter>, key: string, t: number): number {
    return this.live(table, key, t)?.lockedUntil ?? 0;
  }

  private count(table: Map<string, Counter>, key: string, maxFailures: number, t: number): void {
    let c = this.live(table, key, t);
    if (!c) {
      if (!this.makeRoom(table, t)) return;
      c = { count: 0, firstAt: t, lockedUntil: 0 };
      table.set(key, c);
    } else if (t - c.firstAt >= this.policy.windowMs) {
      // The window passed while the key was locked: a new window begins.
      c.count = 0;
      c.firstAt = t;
    }
    c.count++;
    if (c.count >= maxFailures) c.lockedUntil = t + this.policy.windowMs;
  }

  /**
   * Frees a slot in a full table by evicting the oldest entry that is not locked (expired ones are
   * the oldest). Locked entries met on the way move to the back, so the next scan starts past them:
   * each insert costs at most EVICTION_SCAN steps, never a walk of the whole table (junk requests
   * must not buy CPU). False when only locked entries were met: the new key goes untracked.
   */
  private makeRoom(table: Map<string, Counter>, t: number): boolean {
    if (table.size < this.policy.maxEntries) return true;
    let scanned = 0;
    for (const [key, c] of table) {
      table.delete(key);
      if (c.lockedUntil <= t) return true;
      table.set(key, c);
      if (++scanned >= EVICTION_SCAN) break;
    }
    return false;
  }
}

function userKey(username: string): string {
  return username.slice(0, MAX_USERNAME_KEY);
}

function pairKey(ip: string, username: string): string {
  return `${ip}|${userKey(username)}`;
}
