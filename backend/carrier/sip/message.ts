/**
 * SIP message model and serializer. Header names are kept in their canonical long form (the
 * parser expands compact forms), so lookups compare case-insensitively against one spelling.
 */
import { newTag } from './ids.js';

export interface SipHeader {
  readonly name: string;
  readonly value: string;
}

interface SipMessageBase {
  headers: SipHeader[];
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: 'request';
  method: string;
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Headers whose value may be a comma-separated list of entries (RFC 3261 §7.3.1). */
const LIST_HEADERS = new Set(['via', 'route', 'record-route', 'contact', 'allow', 'supported', 'require']);

export function headerValue(msg: SipMessage, name: string): string | undefined {
  const lower = name.toLowerCase();
  return msg.headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** Every entry of a header, with comma-separated list headers split into their entries. */
export function headerValues(msg: SipMessage, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const h of msg.headers) {
    if (h.name.toLowerCase() !== lower) continue;
    if (LIST_HEADERS.has(lower)) out.push(...splitHeaderList(h.value));
    else out.push(h.value);
  }
  return out;
}

/** Splits `a, "b,c" <sip:x;y=1,2>, d` on the commas that are outside quotes and angle brackets. */
export function splitHeaderList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** CSeq numbers are 32-bit unsigned (RFC 3261 §8.1.1.5 says < 2**31 for new requests). */
export function parseCSeq(value: string | undefined): CSeq | undefined {
  const m = /^(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const seq = Number(m[1]);
  if (seq > 0xffffffff) return undefined;
  return { seq, method: m[2]! };
}

export function serializeSipMessage(msg: SipMessage): Buffer {
  const startLine = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [startLine];
  for (const h of msg.headers) {
    if (h.name.toLowerCase() === 'content-length') continue;
    lines.push(`${h.name}: ${h.value}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), msg.body]);
}

export function createRequest(method: string, uri: string, headers: SipHeader[], body?: Buffer): SipRequest {
  return { kind: 'request', method, uri, headers: [...headers], body: body ?? Buffer.alloc(0) };
}

const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  502: 'Bad Gateway',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 300 ? 'OK' : 'Error');
}

/**
 * A response to `req` per RFC 3261 §8.2.6: Via, From, To, Call-ID and CSeq copied. A request
 * without a To tag gets one in every response but 100: the caller's (the dialog's local tag),
 * or a fresh one.
 */
export function createResponse(
  req: SipRequest,
  status: number,
  opts: { toTag?: string; headers?: SipHeader[]; body?: Buffer; reason?: string } = {},
): SipResponse {
  const headers: SipHeader[] = [];
  for (const h of req.headers) {
    const n = h.name.toLowerCase();
    if (n === 'via' || n === 'from' || n === 'call-id' || n === 'cseq') headers.push(h);
    else if (n === 'to') {
      const needsTag = status > 100 && !/;\s*tag=/i.test(h.value);
      headers.push(needsTag ? { name: 'To', value: `${h.value};tag=${opts.toTag ?? newTag()}` } : h);
    } else if (n === 'record-route' && status >= 101 && status < 300) headers.push(h);
  }
  headers.push(...(opts.headers ?? []));
  return {
    kind: 'response',
    status,
    reason: opts.reason ?? reasonPhrase(status),
    headers,
    body: opts.body ?? Buffer.alloc(0),
  };
}
