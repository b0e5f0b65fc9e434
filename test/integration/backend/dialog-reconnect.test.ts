/**
 * A call's agent on a new WebSocket connection, against the real Kamailio and simulated carrier:
 * once the agent's target-refresh re-INVITE moved the dialog there (route PARTY_RECONNECTED),
 * whatever the far end sends the agent reaches the new connection, even when it names the old
 * one. The case that needs it: the connection died between the agent's 2xx to an incoming INVITE
 * and its ACK. The agent (SIP.js) retransmits the 2xx from its new connection until the ACK comes
 * — and, as RFC 3261 §15 says, sends no BYE until then — while the far end answers every
 * retransmission with the ACK it built once, to the target of that 2xx: the old connection. Relayed
 * there, the ACK never came and the agent's hang-up waited 32 s for SIP.js's own timeout.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentPool } from './support/agent-pool.js';
import { header, headersAll, parseSip, rand, tagOf, uriOf, type SipMessage } from './support/sip-message.js';
import { browserSdp } from './support/webrtc-sdp.js';
import { startTestStack, waitFor } from './support/stack-fixture.js';
import { carrierApiUrl } from '../../../backend/endpoints.js';
import { CarrierApi } from '../../support/carrier-api.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

let fx: Awaited<ReturnType<typeof startTestStack>>;
let carrier: CarrierApi;
const pool = new AgentPool(() => fx.stack);

before(async () => {
  fx = await startTestStack(TEST_PORT_BASES.sipCalls);
  carrier = new CarrierApi(carrierApiUrl(fx.stack.endpoints));
});
afterEach(() => pool.closeAll());
after(async () => {
  await fx?.dispose();
});

const isAckOf = (callId: string) => (m: SipMessage) => header(m, 'call-id') === callId && header(m, 'cseq') === '1 ACK';

test('the ACK to an incoming call’s 2xx, re-sent by the far end to the old connection, reaches the agent on its new connection', async () => {
  const sdp = browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' });
  const before = await pool.connect('bob');
  assert.equal((await before.register()).status, 200);
  before.answerMode = { kind: 'answer', sdp };
  const far = await carrier.placeCall('bob', 'echo');
  const invite = await waitFor(async () => before.incomingInvites.at(-1), 'the carrier’s INVITE at bob');
  const callId = header(invite, 'call-id')!;
  await carrier.waitFor(far, 'bob’s answer', (c) => c.answeredAt !== null);
  await waitFor(async () => before.acks.some(isAckOf(callId)), 'the ACK on the first connection');

  // The first connection is as good as dead from here (the path died; Kamailio's end stays open).
  // bob comes back on a new one, registers (the connection authenticates as bob) and refreshes
  // the dialog as its callee: From is his side (the To tag of his 2xx), To the carrier's.
  const ok = parseSip(before.answers.get(callId)!);
  const after = await pool.connect('bob');
  assert.equal((await after.register()).status, 200);
  const farTarget = uriOf(header(invite, 'contact')!);
  const dialog: Array<[string, string]> = [
    ...headersAll(invite, 'record-route').map((r) => ['Route', r] as [string, string]),
    ['From', header(ok, 'to')!],
    ['To', header(invite, 'from')!],
    ['Call-ID', callId],
  ];
  assert.ok(tagOf(header(ok, 'to')), 'bob’s 2xx carried his tag');
  const refresh = await after.request(
    'INVITE',
    farTarget,
    [...dialog, ['CSeq', '1 INVITE'], ['Contact', `<sip:bob@${rand(4)}.invalid;transport=ws>`], ['Content-Type', 'application/sdp']],
    browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }),
  );
  assert.equal(refresh.status, 200, `bob's refresh from the new connection is accepted (got ${refresh.startLine})`);
  after.ack(farTarget, [...dialog.filter(([n]) => n !== 'To'), ['To', header(refresh, 'to')!], ['CSeq', '1 ACK']]);

  // bob retransmits his 2xx from the new connection (its ACK was lost with the old one): the
  // carrier answers with the ACK it built for that 2xx, naming the old connection.
  const acksBefore = before.acks.filter(isAckOf(callId)).length;
  after.resend(before.answers.get(callId)!);
  const landed = await waitFor(
    async () => (after.acks.some(isAckOf(callId)) ? 'new' : before.acks.filter(isAckOf(callId)).length > acksBefore ? 'old' : null),
    'the carrier’s ACK to the retransmitted 2xx',
  );
  assert.equal(landed, 'new', 'the ACK reached bob on his new connection, not the old one');
  const ack = after.acks.find(isAckOf(callId))!;
  assert.match(ack.startLine, /^ACK sip:bob@127\.0\.0\.1:\d+;transport=ws SIP\/2\.0$/, 'though it names the old target');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(before.acks.filter(isAckOf(callId)).length, acksBefore, 'no copy went to the old connection');

  await carrier.hangup(far);
  await waitFor(async () => after.byes.some((b) => header(b, 'call-id') === callId), 'the carrier’s BYE on the new connection');
});
