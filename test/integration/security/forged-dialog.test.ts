/**
 * Issue 8 hole 1, against the real stack: requests dressed as in-dialog (a To tag, a Route) must
 * belong to a dialog Kamailio knows, carry our Route and (unless from the trunk) arrive over the
 * WebSocket connection of one of the dialog's parties. Otherwise they get 481 (403 for a foreign
 * Route) and reach nobody: not the trunk, not a foreign host (open relay), not rtpengine (media
 * ports), not the call records.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { header, rand } from '../backend/support/sip-message.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { waitFor } from '../backend/support/stack-fixture.js';
import { FOREIGN_SINK_PORT, useAttackStack, type AttackStack } from './support/attack-stack.js';
import { ForeignSipSink } from './support/foreign-sip-sink.js';
import { dialogHeaders, UdpSipClient } from './support/raw-sip.js';

/** The attacker's host: another loopback address, neither the trunk nor an agent's. */
const ATTACKER_ADDRESS = '127.0.0.2';
const REFUSED_IN_DIALOG = [481, 403];

describe('hole 1: forged in-dialog requests are refused and relayed nowhere', { timeout: 180_000 }, () => {
  let fx: AttackStack;
  let sink: ForeignSipSink;
  let attacker: UdpSipClient;
  let domain: string;
  /** Our own Route, as Kamailio record-routes (what a forger copies from a real dialog). */
  let ourRoute: string;
  let trunkRoute: string;

  useAttackStack(async (started) => {
    fx = started;
    const e = fx.stack.endpoints;
    domain = e.sip.domain;
    ourRoute = `<sip:${domain}:${fx.stack.ports.sipUdp};lr>`;
    trunkRoute = `<sip:${domain}:${fx.trunk.sipPort};lr>`;
    sink = await ForeignSipSink.listen('127.0.0.1', FOREIGN_SINK_PORT);
    attacker = await UdpSipClient.open({ host: domain, port: fx.stack.ports.sipUdp }, ATTACKER_ADDRESS);
  });
  after(() => {
    attacker?.close();
    sink?.close();
  });

  /** A legitimate call still works, and once the trunk saw it, earlier attacks had their chance. */
  const legitimateCallWorks = async () => {
    const alice = await fx.agent('alice');
    assert.equal((await fx.legitimateTrunkCall(alice)).status, 200, 'a legitimate call to the trunk still works');
  };

  test('a forged INVITE with a To tag and a Route to the trunk is refused: nothing reaches the trunk, rtpengine allocates nothing', async () => {
    const callId = `forged-invite-trunk-${rand(6)}`;
    const res = await attacker.request(
      `INVITE sip:${fx.stack.endpoints.numbers.echo}@${domain}:${fx.trunk.sipPort} SIP/2.0`,
      [
        ...dialogHeaders({
          method: 'INVITE',
          from: `sip:mallory@${ATTACKER_ADDRESS}`,
          to: `sip:${fx.stack.endpoints.numbers.echo}@${domain}`,
          toTag: rand(4),
          callId,
        }),
        ['Route', trunkRoute],
        ['Contact', `<sip:mallory@${ATTACKER_ADDRESS}>`],
        ['Content-Type', 'application/sdp'],
      ],
      browserSdp({ address: ATTACKER_ADDRESS, port: 9, setup: 'actpass' }),
    );
    assert.ok(res, 'the forged INVITE is answered');
    assert.ok(REFUSED_IN_DIALOG.includes(res.status!), `forged in-dialog INVITE refused with 481/403 (got ${res.startLine})`);
    assert.ok(!(await fx.rtpengineCalls()).includes(callId), 'rtpengine holds no media for the forged INVITE');
    await legitimateCallWorks();
    assert.deepEqual(fx.trunkReceived(callId), [], 'the forged INVITE never reached the trunk');
  });

  test('a forged INVITE routed to a silent foreign host gets an immediate refusal and no media ports', async () => {
    // Against the unfixed stack this held rtpengine ports until the transaction timed out: about
    // fifty such INVITEs exhausted the media range.
    const callId = `forged-invite-foreign-${rand(6)}`;
    const res = await attacker.request(
      `INVITE ${sink.uri('5550100')} SIP/2.0`,
      [
        ...dialogHeaders({ method: 'INVITE', from: `sip:mallory@${ATTACKER_ADDRESS}`, to: sink.uri('5550100'), toTag: rand(4), callId }),
        ['Route', ourRoute],
        ['Contact', `<sip:mallory@${ATTACKER_ADDRESS}>`],
        ['Content-Type', 'application/sdp'],
      ],
      browserSdp({ address: ATTACKER_ADDRESS, port: 9, setup: 'actpass' }),
    );
    assert.ok(!(await fx.rtpengineCalls()).includes(callId), 'rtpengine holds no media for the forged INVITE');
    assert.ok(res, 'the forged INVITE is answered (not left pending while the foreign host stays silent)');
    assert.ok(REFUSED_IN_DIALOG.includes(res.status!), `refused with 481/403 (got ${res.startLine})`);
    await legitimateCallWorks();
    assert.deepEqual(sink.receivedWith(callId), [], 'nothing reached the foreign host');
  });

  test('forged in-dialog OPTIONS and MESSAGE and a stray ACK aimed at a foreign host are not relayed (no open relay)', async () => {
    const ids: string[] = [];
    for (const [method, route] of [
      ['OPTIONS', ourRoute],
      ['MESSAGE', ourRoute],
      ['OPTIONS', `<${sink.uri()};lr>`], // a Route that is not ours
      ['MESSAGE', `<${sink.uri()};lr>`],
    ] as const) {
      const callId = `forged-${method.toLowerCase()}-${rand(6)}`;
      ids.push(callId);
      const res = await attacker.request(
        `${method} ${sink.uri('victim')} SIP/2.0`,
        [
          ...dialogHeaders({ method, from: `sip:mallory@${ATTACKER_ADDRESS}`, to: sink.uri('victim'), toTag: rand(4), callId }),
          ['Route', route],
          ...(method === 'MESSAGE' ? ([['Content-Type', 'text/plain']] as Array<[string, string]>) : []),
        ],
        method === 'MESSAGE' ? 'spam' : '',
      );
      assert.ok(res, `forged ${method} (Route ${route}) is answered`);
      assert.ok(
        REFUSED_IN_DIALOG.includes(res.status!),
        `forged ${method} with Route ${route} refused with 481/403 (got ${res.startLine})`,
      );
    }
    // A stray ACK (no transaction, no dialog) is dropped without an answer: nothing to wait for.
    const ackId = `stray-ack-${rand(6)}`;
    ids.push(ackId);
    attacker.send(`ACK ${sink.uri('victim')} SIP/2.0`, [
      ...dialogHeaders({ method: 'ACK', from: `sip:mallory@${ATTACKER_ADDRESS}`, to: sink.uri('victim'), toTag: rand(4), callId: ackId }),
      ['Route', ourRoute],
    ]);
    await legitimateCallWorks();
    for (const id of ids) assert.deepEqual(sink.receivedWith(id), [], `${id} never reached the foreign host`);
  });

  test('out-of-dialog MESSAGE and OPTIONS to a foreign domain are refused and not relayed', async () => {
    const ids: string[] = [];
    for (const method of ['MESSAGE', 'OPTIONS'] as const) {
      const callId = `foreign-${method.toLowerCase()}-${rand(6)}`;
      ids.push(callId);
      const res = await attacker.request(
        `${method} ${sink.uri('victim')} SIP/2.0`,
        [
          ...dialogHeaders({ method, from: `sip:mallory@${ATTACKER_ADDRESS}`, to: sink.uri('victim'), callId }),
          ['Content-Type', 'text/plain'],
        ],
        'spam',
      );
      assert.ok(res, `${method} to a foreign domain is answered`);
      assert.ok([403, 405].includes(res.status!), `${method} to a foreign domain refused with 403/405 (got ${res.startLine})`);
    }
    await legitimateCallWorks();
    for (const id of ids) assert.deepEqual(sink.receivedWith(id), [], `${id} never reached the foreign host`);
  });

  test("a forged BYE for someone else's live call is refused: the call, its media and its record stay up; the real BYE still ends it", async () => {
    // A victim of its own: the demo agents' calls-per-second budget goes to the other tests.
    const vera = await fx.agent('vera', await fx.createAgent('vera'));
    const call = vera.invite(fx.stack.endpoints.numbers.echo, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
    assert.equal((await call.final).status, 200, 'the victim call is answered');
    const dialog = call.dialog()!;
    await waitFor(async () => (await fx.callRecord(call.callId))?.answeredAt, 'the victim call record (answered)');

    // Everything the victim would send, sniffed — but sent over plain UDP from the attacker's host.
    const forged = await attacker.request(`BYE ${dialog.remoteUri} SIP/2.0`, [
      ...dialog.routes.map((r) => ['Route', r] as [string, string]),
      ['From', `<sip:vera@${domain}>;tag=${call.fromTag}`],
      ['To', dialog.to],
      ['Call-ID', call.callId],
      ['CSeq', '99 BYE'],
    ]);
    assert.ok(forged, 'the forged BYE is answered');
    assert.equal(forged.status, 481, `forged BYE refused with 481 (got ${forged.startLine})`);

    // Its twin from a WebSocket connection that is no party to the call, with a made-up To tag.
    const mallory = await fx.agent('mallory', 'not-an-agent');
    const wsForged = await mallory.request('BYE', dialog.remoteUri, [
      ...dialog.routes.map((r) => ['Route', r] as [string, string]),
      ['From', `<sip:vera@${domain}>;tag=${call.fromTag}`],
      ['To', `<sip:${fx.stack.endpoints.numbers.echo}@${domain}>;tag=${rand(4)}`],
      ['Call-ID', call.callId],
      ['CSeq', '98 BYE'],
    ]);
    assert.equal(wsForged.status, 481, `BYE for a dialog that does not exist refused with 481 (got ${wsForged.startLine})`);

    assert.equal((await fx.trunkCall(call.callId))?.state, 'answered', 'the trunk still carries the call');
    assert.ok((await fx.rtpengineCalls()).includes(call.callId), 'rtpengine still relays its media');
    assert.equal((await fx.callRecord(call.callId))?.endedAt, null, 'its record is not ended');

    assert.equal((await call.bye()).status, 200, 'the real BYE still ends the call');
    await waitFor(async () => (await fx.callRecord(call.callId))?.endedAt, 'the call record ended by the real BYE');
    assert.equal((await fx.trunkCall(call.callId))?.state, 'ended');
  });

  test("a BYE with a live call's exact identifiers from another agent's WebSocket connection does not end it", async () => {
    // Who knows Call-ID and both tags: anyone who saw the signalling (plain ws://), or a party
    // of an earlier leg. A dialog known to Kamailio is not enough: the sender must be a party.
    const victor = await fx.agent('victor', await fx.createAgent('victor'));
    const call = victor.invite(fx.stack.endpoints.numbers.echo, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
    assert.equal((await call.final).status, 200, 'the victim call is answered');
    const dialog = call.dialog()!;
    const bob = await fx.agent('bob');
    assert.equal((await bob.register()).status, 200, 'the attacker is an authenticated agent');
    const forged = await bob.request('BYE', dialog.remoteUri, [
      ...dialog.routes.map((r) => ['Route', r] as [string, string]),
      ['From', `<sip:victor@${domain}>;tag=${call.fromTag}`],
      ['To', dialog.to],
      ['Call-ID', call.callId],
      ['CSeq', '97 BYE'],
    ]);
    assert.ok(REFUSED_IN_DIALOG.includes(forged.status!), `a BYE from a connection that is no party is refused (got ${forged.startLine})`);
    assert.equal((await fx.trunkCall(call.callId))?.state, 'answered', 'the trunk still carries the call');
    assert.equal((await call.bye()).status, 200, 'the real BYE still ends the call');
  });

  test('a live call moves to a new WebSocket connection only for the same authenticated agent: another agent or an unauthenticated socket gets 481', async () => {
    // Kamailio lets a party's re-INVITE from a NEW connection refresh the dialog (an agent whose
    // WebSocket dropped mid-call, route PARTY_RECONNECTED). That widening is what an attacker who
    // sniffed Call-ID and tags would try to use to take the call over.
    const password = await fx.createAgent('wendy');
    const wendy = await fx.agent('wendy', password);
    const call = wendy.invite(fx.stack.endpoints.numbers.echo, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
    assert.equal((await call.final).status, 200, 'the victim call is answered');
    const dialog = call.dialog()!;
    let cseq = 10;
    const inDialog = (contactUser: string, method = 'INVITE'): Array<[string, string]> => [
      ...dialog.routes.map((r) => ['Route', r] as [string, string]),
      ['From', `<sip:wendy@${domain}>;tag=${call.fromTag}`],
      ['To', dialog.to],
      ['Call-ID', call.callId],
      ['CSeq', `${++cseq} ${method}`],
      ['Contact', `<sip:${contactUser}@${rand(4)}.invalid;transport=ws>`],
      ['Content-Type', 'application/sdp'],
    ];
    const sdp = browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' });

    const bob = await fx.agent('bob');
    assert.equal((await bob.register()).status, 200, 'the attacker is an authenticated agent');
    const byBob = await bob.request('INVITE', dialog.remoteUri, inDialog('bob'), sdp);
    assert.equal(byBob.status, 481, `another agent's re-INVITE is refused (got ${byBob.startLine})`);
    const mallory = await fx.agent('mallory', 'not-an-agent');
    const byMallory = await mallory.request('INVITE', dialog.remoteUri, inDialog('mallory'), sdp);
    assert.equal(byMallory.status, 481, `an unauthenticated connection's re-INVITE is refused (got ${byMallory.startLine})`);
    // A BYE is no target refresh: not even the same agent ends the call from a new connection with one.
    const wendyAgain = await fx.agent('wendy', password);
    assert.equal((await wendyAgain.register()).status, 200, 'the victim registers on a new connection');
    const byeFirst = await wendyAgain.request(
      'BYE',
      dialog.remoteUri,
      inDialog('wendy', 'BYE').filter(([n]) => n !== 'Content-Type'),
    );
    assert.equal(byeFirst.status, 481, `a BYE from the new connection before any refresh is refused (got ${byeFirst.startLine})`);
    assert.equal((await fx.trunkCall(call.callId))?.state, 'answered', 'the trunk still carries the call');

    // The victim's own refresh from its new connection is accepted and relayed to the trunk...
    const headers = inDialog('wendy');
    const moved = await wendyAgain.request('INVITE', dialog.remoteUri, headers, sdp);
    assert.equal(moved.status, 200, `the same agent's re-INVITE from its new connection is accepted (got ${moved.startLine})`);
    wendyAgain.ack(dialog.remoteUri, [
      ...headers.filter(([n]) => ['Route', 'From', 'Call-ID'].includes(n)),
      ['To', dialog.to],
      ['CSeq', `${cseq} ACK`],
    ]);
    // The trunk answered the refresh, but its log of what it received is written a little later.
    const invitesAtTrunk = () => fx.trunkReceivedRequests('INVITE', call.callId).length;
    await waitFor(async () => invitesAtTrunk() >= 2, 'the trunk’s log to show the refresh').catch(() => undefined);
    assert.equal(invitesAtTrunk(), 2, 'the trunk saw the INVITE and the one refresh, not the attackers’');
    // ...and the far end's hang-up now reaches the new connection, not the old one.
    await fx.hangUpTrunkCall(call.callId);
    await waitFor(async () => wendyAgain.byes.some((b) => header(b, 'call-id') === call.callId), 'the trunk’s BYE on the new connection');
    assert.ok(!wendy.byes.some((b) => header(b, 'call-id') === call.callId), 'nothing went to the old connection');
    assert.ok(
      !bob.byes.some((b) => header(b, 'call-id') === call.callId) && !mallory.byes.some((b) => header(b, 'call-id') === call.callId),
    );
  });

  test('a forged in-dialog INVITE over WebSocket for a dialog that does not exist skips no authentication', async () => {
    const mallory = await fx.agent('mallory', 'not-an-agent');
    const callId = `forged-ws-invite-${rand(6)}`;
    const echo = fx.stack.endpoints.numbers.echo;
    const res = await mallory.request(
      'INVITE',
      `sip:${echo}@${domain}:${fx.trunk.sipPort}`,
      [
        ['Route', ourRoute],
        ...dialogHeaders({ method: 'INVITE', from: `sip:mallory@${domain}`, to: `sip:${echo}@${domain}`, toTag: rand(4), callId }),
        ['Contact', `<sip:mallory@${rand(4)}.invalid;transport=ws>`],
        ['Content-Type', 'application/sdp'],
      ],
      browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }),
    );
    assert.ok(REFUSED_IN_DIALOG.includes(res.status!), `refused with 481/403 (got ${res.startLine})`);
    assert.ok(!(await fx.rtpengineCalls()).includes(callId), 'rtpengine holds no media for it');
    await legitimateCallWorks();
    assert.deepEqual(fx.trunkReceived(callId), [], 'it never reached the trunk');
  });
});
