/**
 * When to fetch fresh TURN credentials: at 80% of their lifetime, so the phone never offers
 * expired ones to coturn (which answers 401 and the call falls back to no relay). After a failed
 * refresh, retry sooner but never in a tight loop.
 */

export const REFRESH_FRACTION = 0.8;
export const MIN_REFRESH_DELAY_MS = 5_000;
export const RETRY_DELAY_MS = 30_000;
/** setTimeout's limit (2^31-1 ms); a longer ttl would otherwise fire immediately. */
const MAX_TIMER_MS = 2_147_483_647;

export function refreshDelayMs(ttlSeconds: number): number {
  const delay = Math.floor(ttlSeconds * 1000 * REFRESH_FRACTION);
  return Math.min(MAX_TIMER_MS, Math.max(MIN_REFRESH_DELAY_MS, delay));
}

/** After `failures` failed attempts in a row (1, 2, …): 30 s, 60 s, 120 s … capped at the normal delay. */
export function retryDelayMs(ttlSeconds: number, failures: number): number {
  const backoff = RETRY_DELAY_MS * 2 ** Math.min(Math.max(failures - 1, 0), 6);
  return Math.min(backoff, refreshDelayMs(ttlSeconds));
}
