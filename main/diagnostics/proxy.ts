/**
 * Proxy resolution in the CLI, from the environment the way curl and most tools read it, and the
 * PAC-style answer format Electron's `session.resolveProxy` returns, so both feed one check.
 */
export interface ProxyServer {
  scheme: 'http' | 'https' | 'socks';
  host: string;
  port: number;
}

/** Parses a PAC result such as "PROXY a:8080; DIRECT" — the first entry is what is used. */
export function parsePacResult(result: string): ProxyServer | null {
  const first = result.split(';')[0]?.trim() ?? '';
  const m = /^(PROXY|HTTPS|SOCKS5?|SOCKS4)\s+\[?([^\]\s]+?)\]?:(\d+)$/i.exec(first);
  if (!m) return null;
  const kind = m[1]!.toUpperCase();
  const scheme = kind === 'PROXY' ? 'http' : kind === 'HTTPS' ? 'https' : 'socks';
  return { scheme, host: m[2]!, port: Number(m[3]) };
}

function env(vars: Record<string, string | undefined>, name: string): string | undefined {
  return vars[name.toLowerCase()] || vars[name.toUpperCase()] || undefined;
}

/**
 * Whether a bypass list (NO_PROXY entries, Windows ProxyOverride, macOS ExceptionsList) exempts
 * the host: "*", "host", ".domain" / "*.domain" (the domain and its subdomains), "host:port", and
 * Windows' "<local>" (names without a dot).
 */
export function bypassed(hostname: string, port: string, entries: string[]): boolean {
  return entries.some((entry) => {
    if (entry === '*') return true;
    if (entry.toLowerCase() === '<local>') return !hostname.includes('.');
    const [host, entryPort] = entry.split(':');
    if (entryPort && entryPort !== port) return false;
    const h = host!.replace(/^\*?\./, '').toLowerCase();
    return hostname === h || hostname.endsWith(`.${h}`);
  });
}

export const isSecureUrl = (u: URL) => u.protocol === 'https:' || u.protocol === 'wss:';
export const defaultPort = (u: URL) => u.port || (isSecureUrl(u) ? '443' : '80');

/** True when the environment names any proxy (then it wins over system settings, as in curl). */
export function envHasProxy(vars: Record<string, string | undefined>): boolean {
  return ['http_proxy', 'https_proxy', 'all_proxy'].some((n) => env(vars, n));
}

/**
 * The proxy the environment applies to `url` as a PAC-style string ("DIRECT" or "PROXY h:p").
 * ws:// follows http_proxy and wss:// https_proxy, as browsers do for the upgrade request.
 */
export function proxyFromEnv(url: string, vars: Record<string, string | undefined>): string {
  const u = new URL(url);
  const secure = isSecureUrl(u);
  const noProxy = (env(vars, 'no_proxy') ?? '').split(/[,\s]+/).filter(Boolean);
  if (bypassed(u.hostname.toLowerCase(), defaultPort(u), noProxy)) return 'DIRECT';
  const raw = (secure ? env(vars, 'https_proxy') : env(vars, 'http_proxy')) ?? env(vars, 'all_proxy');
  if (!raw) return 'DIRECT';
  let proxy: URL;
  try {
    proxy = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new Error(`${secure ? 'HTTPS_PROXY' : 'HTTP_PROXY'} is not a valid URL: ${raw}`);
  }
  const kind = proxy.protocol.startsWith('socks') ? 'SOCKS5' : proxy.protocol === 'https:' ? 'HTTPS' : 'PROXY';
  const pport = proxy.port || (proxy.protocol === 'https:' ? '443' : proxy.protocol.startsWith('socks') ? '1080' : '80');
  return `${kind} ${proxy.hostname}:${pport}`;
}
