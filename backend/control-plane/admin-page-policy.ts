/**
 * The admin page's session lifetimes, cookie and request-origin rules (pure, no Node imports:
 * the page's own script shares CSRF_HEADER).
 *
 * The session cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page or
 * link makes the browser send it), Path=/ (the page calls the admin API under /api), and Secure
 * when the page is served over TLS. Its Max-Age is the absolute session lifetime; the server ends
 * idle sessions earlier.
 *
 * A state-changing request must also come from the page itself: its Origin header equals the
 * origin the request was sent to (scheme + Host), and a Sec-Fetch-Site header, which browsers
 * set and pages cannot, when present, says same-origin. Together with the session's CSRF token
 * in a header (admin-sessions.ts) that is two independent checks.
 */

/** A session ends after this long without a request… */
export const ADMIN_SESSION_IDLE_MS = 30 * 60_000;
/** …and this long after sign-in, whatever happens. */
export const ADMIN_SESSION_ABSOLUTE_MS = 8 * 60 * 60_000;

export const ADMIN_SESSION_COOKIE = 'clearline_admin_session';
/** The header the page sends its session's CSRF token in (not a CORS-safelisted header: a cross-site request with it needs a preflight nobody answers). */
export const CSRF_HEADER = 'x-clearline-csrf';

export function sessionCookie(id: string, secure: boolean): string {
  return [
    `${ADMIN_SESSION_COOKIE}=${id}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(ADMIN_SESSION_ABSOLUTE_MS / 1000)}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** The Set-Cookie that makes the browser forget the session (sign-out, or an expired one). */
export function clearedSessionCookie(secure: boolean): string {
  return [`${ADMIN_SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', ...(secure ? ['Secure'] : [])].join('; ');
}

/** The session id from a Cookie header, or undefined. */
export function sessionIdFrom(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === ADMIN_SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** Why a state-changing request is not from the page's own origin, or null when it is. */
export function crossOriginReason(
  headers: { origin?: string; host?: string; 'sec-fetch-site'?: string | string[] },
  scheme: 'http' | 'https',
): string | null {
  const fetchSite = headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin') return `Sec-Fetch-Site is ${String(fetchSite)}`;
  if (!headers.origin) return 'no Origin header';
  if (!headers.host || headers.origin !== `${scheme}://${headers.host}`) return 'Origin is not this page';
  return null;
}
