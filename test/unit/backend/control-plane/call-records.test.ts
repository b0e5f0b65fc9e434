import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySipEvent, dispositionOf, type CallRecord, type SipEvent } from '../../../../backend/control-plane/call-records.js';

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
