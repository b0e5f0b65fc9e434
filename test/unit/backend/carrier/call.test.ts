/**
 * A carrier call as UAS over a fake server transaction (no sockets): each behaviour's final
 * response and the state the transition table moves it to. Calls without media (busy, noAnswer)
 * need no RTP port.
 */
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RING_MS } from '../../../../backend/carrier/behaviours.js';
import { Call, type CarrierCallContext } from '../../../../backend/carrier/call.js';
import type { ServerTransaction } from '../../../../backend/carrier/sip/endpoint.js';
import { createRequest, headerValue, type SipResponse } from '../../../../backend/carrier/sip/message.js';

const ctx = {
  proxy: { address: '127.0.0.1', port: 20000 },
  localAddress: '127.0.0.1',
  log: () => {},
  via: (b: string) => `SIP/2.0/UDP 127.0.0.1:30040;branch=${b}`,
  contact: (user: string) => `<sip:${user}@127.0.0.1:30040>`,
  transfer: () => assert.fail('no transfer expected'),
} as unknown as CarrierCallContext;

function invite(callId: string) {
  return createRequest('INVITE', 'sip:5550104@127.0.0.1:30040', [
    { name: 'Via', value: 'SIP/2.0/UDP 127.0.0.1:20000;branch=z9hG4bKu1' },
    { name: 'From', value: '<sip:alice@clearline.test>;tag=a1' },
    { name: 'To', value: '<sip:5550104@clearline.test>' },
    { name: 'Call-ID', value: callId },
    { name: 'CSeq', value: '1 INVITE' },
    { name: 'Contact', value: '<sip:alice@127.0.0.1:5555>' },
  ]);
}

/** A server transaction that records what the call answers. */
function fakeTx(callId: string) {
  const sent: SipResponse[] = [];
  const tx = { request: invite(callId), respond: (r: SipResponse) => sent.push(r) } as unknown as ServerTransaction;
  return { tx, sent, statuses: () => sent.map((r) => r.status) };
}

const incoming = (callId: string) => {
  const { tx, sent, statuses } = fakeTx(callId);
  return { call: Call.incoming(ctx, tx.request, tx, '5550104', 'noAnswer', undefined), sent, statuses };
};

test('UAS: a rejected INVITE gets 100 then its status, and the call failed', () => {
  const { call, statuses } = incoming('u-reject');
  call.reject(486);
  assert.deepEqual(statuses(), [100, 486]);
  assert.deepEqual([call.state, call.finalStatus], ['failed', 486]);
});

test('UAS: CANCEL while ringing → 487 and ended; hanging up afterwards sends nothing more', () => {
  const { call, statuses } = incoming('u-cancel');
  call.ring();
  call.handleCancel();
  call.hangup();
  assert.deepEqual(statuses(), [100, 180, 487]);
  assert.deepEqual([call.state, call.finalStatus], ['ended', 487]);
});

test('UAS: we hang up while it rings → 480 and ended', () => {
  const { call, statuses } = incoming('u-hangup');
  call.ring();
  call.hangup();
  assert.deepEqual(statuses(), [100, 180, 480]);
  assert.equal(call.state, 'ended');
});

test('in-dialog: a BYE on the early dialog gets 200 and ends the call', () => {
  const { call, sent } = incoming('u-bye');
  call.ring();
  const ringing = sent.find((r) => r.status === 180)!;
  const bye = createRequest('BYE', 'sip:5550104@127.0.0.1:30040', [
    { name: 'Via', value: 'SIP/2.0/UDP 127.0.0.1:20000;branch=z9hG4bKu2' },
    { name: 'From', value: '<sip:alice@clearline.test>;tag=a1' },
    { name: 'To', value: headerValue(ringing, 'To')! },
    { name: 'Call-ID', value: 'u-bye' },
    { name: 'CSeq', value: '2 BYE' },
  ]);
  assert.ok(call.matches(bye), 'the BYE names the dialog the 180 set up');
  const answers: number[] = [];
  call.handleRequest(bye, { request: bye, respond: (r: SipResponse) => answers.push(r.status) } as unknown as ServerTransaction);
  assert.deepEqual(answers, [200]);
  assert.equal(call.state, 'ended');
});

test('UAS: nobody answers within MAX_RING_MS → 480 and failed', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { call, statuses } = incoming('u-noanswer');
    call.ring();
    mock.timers.tick(MAX_RING_MS - 1);
    assert.equal(call.state, 'ringing');
    mock.timers.tick(1);
    assert.deepEqual(statuses(), [100, 180, 480]);
    assert.deepEqual([call.state, call.finalStatus], ['failed', 480]);
  } finally {
    mock.timers.reset();
  }
});
