/**
 * The OS proxy settings the CLI honours when the environment names none: Windows (WinINET,
 * `reg query …\Internet Settings`) and macOS (`scutil --proxy`). Pure parsers over the commands'
 * text; the probe runs the commands. A PAC script cannot be evaluated here (Electron's resolver
 * does it in the app), so it is reported as such.
 */
import { bypassed, defaultPort, isSecureUrl } from './proxy.js';

export interface SystemProxySettings {
  /** host:port per scheme; `https` also carries wss:// (browsers tunnel the upgrade with CONNECT). */
  http: string | null;
  https: string | null;
  bypass: string[];
  pacUrl: string | null;
}

/** `reg query "HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"` output. */
export function parseWindowsInternetSettings(text: string): SystemProxySettings | null {
  const value = (name: string) => new RegExp(`^\\s*${name}\\s+REG_\\w+\\s+(.*)$`, 'mi').exec(text)?.[1]?.trim() ?? null;
  const enabled = /^0x0*1$/i.test(value('ProxyEnable') ?? '');
  const pacUrl = value('AutoConfigURL');
  const server = enabled ? value('ProxyServer') : null;
  if (!server && !pacUrl) return null;
  let http: string | null = null;
  let https: string | null = null;
  if (server?.includes('=')) {
    // "http=a:80;https=b:443;socks=c:1080": one proxy per scheme
    for (const part of server.split(';')) {
      const [scheme, hostPort] = part.split('=');
      if (scheme?.trim().toLowerCase() === 'http') http = hostPort?.trim() ?? null;
      if (scheme?.trim().toLowerCase() === 'https') https = hostPort?.trim() ?? null;
    }
  } else if (server) {
    http = https = server.replace(/^https?:\/\//, '');
  }
  const bypass = (value('ProxyOverride') ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  return { http, https, bypass, pacUrl };
}

/** `scutil --proxy` output (macOS dictionary dump). */
export function parseScutilProxy(text: string): SystemProxySettings | null {
  const key = (name: string) => new RegExp(`^\\s*${name}\\s*:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? null;
  const hostPort = (prefix: string) =>
    key(`${prefix}Enable`) === '1' && key(`${prefix}Proxy`) ? `${key(`${prefix}Proxy`)}:${key(`${prefix}Port`) ?? '80'}` : null;
  const pacUrl = key('ProxyAutoConfigEnable') === '1' ? key('ProxyAutoConfigURLString') : null;
  const http = hostPort('HTTP');
  const https = hostPort('HTTPS');
  if (!http && !https && !pacUrl) return null;
  const list = /ExceptionsList\s*:\s*<array>\s*\{([^}]*)\}/m.exec(text)?.[1] ?? '';
  const bypass = [...list.matchAll(/^\s*\d+\s*:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
  return { http, https, bypass, pacUrl };
}

/** PAC-style answer for `url` under these settings; "PAC <url>" when only a script decides. */
export function proxyFromSystem(url: string, s: SystemProxySettings): string {
  const u = new URL(url);
  if (bypassed(u.hostname.toLowerCase(), defaultPort(u), s.bypass)) return 'DIRECT';
  const server = isSecureUrl(u) ? s.https : s.http;
  if (server) return `PROXY ${server}`;
  return s.pacUrl ? `PAC ${s.pacUrl}` : 'DIRECT';
}
