import { createHash, randomBytes } from 'node:crypto';

/** A parsed SIP message (enough of RFC 3261 for the backend tests). */
export interface SipMessage {
  readonly startLine: string;
  readonly method: string | null; // requests
  readonly status: number | null; // responses
  readonly reason: string;
  readonly headers: ReadonlyArray<[string, string]>;
  readonly body: string;
}

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
};

export function parseSip(raw: string): SipMessage {
  const sep = raw.indexOf('\r\n\r\n');
  const head = sep >= 0 ? raw.slice(0, sep) : raw;
  const body = sep >= 0 ? raw.slice(sep + 4) : '';
  const [startLine = '', ...lines] = head.split('\r\n');
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    if (/^\s/.test(line) && headers.length) {
      headers[headers.length - 1]![1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.push([COMPACT[name] ?? name, line.slice(colon + 1).trim()]);
  }
  const resp = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(startLine);
  return {
    startLine,
    method: resp ? null : startLine.split(' ')[0]!,
    status: resp ? Number(resp[1]) : null,
    reason: resp ? resp[2]! : '',
    headers,
    body,
  };
}

export function header(msg: SipMessage, name: string): string | undefined {
  return msg.headers.find(([n]) => n === name.toLowerCase())?.[1];
}

export function headersAll(msg: SipMessage, name: string): string[] {
  // Multi-valued headers may also be comma-joined on one line (Record-Route, Via).
  return msg.headers.filter(([n]) => n === name.toLowerCase()).flatMap(([, v]) => v.split(/,(?=\s*<)/).map((s) => s.trim()));
}

export function tagOf(nameAddr: string | undefined): string | undefined {
  return /;tag=([^;>\s]+)/.exec(nameAddr ?? '')?.[1];
}

export function uriOf(nameAddr: string): string {
  const m = /<([^>]+)>/.exec(nameAddr);
  return m ? m[1]! : nameAddr.split(';')[0]!.trim();
}

export const rand = (n = 8) => randomBytes(n).toString('hex');
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Authorization header value answering a WWW-/Proxy-Authenticate Digest challenge (MD5). */
export function digestAnswer(challenge: string, o: { username: string; password: string; method: string; uri: string }): string {
  const param = (k: string) => new RegExp(`${k}="?([^",]+)"?`).exec(challenge)?.[1];
  const realm = param('realm') ?? '';
  const nonce = param('nonce') ?? '';
  const qop = param('qop');
  const ha1 = md5(`${o.username}:${realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  const base = `Digest username="${o.username}", realm="${realm}", nonce="${nonce}", uri="${o.uri}", algorithm=MD5`;
  if (
    qop &&
    qop
      .split(',')
      .map((s) => s.trim())
      .includes('auth')
  ) {
    const cnonce = rand(6);
    const nc = '00000001';
    const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    return `${base}, response="${response}", qop=auth, nc=${nc}, cnonce="${cnonce}"`;
  }
  return `${base}, response="${md5(`${ha1}:${nonce}:${ha2}`)}"`;
}

export function buildRequest(startLine: string, headers: ReadonlyArray<[string, string]>, body = ''): string {
  const lines = [startLine, ...headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${Buffer.byteLength(body)}`];
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

/** A response to `req` copying the headers RFC 3261 §8.2.6 requires. */
export function buildResponse(
  req: SipMessage,
  status: number,
  reason: string,
  o: { toTag?: string; extra?: ReadonlyArray<[string, string]>; body?: string } = {},
): string {
  const copy = (name: string) => req.headers.filter(([n]) => n === name).map(([, v]) => [name, v] as [string, string]);
  const to = header(req, 'to')!;
  const toWithTag = tagOf(to) || status === 100 ? to : `${to};tag=${o.toTag ?? rand(4)}`;
  const headers: Array<[string, string]> = [
    ...copy('via').map(([, v]) => ['Via', v] as [string, string]),
    ...copy('record-route').map(([, v]) => ['Record-Route', v] as [string, string]),
    ['From', header(req, 'from')!],
    ['To', toWithTag],
    ['Call-ID', header(req, 'call-id')!],
    ['CSeq', header(req, 'cseq')!],
    ...(o.extra ?? []),
  ];
  return buildRequest(`SIP/2.0 ${status} ${reason}`, headers, o.body ?? '');
}
