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

function bypassed(hostname: string, port: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  return noProxy
    .split(/[,\s]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [host, entryPort] = entry.split(':');
      if (entryPort && entryPort !== port) return false;
      const h = host!.replace(/^\*?\./, '').toLowerCase();
      return hostname === h || hostname.endsWith(`.${h}`);
    });
}

/**
 * The proxy the environment applies to `url` as a PAC-style string ("DIRECT" or "PROXY h:p").
 * ws:// follows http_proxy and wss:// https_proxy, as browsers do for the upgrade request.
 */
export function proxyFromEnv(url: string, vars: Record<string, string | undefined>): string {
  const u = new URL(url);
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  const port = u.port || (secure ? '443' : '80');
  if (bypassed(u.hostname.toLowerCase(), port, env(vars, 'no_proxy'))) return 'DIRECT';
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
