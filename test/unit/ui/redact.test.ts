import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactSecrets } from '../../../renderer/host/redact.js';

test('SIP digest and Basic credentials are removed from logged messages', () => {
  const sip = [
    'REGISTER sip:pbx.example SIP/2.0',
    'Authorization: Digest username="alice", realm="pbx", nonce="abc", uri="sip:pbx", response="0123456789abcdef"',
    'Proxy-Authorization: Digest username="alice", response="fedcba"',
    'Contact: <sip:alice@x;transport=ws>',
  ].join('\r\n');
  const out = redactSecrets(sip);
  assert.doesNotMatch(out, /0123456789abcdef|fedcba/);
  assert.match(out, /^Authorization: \[redacted\]$/m);
  assert.match(out, /^Proxy-Authorization: \[redacted\]$/m);
  assert.match(out, /Contact: <sip:alice@x;transport=ws>/, 'the rest of the message stays readable');
  assert.equal(redactSecrets('GET /api/client-config authorization: Basic YWxpY2U6czNjcmV0'), 'GET /api/client-config authorization: [redacted]');
});

test('password-like fields are removed in JSON, key=value text and URLs', () => {
  assert.equal(
    redactSecrets('{"username":"alice","password":"s3cr\\"et","turn":{"credential":"c"}}'),
    '{"username":"alice","password":"[redacted]","turn":{"credential":"[redacted]"}}',
  );
  assert.equal(redactSecrets('signIn user=alice password=hunter2 ok'), 'signIn user=alice password=[redacted] ok');
  assert.equal(redactSecrets('token: abc.def, next'), 'token: [redacted], next');
  assert.equal(redactSecrets('wss://alice:hunter2@pbx.example/ws'), 'wss://alice:[redacted]@pbx.example/ws');
  assert.equal(redactSecrets('call 5550100 connected'), 'call 5550100 connected');
  assert.equal(redactSecrets('cnonce="x1", response=abcd'), 'cnonce=[redacted], response=[redacted]');
});
