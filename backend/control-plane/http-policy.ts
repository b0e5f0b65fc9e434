/**
 * Credential parsing of the control plane (pure). Its web softphone's Content-Security-Policy is
 * common/content-security-policy.ts and its CORS rule common/origin-allow-list.ts, both shared.
 */

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
