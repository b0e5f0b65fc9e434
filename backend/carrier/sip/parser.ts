/**
 * SIP message parser for datagrams. Never throws: garbage gives `{ ok: false }` with the status a
 * UAS should answer with (when the start line was a request and enough headers survived to
 * build a response) or no status (the message must be dropped silently).
 */
import { parseNameAddr, parseVia } from './address.js';
import { parseCSeq, type SipHeader, type SipMessage, type SipRequest } from './message.js';

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; error: string; status?: number; request?: SipRequest };

/** RFC 3261 §7.3.3 compact forms, plus the ones from RFC 3515/3265/4028 the carrier meets. */
const COMPACT_FORMS: Record<string, string> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  r: 'Refer-To',
  o: 'Event',
  b: 'Referred-By',
  u: 'Allow-Events',
  x: 'Session-Expires',
};

const CANONICAL = new Map(
  [
    'Via',
    'From',
    'To',
    'Call-ID',
    'CSeq',
    'Contact',
    'Max-Forwards',
    'Route',
    'Record-Route',
    'Content-Type',
    'Content-Length',
    'Event',
    'Refer-To',
    'Referred-By',
    'Subscription-State',
    'Allow',
    'Supported',
    'Require',
    'User-Agent',
    'Expires',
  ].map((n) => [n.toLowerCase(), n]),
);

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const MANDATORY = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];
/** Headers that must not appear twice: two values leave the message ambiguous (RFC 4475 §3.3.9/§3.3.10). */
const SINGLETONS = ['From', 'To', 'Call-ID', 'CSeq', 'Content-Length', 'Max-Forwards', 'Content-Type'];

function canonicalName(raw: string): string {
  const lower = raw.toLowerCase();
  return COMPACT_FORMS[lower] ?? CANONICAL.get(lower) ?? raw;
}

export function parseSipMessage(data: Buffer): ParseResult {
  try {
    return parseUnsafe(data);
  } catch (err) {
    // Defensive: a parser bug must cost one message, never the process.
    return { ok: false, error: `parser failure: ${(err as Error).message}` };
  }
}

function parseUnsafe(data: Buffer): ParseResult {
  // Tolerate leading CRLFs (keep-alives, RFC 5626) before the start line.
  let offset = 0;
  while (offset < data.length && (data[offset] === 0x0d || data[offset] === 0x0a)) offset++;
  if (offset === data.length) return { ok: false, error: 'empty datagram' };

  let headerEnd = data.indexOf('\r\n\r\n', offset);
  let sepLen = 4;
  if (headerEnd < 0) {
    headerEnd = data.indexOf('\n\n', offset);
    sepLen = 2;
  }
  // A datagram with no blank line is all header section (e.g. RFC 4475 baddn as stored).
  const headerText = data.subarray(offset, headerEnd < 0 ? data.length : headerEnd).toString('utf8');
  const rawBody = headerEnd < 0 ? Buffer.alloc(0) : data.subarray(headerEnd + sepLen);

  const lines = headerText.split(/\r?\n/);
  const startLine = lines.shift() ?? '';
  const headers: SipHeader[] = [];
  let headerError: string | undefined;
  for (const line of lines) {
    if (line === '') continue; // a datagram may end right after the last header's CRLF
    if (/^[ \t]/.test(line)) {
      const last = headers.pop();
      if (!last) {
        headerError = 'continuation line before any header';
        continue;
      }
      headers.push({ name: last.name, value: `${last.value} ${line.trim()}` });
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    if (!TOKEN.test(name)) {
      headerError = `malformed header line: ${JSON.stringify(line.slice(0, 40))}`;
      continue;
    }
    headers.push({ name: canonicalName(name), value: line.slice(colon + 1).trim() });
  }

  const response = /^SIP\/2\.0 (\d+) ?(.*)$/.exec(startLine);
  if (response) {
    const status = Number(response[1]);
    if (response[1]!.length !== 3 || status < 100 || status > 699) {
      return { ok: false, error: `bad status code ${response[1]!.slice(0, 12)}` };
    }
    const message: SipMessage = { kind: 'response', status, reason: response[2] ?? '', headers, body: rawBody };
    const problem = headerError ?? validateCommon(message);
    if (problem) return { ok: false, error: problem };
    const body = bodyFor(message, rawBody);
    if (typeof body === 'string') return { ok: false, error: body };
    message.body = body;
    return { ok: true, message };
  }

  const parts = startLine.split(' ');
  if (parts.length !== 3 || parts.some((p) => p === '')) {
    const best = bestEffortRequest(parts, headers, rawBody);
    return { ok: false, error: `malformed request line: ${JSON.stringify(startLine.slice(0, 60))}`, status: 400, request: best };
  }
  const [method, uri, version] = parts as [string, string, string];
  const request: SipRequest = { kind: 'request', method, uri, headers, body: rawBody };
  if (!TOKEN.test(method)) return { ok: false, error: `bad method ${JSON.stringify(method.slice(0, 20))}` };
  if (!/^SIP\/\d+\.\d+$/i.test(version)) return { ok: false, error: `bad SIP version ${version.slice(0, 20)}`, status: 400, request };
  if (version.toUpperCase() !== 'SIP/2.0') return { ok: false, error: `unsupported SIP version ${version}`, status: 505, request };
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]+$/.test(uri)) {
    return { ok: false, error: `malformed Request-URI ${JSON.stringify(uri.slice(0, 60))}`, status: 400, request };
  }
  const problem = headerError ?? validateCommon(request);
  if (problem) return { ok: false, error: problem, status: 400, request };
  const cseq = parseCSeq(headerValueOf(headers, 'CSeq'))!;
  if (cseq.method !== method) return { ok: false, error: `CSeq method ${cseq.method} does not match ${method}`, status: 400, request };
  const body = bodyFor(request, rawBody);
  if (typeof body === 'string') return { ok: false, error: body, status: 400, request };
  request.body = body;
  return { ok: true, message: request };
}

