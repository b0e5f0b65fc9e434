import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactSecrets } from '../../../../renderer/calling/logging.js';

test('redaction removes digest headers and known secrets from SIP.js log lines', () => {
  const line = 'REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username="alice", response="abc123"\r\nX-Pw: hunter22\r\n';
  const out = redactSecrets(line, ['hunter22']);
  assert.doesNotMatch(out, /abc123|hunter22/);
  assert.match(out, /Authorization: Digest \[redacted\]/);
  assert.ok(redactSecrets('x'.repeat(9000), []).length < 8192);
});
