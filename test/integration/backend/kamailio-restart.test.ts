/**
 * Real Kamailio restarted through the supervisor (a clean stop, as an operator's restart): the
 * registrations it held are still there afterwards (its own database, usrloc write-back), audit
 * events it had accepted but not yet delivered (the control plane held down) reach the control
 * plane once each, and an agent that reconnects is reachable by an inbound call from the trunk.
 * Calls up across the restart go on (dialogs written to that database): each agent takes its side
 * back with its own re-INVITE from its new connection, and no one else can — not even a connection
 * that the new process gave the very id the agent's old connection had. A crash (SIGKILL, as the
 * kernel's OOM killer sends) keeps them too, across a second one as well, and the trunk leg of a
 * call nobody takes back is ended by us within the agent's grace: no PSTN leg outlives its dialog.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Sqlite from 'better-sqlite3';
import { join } from 'node:path';
import { AgentPool } from './support/agent-pool.js';
import { browserSdp } from './support/webrtc-sdp.js';
import { adminGet, startTestStack, untilAuditDelivered, waitFor } from './support/stack-fixture.js';
import { header, rand } from './support/sip-message.js';
import type { OutgoingCall, WsSipAgent } from './support/ws-sip-agent.js';
import type { AuditEntry } from '../../../backend/control-plane/audit-store.js';
import type { CallRecord } from '../../../backend/control-plane/call-records.js';
import { carrierApiUrl } from '../../../backend/endpoints.js';
import { AGENT_GONE_GRACE_SECONDS } from '../../../backend/config/kamailio.js';
import { CALLS_PROFILE, execRunner, parseDialogs } from '../../../backend/control-plane/kamailio-revocation.js';
import { CarrierApi, isLive } from '../../support/carrier-api.js';
import { admin, createAgent } from '../security/support/control-plane-http.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

// Audit durability's block: the two files run one after the other.
const PORT_BASE = TEST_PORT_BASES.auditOutage;
/** REGISTERs made while the control plane is held down: their events wait in Kamailio's queue. */
const HELD_EVENTS = 5;
/** Addresses the agents of the call test connect from (another loopback address is another host). */
const ALICE_ADDRESS = '127.0.0.31';
const CAROL_ADDRESS = '127.0.0.32';
const ATTACKER_ADDRESS = '127.0.0.33';
/** Connections the attacker opens, at most, to be handed the id alice's old connection had. */
const MAX_ATTACKER_CONNECTIONS = 40;
/** An agent created for this test, revoked after the restart. */
const DAVE = { username: 'dave', password: 'dave-password-restart-1' };

