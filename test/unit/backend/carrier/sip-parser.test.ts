import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSipMessage, type ParseResult } from '../../../../backend/carrier/sip/parser.js';
import {
  createRequest,
  createResponse,
  headerValue,
  headerValues,
  serializeSipMessage,
  type SipMessage,
} from '../../../../backend/carrier/sip/message.js';
import { parseNameAddr, parseSipUri, parseVia } from '../../../../backend/carrier/sip/address.js';
import { TORTURE_DIR, tortureMissing } from './torture-vectors.js';

/** Torture tests skip loudly (with the reason) when the shared vectors are absent. */
const torture = { skip: tortureMissing ?? false };

const vector = (name: string): ParseResult => parseSipMessage(readFileSync(join(TORTURE_DIR, `${name}.dat`)));

function ok(name: string): SipMessage {
  const r = vector(name);
  assert.ok(r.ok, `${name} should parse, got: ${r.ok ? '' : r.error}`);
  return r.message;
}

test('every RFC 4475 torture message is handled without throwing', torture, () => {
  const files = readdirSync(TORTURE_DIR).filter((f) => f.endsWith('.dat'));
  assert.equal(files.length, 49);
  for (const f of files) {
    const r = parseSipMessage(readFileSync(join(TORTURE_DIR, f)));
    assert.equal(typeof r.ok, 'boolean', f);
    if (!r.ok) assert.ok(r.error.length > 0, `${f} rejected without a reason`);
  }
});

test('RFC 4475 §3.1.1 valid messages parse with the right method or status', torture, () => {
  const expected: Record<string, string | number> = {
    wsinv: 'INVITE',
    intmeth: "!interesting-Method0123456789_*+`.%indeed'~",
    esc01: 'INVITE',
    escnull: 'REGISTER',
    esc02: 'RE%47IST%45R',
    lwsdisp: 'OPTIONS',
    longreq: 'INVITE',
    dblreq: 'REGISTER',
    semiuri: 'OPTIONS',
    transports: 'OPTIONS',
    mpart01: 'MESSAGE',
    unreason: 200,
    noreason: 100,
    inv2543: 'INVITE',
  };
  for (const [name, want] of Object.entries(expected)) {
    const m = ok(name);
    assert.equal(m.kind === 'request' ? m.method : m.status, want, name);
  }
});

test('wsinv: folded, oddly spaced and compact headers come out canonical', torture, () => {
  const m = ok('wsinv');
  assert.equal(m.kind, 'request');
  assert.equal(headerValue(m, 'Call-ID'), 'wsinv.ndaksdj@192.0.2.1');
  assert.equal(headerValue(m, 'CSeq'), '0009 INVITE');
  assert.equal(parseNameAddr(headerValue(m, 'To')!)?.params.get('tag'), '1918181833n');
  assert.equal(parseNameAddr(headerValue(m, 'From')!)?.params.get('tag'), '98asjd8');
  assert.equal(parseNameAddr(headerValue(m, 'From')!)?.display, 'J Rosenberg \\"');
  const vias = headerValues(m, 'Via');
  assert.equal(vias.length, 3, 'one Via line + a compact v: line holding two entries');
  assert.equal(parseVia(vias[1]!)?.params.get('branch'), 'z9hG4bK9ikj8');
  assert.equal(parseVia(vias[2]!)?.host, '192.168.255.111');
  assert.equal(m.body.length, 150);
});

test('dblreq: the second request in the datagram is ignored (Content-Length 0)', torture, () => {
  const m = ok('dblreq');
  assert.equal(m.body.length, 0);
  assert.equal(headerValue(m, 'Call-ID'), 'dblreq.0ha0isndaksdj99sdfafnl3lk233412');
});

test('mpart01: the binary body is kept byte for byte', torture, () => {
  const raw = readFileSync(join(TORTURE_DIR, 'mpart01.dat'));
  const m = ok('mpart01');
  assert.equal(m.body.length, 553);
  assert.deepEqual(m.body, raw.subarray(raw.length - 553));
});

test('RFC 4475 invalid requests are rejected with the status a UAS answers', torture, () => {
  const expected: Record<string, number> = {
    badinv01: 400, // empty Via parameters
    clerr: 400, // Content-Length larger than the body (UDP)
    ncl: 400, // negative Content-Length
    scalar02: 400, // CSeq overflow
    quotbal: 400, // unterminated quoted display name
    ltgtruri: 400, // <> around the Request-URI
    lwsruri: 400, // LWS inside the Request-URI
    lwsstart: 400, // several SP in the request line (rejecting is allowed)
    baddn: 400, // unquoted display name with a comma
    mismatch01: 400, // CSeq method differs from the request method
    badvers: 505, // SIP/7.0
    multi01: 400, // two From/To/CSeq/Call-ID values
    mcl01: 400, // two Content-Length values
    insuf: 400, // missing From
  };
  for (const [name, status] of Object.entries(expected)) {
    const r = vector(name);
    assert.equal(r.ok, false, `${name} must be rejected`);
    if (!r.ok) assert.equal(r.status, status, `${name}: ${r.error}`);
  }
});

