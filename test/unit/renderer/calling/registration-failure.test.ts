import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyRegisterRejection,
  classifyTransportFailure,
  closeCodeFromError,
} from '../../../../renderer/calling/registration-failure.js';
import { DEFAULT_LOCKOUT_WAIT_S, MAX_LOCKOUT_WAIT_S } from '../../../../common/contract/index.js';

test('401/403/407 after digest → wrong-credentials naming the user; 5xx → server-error', () => {
  for (const code of [401, 403, 407]) {
    const c = classifyRegisterRejection(code, 'Unauthorized', 'alice');
    assert.equal(c.reason, 'wrong-credentials');
    assert.match(c.message, /“alice”.*username or password is wrong/);
  }
  const s = classifyRegisterRejection(503, 'Service Unavailable', 'alice');
  assert.equal(s.reason, 'server-error');
  assert.match(s.message, /503 Service Unavailable/);
});

test('close code parsed from SIP.js transport errors', () => {
  assert.equal(closeCodeFromError(new Error('WebSocket closed ws://127.0.0.1:1 (code: 1006)')), 1006);
  assert.equal(closeCodeFromError(new Error('Connect aborted.')), null);
  assert.equal(closeCodeFromError(undefined), null);
});

const base = { wsUrl: 'ws://127.0.0.1:40001', closeCode: 1006, wasConnected: false } as const;

test('nothing answering → unreachable; wss adds the certificate hint', () => {
  const c = classifyTransportFailure({ ...base, probe: 'no-answer' });
  assert.equal(c.reason, 'unreachable');
  assert.match(c.message, /Cannot reach the phone server at ws:\/\/127\.0\.0\.1:40001/);
  const s = classifyTransportFailure({ ...base, wsUrl: 'wss://x:1', probe: 'no-answer' });
  assert.match(s.message, /TLS certificate/);
});

test('HTTP answered but upgrade failed, or a policy close code → websocket-blocked', () => {
  assert.equal(classifyTransportFailure({ ...base, probe: 'http-answered' }).reason, 'websocket-blocked');
  const c = classifyTransportFailure({ ...base, closeCode: 1008, probe: 'not-run' });
  assert.equal(c.reason, 'websocket-blocked');
  assert.match(c.message, /close code 1008.*proxy or firewall/);
});

test('TLS close code or a TLS-rejecting probe → tls', () => {
  assert.equal(classifyTransportFailure({ ...base, closeCode: 1015, probe: 'not-run' }).reason, 'tls');
  assert.equal(classifyTransportFailure({ ...base, probe: 'tls-rejected' }).reason, 'tls');
});

test('tls names the certificate problem a host probe found, and what IT should do', () => {
  const named = classifyTransportFailure({
    ...base,
    wsUrl: 'wss://pbx:443',
    probe: 'tls-rejected',
    probeDetail: 'certificate has expired',
  });
  assert.equal(
    named.message,
    "The phone server's TLS connection (wss://pbx:443) was rejected: certificate has expired. " +
      'Ask IT to install the company CA certificate on this computer or to fix the server certificate.',
  );
  const unnamed = classifyTransportFailure({ ...base, wsUrl: 'wss://pbx:443', closeCode: 1015, probe: 'not-run' });
  assert.match(unnamed.message, /rejected \(its certificate is not trusted or has expired\)\. Ask IT/);
});

test('losing an established connection → network-lost, whatever the code', () => {
  assert.equal(classifyTransportFailure({ ...base, wasConnected: true, probe: 'http-answered' }).reason, 'network-lost');
});

test('403 Locked + Retry-After → locked, retried after the server’s delay; a plain 403 stays a wrong password', () => {
  const locked = classifyRegisterRejection(403, 'Locked', 'alice', '300');
  assert.deepEqual(locked, {
    reason: 'locked',
    message: 'Too many failed sign-ins for this account from this network: locked',
    retryAfterMs: 300_000,
  });
  const plain = classifyRegisterRejection(403, 'Forbidden', 'alice', '300');
  assert.equal(plain.reason, 'wrong-credentials');
  assert.equal(plain.retryAfterMs, undefined, 'a wrong password is never retried on its own');
  assert.equal(classifyRegisterRejection(404, 'Locked', 'alice', '5').reason, 'server-error', 'only a 403 is a lockout');
});

test('the lockout wait: RFC 3261 Retry-After forms, capped at 15 min, a default when unreadable', () => {
  const waitMs = (retryAfter?: string) => classifyRegisterRejection(403, 'Locked', 'alice', retryAfter).retryAfterMs;
  assert.equal(waitMs('120 (too many failures);duration=60'), 120_000);
  assert.equal(waitMs('45;duration=10'), 45_000);
  assert.equal(waitMs('999999'), MAX_LOCKOUT_WAIT_S * 1000, 'a hostile Retry-After cannot park the phone for days');
  assert.equal(waitMs('0'), 1000, 'never an immediate retry storm');
  assert.equal(waitMs(undefined), DEFAULT_LOCKOUT_WAIT_S * 1000);
  assert.equal(waitMs('Fri, 31 Dec 1999 23:59:59 GMT'), DEFAULT_LOCKOUT_WAIT_S * 1000);
  assert.equal(waitMs('-5'), DEFAULT_LOCKOUT_WAIT_S * 1000);
  assert.equal(MAX_LOCKOUT_WAIT_S, 900);
});
