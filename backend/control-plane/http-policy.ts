/**
 * HTTP policies of the control plane (pure): CORS origin matching and credential parsing. The web
 * softphone's Content-Security-Policy is common/content-security-policy.ts, shared with the desktop app.
 */

/** Origins allowed to call the API cross-origin: configured ones and the desktop app's `app://`. */
export function isAllowedOrigin(origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes(origin)) return true;
  return /^app:\/\/[a-z0-9.-]+$/i.test(origin);
}

export function parseBasicAuth(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function parseBearer(header: string | undefined): string | null {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  return m ? m[1]! : null;
}

