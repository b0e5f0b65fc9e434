import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyRegisterRejection,
  classifyTransportFailure,
  closeCodeFromError,
} from '../../../renderer/calling/registration-failure.js';

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
  const named = classifyTransportFailure({ ...base, wsUrl: 'wss://pbx:443', probe: 'tls-rejected', probeDetail: 'certificate has expired' });
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
