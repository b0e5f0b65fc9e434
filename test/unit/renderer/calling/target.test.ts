import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget, targetToUri } from '../../../../renderer/calling/target.js';
import { PhoneError } from '../../../../renderer/calling/phone-api.js';

test('numbers: spaces, dashes, dots, parentheses and a leading + are accepted and stripped', () => {
  assert.deepEqual(parseTarget('555 0100'), { kind: 'number', number: '5550100' });
  assert.deepEqual(parseTarget(' +1 (555) 010-0 '), { kind: 'number', number: '+15550100' });
  assert.deepEqual(parseTarget('555.0100'), { kind: 'number', number: '5550100' });
});

test('a bare username is a colleague', () => {
  assert.deepEqual(parseTarget('bob'), { kind: 'colleague', username: 'bob' });
  assert.deepEqual(parseTarget('agent2'), { kind: 'colleague', username: 'agent2' });
  assert.deepEqual(parseTarget('j.doe-2'), { kind: 'colleague', username: 'j.doe-2' });
});

test('sip: URIs are validated; user@host becomes a sip: URI', () => {
  assert.deepEqual(parseTarget('sip:bob@example.com'), { kind: 'uri', uri: 'sip:bob@example.com' });
  assert.deepEqual(parseTarget('sips:+15550100@10.0.0.1:5061;transport=tls'), {
    kind: 'uri',
    uri: 'sips:+15550100@10.0.0.1:5061;transport=tls',
  });
  assert.deepEqual(parseTarget('bob@example.com'), { kind: 'uri', uri: 'sip:bob@example.com' });
});

test('malformed input → PhoneError invalid-target with a message naming the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /Enter a phone number/],
    ['   ', /Enter a phone number/],
    ['555+0100', /\+ is only allowed at the start/],
    ['sip:', /not a valid SIP address/],
    ['sip:bob@', /not a valid SIP address/],
    ['sip:bob@exa mple.com', /not a valid SIP address/],
    ['sip:bob@example.com:99999', /invalid port 99999/],
    ['bob smith', /neither a phone number/],
    ['<script>', /neither a phone number/],
    ['1'.repeat(33), /too long/],
    ['-- --', /no digits/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => parseTarget(input),
      (e: unknown) => e instanceof PhoneError && e.code === 'invalid-target' && message.test(e.message),
      `input ${JSON.stringify(input)}`,
    );
  }
});

test('targetToUri puts numbers and colleagues in the agent domain and keeps URIs', () => {
  assert.equal(targetToUri(parseTarget('+1 555'), 'clearline.test'), 'sip:+1555@clearline.test');
  assert.equal(targetToUri(parseTarget('bob'), 'clearline.test'), 'sip:bob@clearline.test');
  assert.equal(targetToUri(parseTarget('sip:x@y.z'), 'clearline.test'), 'sip:x@y.z');
});