describe('a Kamailio restart keeps registrations and undelivered audit events', { timeout: 300_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  const pool = new AgentPool(() => fx.stack);
  let heldPid: number | null = null;
  const resume = () => {
    if (heldPid !== null) process.kill(-heldPid, 'SIGCONT');
    heldPid = null;
  };
  /** An RPC on Kamailio's control socket, as the control plane sends them. */
  const kamcmd = async (...args: string[]) =>
    (await execRunner('kamcmd', ['-s', `unix:${join(fx.stack.stateDir, 'run', 'kamailio_ctl')}`, ...args])).stdout;

  /** The id Kamailio gave the (one) TCP/WebSocket connection from `address`, or null. */
  const connectionIdFrom = async (address: string): Promise<number | null> => {
    const list = await kamcmd('core.tcp_list');
    const entry = list.split(/\n\s*\{/).find((b) => new RegExp(`src_ip: ${address.replace(/\./g, '\\.')}\\s`).test(b));
    const id = entry && /\bid: (\d+)/.exec(entry)?.[1];
    return id ? Number(id) : null;
  };
  /** When Kamailio's dialog of `callId` times out (`dlg.list` timeout, Unix seconds). */
  const dialogTimeout = async (callId: string): Promise<number> => {
    const list = await kamcmd('dlg.list');
    const at = list.indexOf(`call-id: ${callId}`);
    const timeout = at >= 0 ? /timeout: (\d+)/.exec(list.slice(at))?.[1] : undefined;
    assert.ok(timeout, `Kamailio has a dialog for ${callId}:\n${list}`);
    return Number(timeout);
  };
  /** The call record of `callId` (the admin API's filter). */
  const callRecord = async (callId: string) =>
    (await adminGet<{ calls: CallRecord[] }>(fx.stack, `/api/calls?callId=${encodeURIComponent(callId)}`)).calls[0];
  /** The Call-IDs of the calls Kamailio has written to its state database (read-only: Kamailio is its only writer). */
  const savedCalls = (): string[] => {
    const db = new Sqlite(join(fx.stack.stateDir, 'kamailio.db'), { readonly: true });
    try {
      return db
        .prepare('SELECT callid FROM dialog')
        .all()
        .map((r) => (r as { callid: string }).callid);
    } finally {
      db.close();
    }
  };
  /** SIGKILLs Kamailio's whole process group (a crash: nothing runs at shutdown); resolves when the supervisor's restart answers. */
  const crashKamailio = async (): Promise<number> => {
    const old = fx.stack.pids()['kamailio']!;
    process.kill(-old, 'SIGKILL');
    const killedAt = performance.now();
    await waitFor(
      async () => fx.stack.pids()['kamailio'] !== old && /\d/.test(await kamcmd('core.uptime')),
      'Kamailio restarted after the crash',
      20_000,
    );
    process.stderr.write(`# Kamailio SIGKILLed → answering again: ${(performance.now() - killedAt).toFixed(0)} ms\n`);
    return Date.now();
  };

  before(async () => {
    fx = await startTestStack(PORT_BASE);
  });
  afterEach(async () => {
    resume();
    await pool.closeAll();
  });
  after(async () => {
    await fx?.dispose();
  });

  test('registered before the restart: still in ul.dump after it; audits held in the queue delivered once; inbound call reaches the reconnected agent', async () => {
    const bob = await pool.connect('bob');
    assert.equal((await bob.register()).status, 200);
    const alice = await pool.connect('alice');
    await untilAuditDelivered(fx.stack, alice);
    assert.match(await kamcmd('ul.dump'), /AoR: bob/, 'bob is registered before the restart');

    // The control plane frozen: every event from here waits in Kamailio's queue (one of them in
    // the delivery timer's hands, retried), and the restart happens with them still there.
    const since = Date.now();
    heldPid = fx.stack.pids()['control-plane']!;
    process.kill(-heldPid, 'SIGSTOP');
    for (let i = 0; i < HELD_EVENTS; i++) assert.equal((await alice.register()).status, 200);

    const kamailioPid = fx.stack.pids()['kamailio']!;
    const t0 = performance.now();
    await fx.stack.restart('kamailio');
    const restartMs = performance.now() - t0;
    const restartedAt = Date.now();
    assert.notEqual(fx.stack.pids()['kamailio'], kamailioPid, 'a new Kamailio process');
    process.stderr.write(`# Kamailio restart (clean stop → ready again): ${restartMs.toFixed(0)} ms\n`);
    await bob.closed; // the old process's WebSocket connections are gone

    // Loaded from Kamailio's database by the new process (no agent has reconnected yet).
    const dump = await kamcmd('ul.dump');
    assert.match(dump, /AoR: bob/, 'bob’s registration survived the restart');
    assert.match(dump, /AoR: alice/, 'alice’s registration survived the restart');

    resume();
    const alice2 = await pool.connect('alice');
    await untilAuditDelivered(fx.stack, alice2);
    const held = (await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?since=${since}&limit=1000`)).events.filter(
      (e) => e.method === 'REGISTER' && e.from.includes('alice') && e.at < restartedAt,
    );
    assert.equal(held.length, HELD_EVENTS, 'every event accepted before the restart, once');
    assert.ok(
      held.every((e) => e.outcome === 'registered' && e.at >= since),
      'with the times Kamailio saw them',
    );
    const log = fx.logs.join('\n');
    assert.match(log, /restarting kamailio on request/);

    // bob comes back (the softphone reconnects by itself; here a new connection) and a call from
    // the trunk reaches him there.
    const bob2 = await pool.connect('bob');
    assert.equal((await bob2.register()).status, 200);
    bob2.answerMode = { kind: 'answer', sdp: browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' }) };
    const carrier = new CarrierApi(carrierApiUrl(fx.stack.endpoints));
    const id = await carrier.placeCall('bob', 'tone');
    try {
      const answered = await carrier.waitFor(id, 'bob answering', (c) => c.answeredAt !== null || !isLive(c));
      assert.ok(answered.answeredAt !== null, `the call from the trunk was answered: ${JSON.stringify(answered)}`);
      assert.equal(bob2.incomingInvites.length, 1, 'it rang bob on his new connection');
    } finally {
      await carrier.hangup(id);
    }
  });

  test('calls up before the restart go on: each agent takes its side back with its re-INVITE from a new connection, another agent cannot (not even on the old connection id), hang-ups end the trunk leg and the record', async () => {
    const domain = fx.stack.endpoints.sip.domain;
    const echo = fx.stack.endpoints.numbers.echo;
    const carrier = new CarrierApi(carrierApiUrl(fx.stack.endpoints));
    const offer = () => browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' });
    // Two calls to the trunk: alice will hang hers up, the trunk will hang up carol's.
    const alice = await pool.connect('alice', undefined, ALICE_ADDRESS);
    const aliceCall = alice.invite(echo, offer());
    assert.equal((await aliceCall.final).status, 200, 'alice’s call is answered');
    const abandoned = alice.invite(echo, offer());
    assert.equal((await abandoned.final).status, 200, 'alice’s second call is answered');
    const carol = await pool.connect('carol', undefined, CAROL_ADDRESS);
    const carolCall = carol.invite(echo, offer());
    assert.equal((await carolCall.final).status, 200, 'carol’s call is answered');
    // And one whose agent is revoked after the restart.
    await createAgent(fx.stack, DAVE.username, DAVE.password);
    const dave = await pool.connect(DAVE.username, DAVE.password);
    const daveCall = dave.invite(echo, offer());
    assert.equal((await daveCall.final).status, 200, 'dave’s call is answered');
    const aliceOldConnection = await connectionIdFrom(ALICE_ADDRESS);
    assert.ok(aliceOldConnection !== null, 'Kamailio lists alice’s connection');

    const maxCallEnds = await dialogTimeout(aliceCall.callId);
    await fx.stack.restart('kamailio');
    const restartedAt = Date.now();
    await alice.closed;
    await carol.closed;
    const dialogs = await kamcmd('dlg.list');
    for (const c of [aliceCall, abandoned, carolCall, daveCall])
      assert.ok(dialogs.includes(c.callId), `every dialog loaded again:\n${dialogs}`);
    // Every agent's connection closed with the old process: each call has the grace to be refreshed.
    assert.match(
      readFileSync(join(fx.stack.logDir, 'kamailio.log'), 'utf8'),
      new RegExp(`restart: 4 calls loaded from the state database; each ends in ${AGENT_GONE_GRACE_SECONDS} s unless its agent comes back`),
    );
    const graceEnds = await dialogTimeout(aliceCall.callId);
    assert.ok(
      Math.abs(graceEnds - (restartedAt / 1000 + AGENT_GONE_GRACE_SECONDS)) <= 3,
      `the call ends ${AGENT_GONE_GRACE_SECONDS} s after the restart unless refreshed (timeout ${graceEnds}, restarted ${restartedAt / 1000})`,
    );
    // Revocation finds the call in the agent's profile (dlg.profile_list, as the control plane asks).
    const profiled = parseDialogs(await kamcmd('dlg.profile_list', CALLS_PROFILE, 'alice'));
    assert.deepEqual(
      profiled.map((c) => c.callId).sort(),
      [aliceCall.callId, abandoned.callId].sort(),
      'alice’s "calls" profile holds her calls again (revocation and max_calls see them)',
    );
    assert.ok(isLive(await carrier.call(aliceCall.callId)), 'the trunk leg is still up');

    // The attacker: bob, authenticated, knowing the call's Call-ID and tags, on a connection the
    // new process numbered like alice's old one (ids start from 1 again).
    let mallet: WsSipAgent | null = null;
    for (let i = 0; i < MAX_ATTACKER_CONNECTIONS && !mallet; i++) {
      const attempt = await pool.connect('bob', undefined, ATTACKER_ADDRESS);
      if ((await connectionIdFrom(ATTACKER_ADDRESS)) === aliceOldConnection) mallet = attempt;
      else attempt.close();
      await waitFor(async () => mallet !== null || (await connectionIdFrom(ATTACKER_ADDRESS)) === null, 'the attempt’s connection closed');
    }
    assert.ok(mallet, `the attacker got connection id ${aliceOldConnection}, alice’s before the restart`);
    assert.equal((await mallet.register()).status, 200, 'the attacker is an authenticated agent');
    const forgedRefresh = await refresh(mallet, aliceCall, 'alice', 50);
    assert.ok([481, 403].includes(forgedRefresh), `another agent's re-INVITE is refused (got ${forgedRefresh})`);
    const forgedBye = await mallet.request('BYE', aliceCall.dialog()!.remoteUri, inDialog(aliceCall, 'alice', domain, '51 BYE', 'bob'));
    assert.ok([481, 403].includes(forgedBye.status!), `another agent's BYE is refused (got ${forgedBye.startLine})`);
    assert.ok(isLive(await carrier.call(aliceCall.callId)), 'the call stays up');
    assert.ok(await kamcmd('dlg.list').then((l) => l.includes(aliceCall.callId)), 'Kamailio still has it');

    // alice's softphone reconnects, registers and refreshes its call: it is hers again.
    const alice2 = await pool.connect('alice', undefined, ALICE_ADDRESS);
    assert.equal((await alice2.register()).status, 200);
    assert.equal(await refresh(alice2, aliceCall, 'alice', 60), 200, 'alice’s re-INVITE from her new connection is accepted');
    const aliceBye = await alice2.request('BYE', aliceCall.dialog()!.remoteUri, inDialog(aliceCall, 'alice', domain, '61 BYE', 'alice'));
    assert.equal(aliceBye.status, 200, 'her hang-up is relayed');
    const ended = await carrier.waitFor(aliceCall.callId, 'the trunk leg to end', (c) => !isLive(c));
    assert.ok(ended.endedAt !== null);
    const record = await waitFor(async () => {
      const r = await callRecord(aliceCall.callId);
      return r?.endedAt ? r : null;
    }, 'alice’s call record closed');
    assert.ok(record.answeredAt !== null && record.endedAt !== null, `the record was answered and ended: ${JSON.stringify(record)}`);

    // carol's side back the same way; then the trunk hangs up (its side of the dialog was saved
    // with it) and the BYE reaches carol's new connection.
    const carol2 = await pool.connect('carol', undefined, CAROL_ADDRESS);
    assert.equal((await carol2.register()).status, 200);
    assert.equal(await refresh(carol2, carolCall, 'carol', 70), 200, 'carol’s re-INVITE from her new connection is accepted');
    const carolMaxEnds = await dialogTimeout(carolCall.callId);
    assert.ok(
      Math.abs(carolMaxEnds - maxCallEnds) <= 3,
      `refreshed, the call has its maximum duration back (timeout ${carolMaxEnds}, was ${maxCallEnds})`,
    );
    await carrier.hangup(carolCall.callId);
    await waitFor(
      async () => carol2.byes.some((b) => header(b, 'call-id') === carolCall.callId),
      'the trunk’s BYE on carol’s new connection',
    );
    await waitFor(async () => (await callRecord(carolCall.callId))?.endedAt, 'carol’s call record closed');
    await waitFor(
      async () => !(await kamcmd('dlg.list').then((l) => l.includes(carolCall.callId) || l.includes(aliceCall.callId))),
      'both dialogs gone from Kamailio',
    );

    // Revocation finds a loaded call in the agent's profile and ends it on both legs.
    const revoked = await admin(fx.stack, 'PATCH', `/api/agents/${DAVE.username}`, { disabled: true });
    assert.deepEqual((revoked.body as { kamailio: unknown }).kamailio, { registrationsDropped: true, callsEnded: 1 });
    await carrier.waitFor(daveCall.callId, 'the revoked agent’s trunk leg to end', (c) => !isLive(c));

    // The call alice never refreshed (a softphone that did not come back) ends on both legs once
    // the grace has passed: the trunk leg does not go on billing.
    const abandonedEnd = await carrier.waitFor(
      abandoned.callId,
      'the abandoned call’s trunk leg to end',
      (c) => !isLive(c),
      (AGENT_GONE_GRACE_SECONDS + 10) * 1000,
    );
    const endedAfterMs = Date.parse(abandonedEnd.endedAt!) - restartedAt;
    process.stderr.write(`# abandoned call's trunk leg ended ${endedAfterMs} ms after Kamailio was ready again\n`);
    assert.ok(endedAfterMs >= (AGENT_GONE_GRACE_SECONDS - 2) * 1000, `not before the grace (${endedAfterMs} ms)`);
    const abandonedRecord = await waitFor(async () => {
      const r = await callRecord(abandoned.callId);
      return r?.endedAt ? r : null;
    }, 'the abandoned call’s record closed');
    assert.ok(abandonedRecord.endedAt !== null);
    const { events } = await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?since=${restartedAt}&limit=1000`);
    assert.ok(
      events.some((e) => e.callId === abandoned.callId && e.outcome === 'agent connection lost'),
      'the audit says why it ended',
    );
  });

  test('a crash (SIGKILL) mid-call keeps the calls, across a second crash too: the agent takes its call back; the trunk leg of the call nobody takes back is ended within the grace; an ended call does not come back', async () => {
    const domain = fx.stack.endpoints.sip.domain;
    // The tone number: the carrier sends audio all along, so rtpengine's media timeout never ends
    // these calls — nothing but our BYE ends a trunk leg whose agent is gone.
    const tone = fx.stack.endpoints.numbers.tone;
    const carrier = new CarrierApi(carrierApiUrl(fx.stack.endpoints));
    const offer = () => browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' });
    const alice = await pool.connect('alice', undefined, ALICE_ADDRESS);
    const kept = alice.invite(tone, offer());
    assert.equal((await kept.final).status, 200, 'alice’s call is answered');
    // Written while Kamailio relayed the 200: in the state database before the agent has it.
    assert.ok(savedCalls().includes(kept.callId), 'alice’s call is in the state database once answered');
    // One call ends before the crash: its row goes with it, and it must not come back.
    const hungUp = alice.invite(tone, offer());
    assert.equal((await hungUp.final).status, 200, 'alice’s second call is answered');
    assert.equal((await hungUp.bye()).status, 200);
    // Gone with the hang-up, not 5 s later when the dialog module frees it: a crash right after
    // it must not bring it back.
    assert.ok(!savedCalls().includes(hungUp.callId), 'the ended call left the state database with its hang-up');
    // The crash comes the instant carol's call is answered: no window in which a call is lost.
    const carol = await pool.connect('carol', undefined, CAROL_ADDRESS);
    const abandoned = carol.invite(tone, offer());
    assert.equal((await abandoned.final).status, 200, 'carol’s call is answered');

    await crashKamailio();
    await alice.closed;
    await carol.closed;
    const dialogs = await kamcmd('dlg.list');
    assert.ok(dialogs.includes(kept.callId) && dialogs.includes(abandoned.callId), `both calls loaded after the crash:\n${dialogs}`);
    assert.ok(!dialogs.includes(hungUp.callId), 'the call that ended before the crash is not back');
    assert.ok(isLive(await carrier.call(kept.callId)) && isLive(await carrier.call(abandoned.callId)), 'both trunk legs are up');

    // alice's softphone reconnects and refreshes its call: it is hers again, and goes on.
    const alice2 = await pool.connect('alice', undefined, ALICE_ADDRESS);
    assert.equal((await alice2.register()).status, 200);
    assert.equal(await refresh(alice2, kept, 'alice', 60), 200, 'alice’s re-INVITE after the crash is accepted');

    // A second crash in the same call (with db_mode 3 a call loaded once was gone after the next restart).
    const lastReadyAt = await crashKamailio();
    await alice2.closed;
    assert.ok((await kamcmd('dlg.list')).includes(kept.callId), 'alice’s call is loaded again after the second crash');
    const alice3 = await pool.connect('alice', undefined, ALICE_ADDRESS);
    assert.equal((await alice3.register()).status, 200);
    assert.equal(await refresh(alice3, kept, 'alice', 70), 200, 'alice’s re-INVITE after the second crash is accepted');
    const bye = await alice3.request('BYE', kept.dialog()!.remoteUri, inDialog(kept, 'alice', domain, '71 BYE', 'alice'));
    assert.equal(bye.status, 200, 'her hang-up is relayed');
    await carrier.waitFor(kept.callId, 'alice’s trunk leg to end', (c) => !isLive(c));

    // carol never comes back: her trunk leg is ended by us, the grace after Kamailio was back.
    const abandonedEnd = await carrier.waitFor(
      abandoned.callId,
      'the abandoned call’s trunk leg to end',
      (c) => !isLive(c),
      (AGENT_GONE_GRACE_SECONDS + 10) * 1000,
    );
    const endedAfterMs = Date.parse(abandonedEnd.endedAt!) - lastReadyAt;
    process.stderr.write(`# abandoned call's trunk leg ended ${endedAfterMs} ms after Kamailio answered again (second crash)\n`);
    assert.ok(
      endedAfterMs >= (AGENT_GONE_GRACE_SECONDS - 2) * 1000 && endedAfterMs <= (AGENT_GONE_GRACE_SECONDS + 3) * 1000,
      `ended within the grace (${endedAfterMs} ms)`,
    );
    await waitFor(async () => (await callRecord(abandoned.callId))?.endedAt, 'the abandoned call’s record closed');
    const { events } = await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?since=${lastReadyAt}&limit=1000`);
    assert.ok(
      events.some((e) => e.callId === abandoned.callId && e.outcome === 'agent connection lost'),
      'the audit says why it ended',
    );
    await waitFor(async () => savedCalls().length === 0, 'no call left in the state database');
  });
});

/**
 * An in-dialog request of `call` as its caller sends it (its Route set, tags, Call-ID), from
 * whichever connection sends it: the agent's own new one, or an attacker's who learnt them.
 */
function inDialog(call: OutgoingCall, caller: string, domain: string, cseq: string, contactUser: string): Array<[string, string]> {
  const dialog = call.dialog()!;
  return [
    ...dialog.routes.map((r) => ['Route', r] as [string, string]),
    ['From', `<sip:${caller}@${domain}>;tag=${call.fromTag}`],
    ['To', dialog.to],
    ['Call-ID', call.callId],
    ['CSeq', cseq],
    ['Contact', `<sip:${contactUser}@${rand(4)}.invalid;transport=ws>`],
  ];
}

/** A target-refresh re-INVITE of `call` from `from` (what the softphone sends after reconnecting), ACKed if accepted. */
async function refresh(from: WsSipAgent, call: OutgoingCall, caller: string, cseq: number): Promise<number> {
  const domain = from.domain;
  const headers: Array<[string, string]> = [
    ...inDialog(call, caller, domain, `${cseq} INVITE`, from.username),
    ['Content-Type', 'application/sdp'],
  ];
  const res = await from.request(
    'INVITE',
    call.dialog()!.remoteUri,
    headers,
    browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }),
  );
  if (res.status === 200)
    from.ack(call.dialog()!.remoteUri, [
      ...headers.filter(([n]) => ['Route', 'From', 'Call-ID'].includes(n)),
      ['To', header(res, 'to')!],
      ['CSeq', `${cseq} ACK`],
    ]);
  return res.status!;
}
