import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { applySipEvent, dispositionOf, type CallRecord, type SipEvent } from '../../../backend/control-plane/call-records.js';
import { turnRestCredentials, turnUris } from '../../../backend/control-plane/turn-rest.js';
import { digestHa1 } from '../../../backend/control-plane/agents.js';
import { parseBasicAuth, parseBearer } from '../../../backend/control-plane/http-policy.js';
import { isAllowedOrigin, originAllowList } from '../../../common/origin-allow-list.js';
import { softphoneCsp } from '../../../common/content-security-policy.js';
import { buildCsp } from '../../../main/security/csp.js';
import { toPostgresPlaceholders } from '../../../backend/control-plane/db.js';
import { ensureSystemPackages, missingBinaries, missingPackages } from '../../../backend/preflight.js';

const ev = (over: Partial<SipEvent>): SipEvent => ({
  method: 'INVITE',
  code: 0,
  outcome: 'received',
  callId: 'c1',
  from: 'sip:alice@x',
  to: 'sip:bob@x',
  inDialog: false,
  ...over,
});

test('call record: received → 200 → BYE gives an answered call with its duration', () => {
  let c: CallRecord | undefined;
  c = applySipEvent(c, ev({}), 1000);
  assert.equal(c?.disposition, 'ringing');
  c = applySipEvent(c, ev({ code: 200, outcome: 'OK', inDialog: false }), 1500);
  assert.equal(c?.answeredAt, 1500);
  c = applySipEvent(c, ev({ method: 'BYE', code: 0, outcome: 'relayed', inDialog: true }), 4500);
  assert.deepEqual(c, {
    callId: 'c1',
    fromTag: '',
    from: 'sip:alice@x',
    to: 'sip:bob@x',
    startedAt: 1000,
    answeredAt: 1500,
    endedAt: 4500,
    durationMs: 3000,
    disposition: 'answered',
  });
  // A late BYE 200, a retransmitted 200 or a re-INVITE change nothing.
  assert.equal(applySipEvent(c, ev({ method: 'BYE', code: 200, inDialog: true }), 5000), c);
  assert.equal(applySipEvent(c, ev({ code: 200 }), 5000), c);
  assert.equal(applySipEvent(c, ev({ inDialog: true }), 5000), c);
});

test('call record: failures end the call with a disposition; refused credentials and lockouts are not calls', () => {
  const ringing = applySipEvent(undefined, ev({}), 10)!;
  assert.equal(applySipEvent(ringing, ev({ code: 486, outcome: 'Busy Here' }), 20)?.disposition, 'busy');
  assert.equal(applySipEvent(ringing, ev({ code: 487, outcome: 'cancelled' }), 20)?.disposition, 'cancelled');
  assert.equal(applySipEvent(ringing, ev({ code: 480, outcome: 'Temporarily Unavailable' }), 20)?.disposition, 'no-answer');
  assert.equal(applySipEvent(undefined, ev({ code: 403, outcome: 'too many failures' }), 5), undefined);
  assert.equal(applySipEvent(undefined, ev({ code: 403, outcome: 'wrong password' }), 5), undefined);
  const notFound = applySipEvent(undefined, ev({ code: 404, outcome: 'not registered' }), 5)!;
  assert.deepEqual([notFound.disposition, notFound.startedAt, notFound.endedAt, notFound.durationMs], ['not-found', 5, 5, 0]);
  assert.equal(dispositionOf(503, 'x'), 'failed');
});

test('TURN REST: username = expiry:agent, password = base64 HMAC-SHA1(secret, username)', () => {
  const c = turnRestCredentials({ secret: 'k', agent: 'alice', ttlSec: 600, nowMs: 1_700_000_000_000, uris: ['turn:h:1'] });
  assert.equal(c.username, '1700000600:alice');
  assert.equal(c.password, createHmac('sha1', 'k').update('1700000600:alice').digest('base64'));
  assert.equal(c.ttl, 600);
  assert.deepEqual(turnUris('::1', 3478, 5349), [
    'turn:[::1]:3478?transport=udp',
    'turn:[::1]:3478?transport=tcp',
    'turns:[::1]:5349?transport=tcp',
  ]);
});