function headerValueOf(headers: SipHeader[], name: string): string | undefined {
  return headers.find((h) => h.name === name)?.value;
}

function validateCommon(msg: SipMessage): string | undefined {
  for (const name of MANDATORY) {
    if (!msg.headers.some((h) => h.name === name)) return `missing ${name} header`;
  }
  for (const name of SINGLETONS) {
    if (msg.headers.filter((h) => h.name === name).length > 1) return `${name} header appears more than once`;
  }
  const cseq = parseCSeq(headerValueOf(msg.headers, 'CSeq'));
  if (!cseq || cseq.seq > 0x7fffffff) return `invalid CSeq ${headerValueOf(msg.headers, 'CSeq')?.slice(0, 30)}`;
  for (const name of ['From', 'To']) {
    if (!parseNameAddr(headerValueOf(msg.headers, name)!)) return `malformed ${name} header`;
  }
  const via = headerValueOf(msg.headers, 'Via')!;
  // Only the top Via matters to a UA (it is where the response goes).
  const topVia = via.split(',')[0]!;
  if (!parseVia(topVia)) return 'malformed Via header';
  return undefined;
}

/** Applies Content-Length to the bytes after the blank line; a string return is the error. */
function bodyFor(msg: SipMessage, rawBody: Buffer): Buffer | string {
  const cl = headerValueOf(msg.headers, 'Content-Length');
  if (cl === undefined) return rawBody; // UDP: the datagram ends the body
  if (!/^\d{1,9}$/.test(cl)) return `invalid Content-Length ${cl.slice(0, 20)}`;
  const length = Number(cl);
  if (length > rawBody.length) return `Content-Length ${length} exceeds the ${rawBody.length} body bytes received`;
  // Bytes beyond Content-Length (e.g. a second message in the datagram) are ignored (RFC 3261 §18.3).
  return rawBody.subarray(0, length);
}

function bestEffortRequest(parts: string[], headers: SipHeader[], body: Buffer): SipRequest | undefined {
  const method = parts.find((p) => p !== '');
  if (!method || !TOKEN.test(method)) return undefined;
  return { kind: 'request', method, uri: '', headers, body };
}
