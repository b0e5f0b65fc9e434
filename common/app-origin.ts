/**
 * The app's own origin. Content is served from a custom privileged scheme rather than file:// so
 * that it has a real origin (permissions, CSP and IPC sender checks can name it) and cannot read
 * arbitrary local files.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'clearline';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * `scheme://host[:port]` of a URL, or null when it has none. WHATWG `URL.origin` is the string
 * "null" for non-special schemes such as app://, so it cannot be used to compare app origins.
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!parsed.host) return null;
  return `${parsed.protocol}//${parsed.host}`.toLowerCase();
}

export const isSameOrigin = (url: string, origin: string): boolean => originOf(url) === origin.toLowerCase();