test('RFC 4475 invalid responses are dropped, not answered', torture, () => {
  for (const name of ['bigcode', 'scalarlg']) {
    const r = vector(name);
    assert.equal(r.ok, false, name);
    if (!r.ok) assert.equal(r.status, undefined, `${name}: a response is never answered`);
  }
});

test('application-layer torture cases are well-formed at the parser level', torture, () => {
  for (const name of ['cparam01', 'cparam02', 'regescrt', 'unkscm', 'unksm2', 'novelsc', 'invut', 'sdp01', 'escruri', 'zeromf', 'bext01']) {
    ok(name);
  }
  // A non-SIP scheme parses as a message but is not a SIP URI (the UA answers 416).
  const unkscm = ok('unkscm');
  assert.equal(unkscm.kind === 'request' && parseSipUri(unkscm.uri), undefined);
});

test('serialize → parse round trip keeps start line, headers and body', () => {
  const req = createRequest(
    'INVITE',
    'sip:5550100@127.0.0.1:30040',
    [
      { name: 'Via', value: 'SIP/2.0/UDP 127.0.0.1:30050;rport;branch=z9hG4bKabc' },
      { name: 'From', value: '"Alice, A." <sip:alice@example.com>;tag=1' },
      { name: 'To', value: '<sip:5550100@example.com>' },
      { name: 'Call-ID', value: 'rt-1@x' },
      { name: 'CSeq', value: '7 INVITE' },
      { name: 'Content-Type', value: 'application/sdp' },
    ],
    Buffer.from('v=0\r\n'),
  );
  const r = parseSipMessage(serializeSipMessage(req));
  assert.ok(r.ok);
  assert.equal(r.message.kind, 'request');
  assert.equal(r.message.kind === 'request' && r.message.uri, 'sip:5550100@127.0.0.1:30040');
  assert.equal(headerValue(r.message, 'Content-Length'), '5');
  assert.equal(parseNameAddr(headerValue(r.message, 'From')!)?.display, 'Alice, A.');
  assert.equal(r.message.body.toString(), 'v=0\r\n');

  const res = createResponse(req, 180, { toTag: 'xyz' });
  const rr = parseSipMessage(serializeSipMessage(res));
  assert.ok(rr.ok && rr.message.kind === 'response');
  assert.equal(rr.ok && rr.message.kind === 'response' && rr.message.reason, 'Ringing');
  assert.equal(parseNameAddr(headerValue(rr.message, 'To')!)?.params.get('tag'), 'xyz');
});

/** The parser has a last-resort catch; garbage must be handled by the parsing code itself. */
function assertHandled(buf: Buffer): void {
  const r = parseSipMessage(buf);
  assert.ok(r.ok || !r.error.startsWith('parser failure'), r.ok ? '' : r.error);
}

test('random garbage and truncations are rejected by the parsing code, never by an exception', torture, () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const base = readFileSync(join(TORTURE_DIR, 'wsinv.dat'));
  for (let i = 0; i < 2000; i++) {
    const buf = Buffer.from(base.subarray(0, Math.floor(rand() * base.length)));
    for (let k = 0; k < 5; k++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
    assertHandled(buf);
  }
  for (let i = 0; i < 500; i++) {
    const buf = Buffer.alloc(Math.floor(rand() * 300), 0).map(() => Math.floor(rand() * 256));
    assertHandled(Buffer.from(buf));
  }
});

test('responses add a To tag (except 100 Trying) when the request had none', () => {
  const req = createRequest('OPTIONS', 'sip:x@127.0.0.1', [
    { name: 'Via', value: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKt' },
    { name: 'From', value: '<sip:a@x>;tag=1' },
    { name: 'To', value: '<sip:x@x>' },
    { name: 'Call-ID', value: 't' },
    { name: 'CSeq', value: '1 OPTIONS' },
  ]);
  const tagOf = (status: number, toTag?: string) =>
    parseNameAddr(headerValue(createResponse(req, status, { toTag }), 'To')!)?.params.get('tag');
  assert.equal(tagOf(100), undefined);
  assert.match(tagOf(200) ?? '', /^[0-9a-f]{12}$/);
  assert.equal(tagOf(486, 'mine'), 'mine');
});