test('digest HA1 is MD5(user:realm:password) (RFC 2617 test vector)', () => {
  assert.equal(digestHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life'), '939e7578ed9e3c518a452acee763bce9');
});

test('CSP: self only, the stack websocket, no inline styles', () => {
  const csp = softphoneCsp({ sipWsUrls: ['ws://127.0.0.1:20001/'] });
  assert.match(csp, /connect-src 'self' http:\/\/127\.0\.0\.1:20001 ws:\/\/127\.0\.0\.1:20001(;|$)/);
  const withoutConnect = (policy: string) => policy.split('; ').filter((d) => !d.startsWith('connect-src'));
  assert.deepEqual(withoutConnect(csp), withoutConnect(buildCsp(null)), "the web softphone gets the desktop window's policy");
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "media-src 'self' blob:", "img-src 'self' data:"])
    assert.ok(csp.includes(d), d);
});

test('origin allow-list: exact members only (CORS and the SIP WebSocket share it)', () => {
  const list = originAllowList(['http://127.0.0.1:20010/', 'app://clearline', 'HTTPS://Web.Example'], '--cors-origin');
  assert.deepEqual(list, ['http://127.0.0.1:20010', 'app://clearline', 'https://web.example']);
  assert.ok(isAllowedOrigin('app://clearline', list));
  assert.ok(isAllowedOrigin('http://127.0.0.1:20010', list));
  assert.ok(isAllowedOrigin('https://web.example', list));
  assert.ok(!isAllowedOrigin('app://other-app', list), 'another custom-scheme app is not the desktop app');
  assert.ok(!isAllowedOrigin('http://evil.example', list));
  assert.ok(!isAllowedOrigin('http://127.0.0.1:20010.evil.example', list));
  assert.throws(
    () => originAllowList(['https://x.example/app'], '--cors-origin'),
    /--cors-origin: "https:\/\/x\.example\/app" is not a browser origin/,
  );
});

test('credentials parsing: Basic keeps colons in the password; junk is rejected', () => {
  const b = Buffer.from('alice:pa:ss').toString('base64');
  assert.deepEqual(parseBasicAuth(`Basic ${b}`), { username: 'alice', password: 'pa:ss' });
  assert.equal(parseBasicAuth('Basic !!!'), null);
  assert.equal(parseBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`), null);
  assert.equal(parseBasicAuth(undefined), null);
  assert.equal(parseBearer('Bearer abc'), 'abc');
  assert.equal(parseBearer('Basic abc'), null);
});

test('SQL placeholders are renumbered for PostgreSQL', () => {
  assert.equal(toPostgresPlaceholders('SELECT * FROM t WHERE a = ? AND b = ?'), 'SELECT * FROM t WHERE a = $1 AND b = $2');
});

test('preflight names exactly the missing binaries', () => {
  assert.deepEqual(
    missingBinaries((b) => b !== 'rtpengine' && b !== 'turnserver'),
    ['rtpengine', 'turnserver'],
  );
  assert.deepEqual(
    missingBinaries(() => true),
    [],
  );
  assert.deepEqual(
    missingPackages(
      (b) => b !== 'turnserver',
      (f) => !f.endsWith('/db_postgres.so'),
    ),
    ['coturn', 'kamailio-postgres-modules'],
  );
  assert.deepEqual(
    missingPackages(
      () => true,
      () => true,
    ),
    [],
  );
});

test('missing packages: not root → the exact apt command; root on Debian → installed, then re-checked', () => {
  const noop = () => undefined;
  assert.throws(
    () =>
      ensureSystemPackages('/repo', noop, {
        missing: () => ['coturn', 'rtpengine-daemon'],
        canInstall: false,
        install: () => assert.fail('must not install'),
      }),
    /missing system packages: coturn rtpengine-daemon\. Install them with:\n  sudo apt-get update && sudo apt-get install -y coturn rtpengine-daemon/,
  );
  let installed = false;
  const lines: string[] = [];
  ensureSystemPackages('/repo', (l) => lines.push(l), {
    missing: () => (installed ? [] : ['coturn']),
    canInstall: true,
    install: () => (installed = true),
  });
  assert.ok(installed);
  assert.match(lines[0]!, /installing them/);
  assert.throws(
    () => ensureSystemPackages('/repo', noop, { missing: () => ['coturn'], canInstall: true, install: noop }),
    /still missing after install: coturn/,
  );
});
