import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OriginContinuation, sdpOrigin, withOrigin } from '../../../../renderer/calling/sdp-origin.js';

const sdp = (id: string, version: string) => `v=0\r\no=- ${id} ${version} IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n`;

test('the o= line: session id and version read (64-bit ids exactly), replaced with the rest of the line kept; none without a well-formed line', () => {
  assert.deepEqual(sdpOrigin(sdp('8123456789012345678', '2')), { id: '8123456789012345678', version: 2n });
  assert.equal(withOrigin(sdp('1', '2'), { id: '77', version: 9n }), sdp('77', '9'));
  assert.equal(sdpOrigin('v=0\r\ns=-\r\n'), null);
  assert.equal(sdpOrigin('v=0\r\no=- abc 2 IN IP4 127.0.0.1\r\n'), null);
});

test('a new description source continues the session: its id, versions from one above the last sent, following its own increments', () => {
  const go = new OriginContinuation({ id: '4000', version: 5n });
  assert.equal(go.apply(sdp('9999', '2')), sdp('4000', '6'), 'the first offer: the same session, version + 1');
  assert.equal(go.apply(sdp('9999', '3')), sdp('4000', '7'));
  assert.equal(go.apply(sdp('9999', '3')), sdp('4000', '7'), 'an unchanged version stays unchanged');
  assert.equal(new OriginContinuation(null).apply(sdp('9999', '2')), sdp('9999', '2'), 'nothing sent yet: nothing to continue');
});
