/**
 * Parsers for the address-like header values the carrier relies on: name-addr / addr-spec
 * (From, To, Contact, Route, Refer-To), SIP URIs and Via. They return `undefined` on malformed
 * input instead of throwing, so the message parser can turn that into a 400.
 */
export type Params = Map<string, string | null>;

export interface NameAddr {
  readonly display?: string;
  readonly uri: string;
  readonly params: Params;
}

export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
  readonly params: Params;
}

export interface Via {
  readonly transport: string;
  readonly host: string;
  readonly port?: number;
  readonly params: Params;
}

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** `;a=1;b;c="x y"` → Map. Empty parameters (`;;`) make the whole list invalid. */
export function parseParams(text: string): Params | undefined {
  const params: Params = new Map();
  const trimmed = text.trim();
  if (trimmed === '') return params;
  if (!trimmed.startsWith(';')) return undefined;
  for (const raw of splitOutsideQuotes(trimmed.slice(1), ';')) {
    const part = raw.trim();
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (!TOKEN.test(name)) return undefined;
    const value = eq < 0 ? null : part.slice(eq + 1).trim();
    if (value !== null && value === '') return undefined;
    params.set(name.toLowerCase(), value);
  }
  return params;
}

function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === sep) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** name-addr (`"Bob" <sip:bob@x>;tag=1`) or addr-spec (`sip:bob@x;tag=1`). */
export function parseNameAddr(value: string): NameAddr | undefined {
  const text = value.trim();
  let display: string | undefined;
  let rest: string;
  if (text.startsWith('"')) {
    let i = 1;
    let out = '';
    for (; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\') i++;
      out += text[i] ?? '';
    }
    if (i >= text.length) return undefined; // unterminated quoted display name
    display = out;
    rest = text.slice(i + 1).trimStart();
    if (!rest.startsWith('<')) return undefined;
  } else {
    const lt = text.indexOf('<');
    if (lt >= 0) {
      const words = text.slice(0, lt).trim();
      // An unquoted display name may only be tokens separated by whitespace (RFC 3261 §25.1).
      if (words !== '' && !words.split(/\s+/).every((w) => TOKEN.test(w))) return undefined;
      display = words === '' ? undefined : words;
      rest = text.slice(lt);
    } else {
      const semi = text.indexOf(';');
      const uri = (semi < 0 ? text : text.slice(0, semi)).trim();
      if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri)) return undefined;
      const params = parseParams(semi < 0 ? '' : text.slice(semi));
      return params ? { uri, params } : undefined;
    }
  }
  const gt = rest.indexOf('>');
  if (gt < 0) return undefined;
  const uri = rest.slice(1, gt).trim();
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri)) return undefined;
  const params = parseParams(rest.slice(gt + 1));
  return params ? { display, uri, params } : undefined;
}

export function formatNameAddr(addr: { display?: string; uri: string; params?: Params }): string {
  const display = addr.display ? `"${addr.display.replace(/(["\\])/g, '\\$1')}" ` : '';
  let params = '';
  for (const [k, v] of addr.params ?? []) params += v === null ? `;${k}` : `;${k}=${v}`;
  return `${display}<${addr.uri}>${params}`;
}

/** `sip:user@host:port;params?headers` — only sip/sips; other schemes give undefined. */
export function parseSipUri(uri: string): SipUri | undefined {
  const m = /^(sips?):(?:([^@;?]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(?::(\d{1,5}))?((?:;[^?]*)?)(?:\?.*)?$/i.exec(uri.trim());
  if (!m) return undefined;
  const params = parseParams(m[5] ?? '');
  if (!params) return undefined;
  const port = m[4] === undefined ? undefined : Number(m[4]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  let user: string | undefined;
  if (m[2] !== undefined) {
    const userPart = m[2].split(':')[0]!; // drop a password
    try {
      user = decodeURIComponent(userPart);
    } catch {
      return undefined;
    }
  }
  return { scheme: m[1]!.toLowerCase() as 'sip' | 'sips', user, host: m[3]!, port, params };
}

/** One Via entry: `SIP/2.0/UDP host:port;branch=...`. */
export function parseVia(value: string): Via | undefined {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(?:\s*:\s*(\d{1,5}))?\s*(.*)$/i.exec(
    value.trim(),
  );
  if (!m) return undefined;
  const params = parseParams(m[4] ?? '');
  if (!params) return undefined;
  return { transport: m[1]!.toUpperCase(), host: m[2]!, port: m[3] ? Number(m[3]) : undefined, params };
}

/** Where to send a request whose next hop is `uri` (RFC 3263 without DNS SRV: host + port or 5060). */
export function hostPortOf(uri: string): { host: string; port: number } | undefined {
  const parsed = parseSipUri(uri);
  if (!parsed) return undefined;
  const host = parsed.host.startsWith('[') ? parsed.host.slice(1, -1) : parsed.host;
  return { host, port: parsed.port ?? 5060 };
}
