import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact, redactData } from '../../../common/log-redaction.js';

const cases: Array<[string, string, RegExp]> = [
  ['Basic credentials header', 'Authorization: Basic YWxpY2U6czNjcmV0', /^Authorization: Basic \[redacted\]$/],
  ['a header without a known scheme', 'Authorization: Negotiate-ish YWxpY2U6czNjcmV0', /^Authorization: \[redacted\]$/],
  ['Bearer token', 'authorization: Bearer eyJhbGciOi.payload.sig', /^authorization: Bearer \[redacted\]$/],
  [
    'SIP digest Authorization (response=)',
    'Authorization: Digest username="alice", realm="clearline", nonce="abc", uri="sip:x", response="0a4f113b2c8d9e7f0a4f113b2c8d9e7f"',
    /^Authorization: Digest \[redacted\]$/,
  ],
  [
    'Proxy-Authorization',
    'Proxy-Authorization: Digest username="alice", response="6629fae49393a05397450978507c4ef1"',
    /^Proxy-Authorization: Digest \[redacted\]$/,
  ],
  [
    'a bare digest response= in a dump',
    'challenge answered with response=6629fae49393a05397450978507c4ef1 ok',
    /response=\[redacted\] ok$/,
  ],
  ['JSON password field', '{"username":"alice","password":"s3cret-pass"}', /^\{"username":"alice","password":"\[redacted\]"\}$/],
  [
    'TURN credential in RTCIceServer JSON',
    '{"urls":["turn:h:3478"],"username":"1:alice","credential":"c2VjcmV0"}',
    /"credential":"\[redacted\]"/,
  ],
  ['password= in a query or config line', 'connect?user=alice&password=hunter2&x=1', /password=\[redacted\]&x=1$/],
  ['TURN REST secret in a config dump', 'static-auth-secret=abcd1234', /^static-auth-secret=\[redacted\]$/],
  ['user:pass@ in a URL', 'fetch https://alice:hunter2@cp.example/api', /https:\/\/alice:\[redacted\]@cp\.example\/api/],
];

for (const [name, input, expected] of cases) {
  test(`redact: ${name}`, () => {
    const out = redact(input);
    assert.match(out, expected);
    for (const secret of [
      'YWxpY2U6czNjcmV0',
      's3cret-pass',
      'hunter2',
      '0a4f113b2c8d9e7f',
      '6629fae4',
      'c2VjcmV0',
      'abcd1234',
      'eyJhbGciOi',
    ]) {
      assert.ok(!out.includes(secret), `${secret} survived in ${out}`);
    }
  });
}

test('redact leaves ordinary SIP and log text alone', () => {
  const line = 'REGISTER sip:clearline.test SIP/2.0 Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK776 Expires: 300';
  assert.equal(redact(line), line);
});

test('redactData: secret keys in objects, strings inside arrays, errors, cycles', () => {
  const cyclic: Record<string, unknown> = { name: 'x' };
  cyclic['self'] = cyclic;
  const [obj, arr, err, cyc] = redactData([
    { user: 'alice', password: 'p1', nested: { turnPassword: 'p2', accessToken: 't', note: 'password=p3' } },
    ['Authorization: Basic Zm9vOmJhcg=='],
    new Error('login failed for password=p4'),
    cyclic,
  ]) as [any, any, Error, any];
  assert.deepEqual(obj, {
    user: 'alice',
    password: '[redacted]',
    nested: { turnPassword: '[redacted]', accessToken: '[redacted]', note: 'password=[redacted]' },
  });
  assert.deepEqual(arr, ['Authorization: Basic [redacted]']);
  assert.equal(err.message, 'login failed for password=[redacted]');
  assert.ok(!err.stack?.includes('p4'));
  assert.equal(cyc.self, '[circular]');
});

test('redact: digest parameters, escaped JSON, "token:" text and a full SIP message', () => {
  assert.equal(redact('cnonce="x1", response=abcd'), 'cnonce="[redacted]", response=[redacted]');
  assert.equal(
    redact('{"password":"s3cr\\"et","turn":{"credential":"c"}}'),
    '{"password":"[redacted]","turn":{"credential":"[redacted]"}}',
  );
  assert.equal(redact('token: abc.def, next'), 'token: [redacted], next');
  const sip = [
    'REGISTER sip:pbx SIP/2.0',
    'Authorization: Digest username="alice", response="0123456789abcdef"',
    'Contact: <sip:alice@x;transport=ws>',
  ].join('\r\n');
  const out = redact(sip);
  assert.match(out, /^Authorization: Digest \[redacted\]\r$/m);
  assert.match(out, /Contact: <sip:alice@x;transport=ws>$/, 'the rest of the message stays readable');
});

test('redact: known secrets are removed wherever they appear; very short ones are left alone', () => {
  const out = redact('X-Pw: hunter22 then hunter22 again; ab stays', ['hunter22', 'ab']);
  assert.equal(out, 'X-Pw: [redacted] then [redacted] again; ab stays');
});
