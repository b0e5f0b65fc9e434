import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callOutcome } from '../../../../renderer/calling/call-outcome.js';

test('call outcomes: SIP status and our own action → reason + the words the UI shows', () => {
  const out = { direction: 'outbound' as const, wasAnswered: false, localAction: null };
  assert.match(callOutcome({ ...out, finalStatus: { code: 486, reason: 'Busy Here' } }).message, /^Busy/);
  assert.equal(callOutcome({ ...out, finalStatus: { code: 480, reason: 'x' } }).reason, 'no-answer');
  assert.equal(callOutcome({ ...out, finalStatus: { code: 404, reason: 'x' } }).reason, 'not-found');
  assert.match(callOutcome({ ...out, finalStatus: { code: 503, reason: 'Service Unavailable' } }).message, /503 Service Unavailable/);
  assert.match(callOutcome({ ...out, finalStatus: null, localAction: 'ring-timeout' }).message, /^No answer/);
  assert.deepEqual(callOutcome({ ...out, wasAnswered: true, finalStatus: null, localAction: 'media-timeout' }), {
    reason: 'failed',
    message: 'Call ended: no audio in either direction — the network path was lost',
  });
  assert.equal(callOutcome({ ...out, finalStatus: { code: 487, reason: '' }, localAction: 'cancel' }).reason, 'cancelled');
  assert.equal(callOutcome({ ...out, wasAnswered: true, finalStatus: null, localAction: 'hangup' }).message, 'Call ended');
  assert.equal(callOutcome({ ...out, wasAnswered: true, finalStatus: null }).reason, 'remote-hangup');
  assert.equal(callOutcome({ direction: 'inbound', wasAnswered: false, finalStatus: null, localAction: null }).reason, 'missed');
  assert.equal(
    callOutcome({ ...out, wasAnswered: true, finalStatus: null, localAction: 'transfer', transferTarget: 'bob' }).message,
    'Transferred to bob',
  );
});
