/**
 * The server's "locked, retry after N s" (hole 6), read the same way by every client: SIP answers a
 * locked account `403 Locked` + `Retry-After: N`, the control plane `429` + `Retry-After: N`.
 * A lockout is not a wrong password: the agent's password may be right and someone else's failed
 * attempts (from the same office address) tripped it, so the phone waits N s and tries again.
 */

/**
 * Never wait longer than this, whatever the server says: a typo'd or hostile `Retry-After: 999999`
 * must not park an agent's phone for days. The server's lockouts are minutes long.
 */
export const MAX_LOCKOUT_WAIT_S = 15 * 60;

/** When a locked answer carries no usable Retry-After: long enough not to feed the lockout. */
export const DEFAULT_LOCKOUT_WAIT_S = 60;

/**
 * Seconds to wait from a Retry-After value, capped at MAX_LOCKOUT_WAIT_S; DEFAULT_LOCKOUT_WAIT_S
 * when absent or unreadable. Reads delta-seconds, the form both servers send; RFC 3261 allows a
 * comment and parameters after it ("120 (busy);duration=60"), which are ignored. An HTTP-date is
 * not sent by our servers and falls back to the default rather than being guessed at.
 */
export function lockoutWaitSeconds(retryAfter: string | null | undefined): number {
  const match = /^\s*(\d{1,9})(?:\s|;|\(|$)/.exec(retryAfter ?? '');
  if (!match) return DEFAULT_LOCKOUT_WAIT_S;
  // 0 would mean "retry at once", which only feeds the lockout: at least one second.
  return Math.min(MAX_LOCKOUT_WAIT_S, Math.max(1, Number(match[1])));
}

/** What the agent reads: who is locked out and why, so they do not start resetting a good password. */
export const LOCKED_OUT_TEXT = 'Too many failed sign-ins for this account from this network: locked';

/** A refused sign-in (control plane 429): the lockout and the wait, for an agent who retries by hand. */
export const lockedSignInMessage = (retryAfter: string | null | undefined): string =>
  `${LOCKED_OUT_TEXT}; try again in ${lockoutWaitSeconds(retryAfter)} s (your password may well be right)`;

/**
 * A sign-in refused because the admin disabled the account (control plane 403): no password will
 * help, so the agent is sent to the administrator rather than told the password is wrong.
 */
export const ACCOUNT_DISABLED_TEXT = 'this account is disabled: ask your administrator to enable it (a new password will not help)';
