/**
 * Issue 8 hole 3, against the real stack: an agent must not be able to register a Contact that
 * points at the trunk (or anywhere but its own WebSocket), which would turn an inbound PSTN call
 * into an outbound one to any number the attacker put in the Contact. REGISTER is accepted over
 * WS/WSS only, contacts per agent are capped, and a call to an agent goes out over WebSocket only.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rand, type SipMessage } from '../backend/support/sip-message.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { waitFor } from '../backend/support/stack-fixture.js';
import type { WsSipAgent } from '../backend/support/ws-sip-agent.js';
import { MAX_CONTACTS_PER_AGENT as MAX_CONTACTS } from '../../../backend/config/kamailio.js';
import { useAttackStack, type AttackStack } from './support/attack-stack.js';
import { TcpSipClient, UdpSipClient, withDigest, type Headers } from './support/raw-sip.js';

describe('hole 3: registration contacts cannot hijack calls toward the trunk', { timeout: 180_000 }, () => {
  let fx: AttackStack;
  let domain: string;
  /** A Contact at the trunk whose user is a number the trunk answers: a hijack would loop calls there. */
  let trunkContact: string;

  useAttackStack((started) => {
    fx = started;
    domain = fx.stack.endpoints.sip.domain;
    trunkContact = `<sip:${fx.stack.endpoints.numbers.echo}@${domain}:${fx.trunk.sipPort}>`;
  });

  const bobPassword = () => fx.stack.endpoints.agents.find((a) => a.username === 'bob')!.password;

  /** REGISTER headers for `username` binding `contact` (Call-ID shared by the challenge retry). */
  const registerHeaders = (username: string, contact: string, expires: number, callId: string, cseq: number): Array<[string, string]> => [
    ['From', `<sip:${username}@${domain}>;tag=${rand(4)}`],
    ['To', `<sip:${username}@${domain}>`],
    ['Call-ID', callId],
    ['CSeq', `${cseq} REGISTER`],
    ['Contact', `${contact};expires=${expires}`],
    ['Expires', String(expires)],
  ];

  /** REGISTER with the right password, the way the insider would, over a raw client. */
  const rawRegister = (client: { request(startLine: string, headers: Headers): Promise<SipMessage | null> }, contact: string) => {
    const callId = rand(10);
    const uri = `sip:${domain}`;
    return withDigest({ username: 'bob', password: bobPassword(), method: 'REGISTER', uri }, (auth, cseq) =>
      client.request(`REGISTER ${uri} SIP/2.0`, [...registerHeaders('bob', contact, 300, callId, cseq), ...auth]),
    );
  };

  /** An inbound PSTN call to bob; resolves with the carrier's view once it stops ringing. */
  const inboundCallToBob = async (answeredBy?: WsSipAgent) => {
    const id = await fx.placeTrunkCall('bob');
    if (answeredBy)
      await waitFor(
        async () => answeredBy.incomingInvites.some((m) => m.headers.some(([n, v]) => n === 'call-id' && v === id)),
        'the INVITE at bob',
      );
    const view = await waitFor(async () => {
      const v = await fx.trunkCall(id);
      return v && v.state !== 'ringing' ? v : null;
    }, 'the inbound call to be answered or refused');
    await fx.hangUpTrunkCall(id);
    return { id, view };
  };

  test('REGISTER over UDP and TCP is refused (403 Register Over WebSocket Only) even with the right password; the inbound call never loops to the trunk', async () => {
    const target = { host: domain, port: fx.stack.ports.sipUdp };
    const udp = await UdpSipClient.open(target);
    const tcp = await TcpSipClient.open({ host: domain, port: fx.stack.ports.sipWs });
    try {
      for (const [name, client] of [
        ['UDP', udp],
        ['TCP', tcp],
      ] as const) {
        const res = await rawRegister(client, trunkContact);
        assert.ok(res, `REGISTER over ${name} is answered`);
        assert.equal(res.status, 403, `REGISTER over ${name} refused (got ${res.startLine})`);
        assert.match(res.reason, /WebSocket Only/i, `the refusal says why (got "${res.reason}")`);
      }
    } finally {
      udp.close();
      tcp.close();
    }
    const { id, view } = await inboundCallToBob();
    assert.equal(view.state, 'failed', `the inbound call to bob (not registered) fails (carrier: ${JSON.stringify(view)})`);
    assert.deepEqual(fx.trunkReceivedRequests('INVITE', id), [], 'the inbound call was never sent back to the trunk');

    const bob = await fx.agent('bob');
    assert.equal((await bob.register()).status, 200, 'bob registers over WebSocket');
    bob.answerMode = { kind: 'answer', sdp: browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' }) };
    const legit = await inboundCallToBob(bob);
    assert.equal(legit.view.state, 'answered', 'an inbound call reaches bob over WebSocket and is answered');
  });

  test(`an agent holds at most ${MAX_CONTACTS} contacts: one more registration is refused`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= MAX_CONTACTS; i++) {
      const carol = await fx.agent('carol');
      statuses.push((await carol.register()).status!);
    }
    assert.deepEqual(statuses.slice(0, MAX_CONTACTS), Array(MAX_CONTACTS).fill(200), `the first ${MAX_CONTACTS} contacts register`);
    assert.ok(statuses[MAX_CONTACTS]! >= 400, `contact ${MAX_CONTACTS + 1} is refused (got ${statuses[MAX_CONTACTS]})`);
  });

  test('a WebSocket REGISTER whose Contact names the trunk still gets its calls over the WebSocket, never at the trunk', async () => {
    const bob = await fx.agent('bob');
    const callId = rand(10);
    const uri = `sip:${domain}`;
    const register = (expires: number) =>
      withDigest({ username: 'bob', password: bobPassword(), method: 'REGISTER', uri }, (auth, cseq) =>
        bob.request('REGISTER', uri, [...registerHeaders('bob', trunkContact, expires, callId, cseq), ...auth]),
      );
    const res = await register(300);
    // Refusing such a Contact outright is also a defence; binding it must not reroute calls.
    if (res!.status === 200) {
      bob.answerMode = { kind: 'answer', sdp: browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' }) };
      const { id, view } = await inboundCallToBob(bob);
      assert.equal(view.state, 'answered', 'the call reached bob over his WebSocket');
      assert.deepEqual(fx.trunkReceivedRequests('INVITE', id), [], 'the call was never sent to the trunk');
      assert.equal((await register(0))!.status, 200, 'bob unregisters');
    } else {
      assert.ok(res!.status! >= 400, `a Contact at the trunk is refused (got ${res!.startLine})`);
    }
  });
});
