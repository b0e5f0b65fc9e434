import { setTimeout as sleep } from 'node:timers/promises';
import type { FailureLimiter } from './failure-limiter.js';

/** One credential check under the limiter: refused unchecked while locked, else what `verify` found (null: wrong). */
export type LimitedCheck<T> =
  { readonly locked: true; readonly retryAfterSec: number } | { readonly locked: false; readonly found: T | null };

/**
 * How every sign-in path checks a credential (an agent's password as HTTP Basic, the admin token
 * as Bearer or in the admin page's form): not at all while `(ip, key)` is locked, after the delay
 * the limiter asks for, and counted either way — so no path is a way around the lock. The caller
 * answers a locked check with 429 + Retry-After in its own words.
 */
export async function checkLimited<T>(
  limiter: FailureLimiter,
  ip: string,
  key: string,
  verify: () => Promise<T | null | undefined>,
): Promise<LimitedCheck<T>> {
  const admission = limiter.admit(ip, key);
  if (!admission.allowed) return { locked: true, retryAfterSec: admission.retryAfterSec };
  if (admission.delayMs > 0) await sleep(admission.delayMs);
  const found = (await verify()) ?? null;
  if (found === null) limiter.fail(ip, key);
  else limiter.succeed(ip, key);
  return { locked: false, found };
}
