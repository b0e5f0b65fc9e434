/**
 * Real Kamailio + rtpengine + carrier + control plane: registration with digest auth over
 * WebSocket, agent→agent and agent→number calls through rtpengine, busy, cancel, and the audit
 * trail / call records those calls leave — also across a control-plane crash and restart.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import { createSocket } from 'node:dgram';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../backend/stack.js';
import { AgentPool } from './support/agent-pool.js';
import { rand } from './support/sip-message.js';
import { browserSdp, sdpFacts } from './support/webrtc-sdp.js';
import { rtpengineCallIds } from '../security/support/rtpengine-ng.js';
import { adminGet, startTestStack, untilAuditDelivered, waitFor } from './support/stack-fixture.js';
import type { CallRecord } from '../../../backend/control-plane/call-records.js';
import type { AuditEntry } from '../../../backend/control-plane/audit-store.js';
import { carrierApiUrl } from '../../../backend/endpoints.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.sipCalls;
const hasCarrier = existsSync(join(REPO_ROOT, 'backend/carrier/main.ts'));

describe('SIP over WebSocket through Kamailio and rtpengine', { timeout: 90_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  const pool = new AgentPool(() => fx.stack);
  const connect = (username: string, password?: string) => pool.connect(username, password);
  const callIds: Record<string, string> = {};

  /** rtpengine's media port range for this stack: proof the SDP points at rtpengine. */
  const inRtpengineRange = (port: number | null) =>
    port !== null && port >= fx.stack.ports.rtpengineMediaMin && port <= fx.stack.ports.rtpengineMediaMax;

  before(async () => {
    fx = await startTestStack(PORT_BASE);
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await fx?.dispose();
  });

  test('REGISTER: right password → 200, wrong password → 403, unknown user → 403', async () => {
    const alice = await connect('alice');
    const ok = await alice.register();
    assert.equal(ok.status, 200, `REGISTER with the right password: ${ok.startLine}`);

    const wrong = await connect('alice', 'not-the-password');
    assert.equal((await wrong.register()).status, 403);

    const unknown = await connect('mallory', 'whatever-password');
    assert.equal((await unknown.register()).status, 403);
  });

  test('password guessing: after 10 failures the user is refused from that address even with the right password', async () => {
    const e = fx.stack.endpoints;
    // A fresh agent provisioned through the API: Kamailio authenticates it at once (shared DB).
    const created = await fetch(`${e.admin.apiUrl}/api/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${e.admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'erin', password: 'erin-password-1', displayName: 'Erin' }),
    });
    assert.equal(created.status, 201);
    const erin = await connect('erin', 'erin-password-1');
    assert.equal((await erin.register()).status, 200, 'a provisioned agent registers right away');
    await erin.register(0);
    for (let i = 0; i < 10; i++) {
      const guess = await connect('erin', `guess-${i}`);
      assert.equal((await guess.register()).status, 403);
    }
    const locked = await connect('erin', 'erin-password-1');
    assert.equal((await locked.register()).status, 403, 'locked out despite the right password');
    await waitFor(
      async () =>
        (await adminGet<{ events: AuditEntry[] }>(fx.stack, '/api/audit')).events.some(
          (ev) => ev.outcome === 'too many failures' && ev.from.includes('erin'),
        ),
      'the lockout in the audit log',
    );
    const alice = await connect('alice');
    assert.equal((await alice.register()).status, 200, 'other users are not affected');
  });

  test('password guessing with INVITEs: the lockout is audited, yet no guess becomes a call record; a refused real call still does', async () => {
    const e = fx.stack.endpoints;
    const created = await fetch(`${e.admin.apiUrl}/api/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${e.admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'frank', password: 'frank-password-1', displayName: 'Frank' }),
    });
    assert.equal(created.status, 201);
    const guesses: string[] = [];
    for (let i = 0; i < 10; i++) {
      const guess = await connect('frank', `guess-${i}`);
      const call = guess.invite('alice', browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
      assert.equal((await call.final).status, 403);
      guesses.push(call.callId);
    }
    const alice = await connect('alice');
    const refused = alice.invite('nobody', browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
    assert.equal((await refused.final).status, 404);
    await untilAuditDelivered(fx.stack, alice); // events arrive in order: everything above is in
    const { events } = await adminGet<{ events: AuditEntry[] }>(fx.stack, '/api/audit');
    assert.ok(
      events.some((ev) => ev.method === 'INVITE' && ev.outcome === 'too many failures' && guesses.includes(ev.callId)),
      'the lockout a guessing INVITE caused is audited',
    );
    const { calls } = await adminGet<{ calls: CallRecord[] }>(fx.stack, '/api/calls');
    assert.deepEqual(
      calls.filter((c) => guesses.includes(c.callId)),
      [],
      'a refused or locked-out guess is no call',
    );
    assert.equal(
      calls.find((c) => c.callId === refused.callId)?.disposition,
      'not-found',
      'a refused call by a signed-in agent is recorded',
    );
  });

  test('agent→agent: 200 OK, both legs DTLS-SRTP + ICE through rtpengine', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    assert.equal((await alice.register()).status, 200);
    assert.equal((await bob.register()).status, 200);
    bob.answerMode = { kind: 'answer', sdp: browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' }) };

    const offer = browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' });
    const call = alice.invite('bob', offer);
    const res = await call.final;
    callIds.agentToAgent = call.callId;
    assert.equal(res.status, 200, res.startLine);

    const toBob = sdpFacts(bob.incomingInvites.at(-1)!.body);
    assert.ok(inRtpengineRange(toBob.port), `bob's offer points at rtpengine (port ${toBob.port})`);
    assert.equal(toBob.proto, 'UDP/TLS/RTP/SAVPF', 'DTLS-SRTP offered to the browser leg');
    assert.ok(toBob.hasFingerprint && toBob.hasIce && toBob.rtcpMux, 'fingerprint, ICE and rtcp-mux toward bob');

    const answer = sdpFacts(res.body);
    assert.equal(answer.address, fx.stack.endpoints.sip.domain);
    assert.ok(inRtpengineRange(answer.port), `alice's answer points at rtpengine (port ${answer.port})`);
    assert.equal(answer.proto, 'UDP/TLS/RTP/SAVPF');
    assert.ok(answer.hasFingerprint && answer.hasIce, 'answer to alice carries DTLS fingerprint and ICE');

    await new Promise((r) => setTimeout(r, 300)); // a measurable duration
    assert.equal((await call.bye()).status, 200);
  });

  test('agent→agent re-INVITE refused by the far end (glare, 488): the call keeps its media in rtpengine and renegotiates later', async () => {
    // Both softphones of a call renegotiating at once (an rtpengine restart, a shared network blip)
    // refuse each other's re-INVITE. A refused re-INVITE leaves the session as it was (RFC 3261
    // §14.1): Kamailio once freed the call's media in rtpengine for any failed INVITE, this one too.
    const alice = await connect('alice');
    const bob = await connect('bob');
    assert.equal((await alice.register()).status, 200);
    assert.equal((await bob.register()).status, 200);
    const bobSdp = browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' });
    let refuseReInvites = true;
    bob.answerMode = {
      kind: 'answer',
      sdp: async (_offer, reInvite) => {
        if (reInvite && refuseReInvites) throw new Error('an offer of ours is pending');
        return bobSdp;
      },
    };
    const call = alice.invite('bob', browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
    const res = await call.final;
    assert.equal(res.status, 200, res.startLine);
    const engineCalls = () => rtpengineCallIds(new URL(fx.stack.endpoints.admin.apiUrl).hostname, fx.stack.ports.rtpengineNg);
    assert.ok((await engineCalls()).includes(call.callId), 'rtpengine relays the call');
    const mediaPort = sdpFacts(res.body).port;

    const dialog = call.dialog()!;
    let cseq = 10;
    const reInvite = async () => {
      const headers: Array<[string, string]> = [
        ...dialog.routes.map((r) => ['Route', r] as [string, string]),
        ['From', `<sip:alice@${fx.stack.endpoints.sip.domain}>;tag=${call.fromTag}`],
        ['To', dialog.to],
        ['Call-ID', call.callId],
        ['CSeq', `${++cseq} INVITE`],
        ['Contact', `<sip:alice@${rand(4)}.invalid;transport=ws>`],
        ['Content-Type', 'application/sdp'],
      ];
      const answer = await alice.request(
        'INVITE',
        dialog.remoteUri,
        headers,
        browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }),
      );
      if (answer.status === 200)
        alice.ack(dialog.remoteUri, [...headers.filter(([n]) => ['Route', 'From', 'To', 'Call-ID'].includes(n)), ['CSeq', `${cseq} ACK`]]);
      return answer;
    };
    const refused = await reInvite();
    assert.equal(refused.status, 488, `bob refuses the re-INVITE (got ${refused.startLine})`);
    assert.ok((await engineCalls()).includes(call.callId), 'rtpengine still relays the call after the refused re-INVITE');

    refuseReInvites = false;
    const renegotiated = await reInvite();
    assert.equal(renegotiated.status, 200, `the next re-INVITE is answered (got ${renegotiated.startLine})`);
    assert.equal(
      sdpFacts(renegotiated.body).port,
      mediaPort,
      "alice's media stays on the same rtpengine port: the session was kept, not made anew",
    );
    assert.equal((await call.bye()).status, 200, 'the call still ends normally');
  });

  test('agent→busy agent gets 486', async () => {
    const carol = await connect('carol');
    assert.equal((await carol.register()).status, 200);
    carol.answerMode = { kind: 'busy' };
    const alice = await connect('alice');
    const call = alice.invite('carol', browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
    assert.equal((await call.final).status, 486);
    callIds.busyAgent = call.callId;
  });

  test('calling an agent that is not registered gets 404', async () => {
    const alice = await connect('alice');
    const call = alice.invite('nobody', browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
    assert.equal((await call.final).status, 404);
  });

  describe('agent→numbers via the simulated carrier', { skip: hasCarrier ? false : 'backend/carrier/main.ts is missing' }, () => {
    test('echo answers 200 with an SDP answer through rtpengine (DTLS-SRTP toward the browser)', async () => {
      const alice = await connect('alice');
      const call = alice.invite(fx.stack.endpoints.numbers.echo, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
      const res = await call.final;
      callIds.echo = call.callId;
      assert.equal(res.status, 200, res.startLine);
      const answer = sdpFacts(res.body);
      assert.ok(inRtpengineRange(answer.port), `answer points at rtpengine (port ${answer.port})`);
      assert.equal(answer.proto, 'UDP/TLS/RTP/SAVPF');
      assert.ok(answer.hasFingerprint && answer.hasIce && answer.rtcpMux);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await call.bye()).status, 200);
    });

    test('trunk→agent: the carrier calls bob without digest; bob is offered DTLS-SRTP via rtpengine', async () => {
      const bob = await connect('bob');
      assert.equal((await bob.register()).status, 200);
      bob.answerMode = { kind: 'answer', sdp: browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' }) };
      const api = carrierApiUrl(fx.stack.endpoints);
      const placed = await fetch(`${api}/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: 'bob', from: '+15551230000' }),
      });
      assert.equal(placed.status, 201, await placed.clone().text());
      const { id } = (await placed.json()) as { id: string };
      const invite = await waitFor(async () => bob.incomingInvites.at(-1), 'INVITE at bob');
      const offer = sdpFacts(invite.body);
      assert.equal(offer.proto, 'UDP/TLS/RTP/SAVPF');
      assert.ok(inRtpengineRange(offer.port) && offer.hasFingerprint && offer.hasIce, 'bob is offered DTLS-SRTP + ICE by rtpengine');
      await waitFor(
        async () => ((await (await fetch(`${api}/calls/${id}`)).json()) as { state: string }).state === 'answered',
        'carrier sees the answer',
      );
      callIds.inbound = invite.headers.find(([n]) => n === 'call-id')![1];
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await fetch(`${api}/calls/${id}`, { method: 'DELETE' })).status, 200);
      await waitFor(
        async () => ((await (await fetch(`${api}/calls/${id}`)).json()) as { state: string }).state === 'ended',
        'carrier hangs up',
      );
    });

    test('an INVITE from any other UDP source than the trunk is refused: agents use WebSocket (trunk allow-list)', async () => {
      const sock = createSocket('udp4');
      try {
        const { domain } = fx.stack.endpoints.sip;
        const reply = new Promise<string>((resolve) => sock.once('message', (m) => resolve(m.toString())));
        await new Promise<void>((r) => sock.bind(0, domain, () => r()));
        const port = sock.address().port;
        const invite =
          `INVITE sip:bob@${domain} SIP/2.0\r\nVia: SIP/2.0/UDP ${domain}:${port};branch=z9hG4bKspoof1;rport\r\n` +
          `Max-Forwards: 70\r\nFrom: <sip:+15550000@${domain}>;tag=spoof\r\nTo: <sip:bob@${domain}>\r\n` +
          `Call-ID: spoof-${Date.now()}\r\nCSeq: 1 INVITE\r\nContact: <sip:x@${domain}:${port}>\r\nContent-Length: 0\r\n\r\n`;
        sock.send(invite, fx.stack.endpoints.sip.udp.port, domain);
        const first = await Promise.race([reply, new Promise<string>((_, rej) => setTimeout(() => rej(new Error('no reply')), 3000))]);
        const status = first.startsWith('SIP/2.0 100')
          ? await new Promise<string>((r) => sock.once('message', (m) => r(m.toString())))
          : first;
        assert.match(status, /^SIP\/2\.0 403 Agents Use WebSocket Only/);
      } finally {
        sock.close();
      }
    });

    test('busy number gives 486', async () => {
      const alice = await connect('alice');
      const call = alice.invite(fx.stack.endpoints.numbers.busy, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
      assert.equal((await call.final).status, 486);
      callIds.busyNumber = call.callId;
    });

    test('no-answer number rings, CANCEL ends it with 487', async () => {
      const alice = await connect('alice');
      const call = alice.invite(fx.stack.endpoints.numbers.noAnswer, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
      await waitFor(async () => call.provisional.some((p) => p.status === 180 || p.status === 183), '180 Ringing');
      await call.cancel();
      assert.equal((await call.final).status, 487);
      callIds.cancelled = call.callId;
    });
  });

  test(
    'an unresponsive rtpengine: the call is refused with 503, never forwarded with an unrelayed SDP',
    { skip: hasCarrier ? false : 'no carrier' },
    async () => {
      const pid = fx.stack.pids().rtpengine!;
      process.kill(-pid, 'SIGSTOP');
      try {
        const alice = await connect('alice');
        const call = alice.invite(fx.stack.endpoints.numbers.echo, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
        const res = await call.final;
        assert.equal(res.status, 503);
        assert.equal(res.reason, 'Media Relay Unavailable');
        await waitFor(
          async () =>
            (await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?callId=${encodeURIComponent(call.callId)}`)).events.some(
              (e) => e.code === 503 && e.outcome === 'media relay unavailable',
            ),
          'the 503 in the audit log',
        );
      } finally {
        process.kill(-pid, 'SIGCONT');
      }
    },
  );

  test('a killed rtpengine is restarted and the next call goes through it again', { skip: hasCarrier ? false : 'no carrier' }, async () => {
    const pid = fx.stack.pids().rtpengine!;
    process.kill(-pid, 'SIGKILL');
    await waitFor(async () => fx.stack.pids().rtpengine !== pid, 'rtpengine restart');
    const alice = await connect('alice');
    const t0 = Date.now();
    const call = await waitFor(
      async () => {
        const c = alice.invite(fx.stack.endpoints.numbers.echo, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
        const res = await c.final;
        return res.status === 200 ? { c, res } : null;
      },
      'a call through the restarted rtpengine',
      10_000,
    );
    assert.ok(inRtpengineRange(sdpFacts(call.res.body).port));
    assert.ok(Date.now() - t0 < 5000, `calls work again ${Date.now() - t0} ms after the restart`);
    await call.c.bye();
  });

  test('audit log and call records hold these calls, and survive a control-plane crash', async () => {
    await untilAuditDelivered(fx.stack, await connect('alice'));
    const audit = await adminGet<{ events: AuditEntry[] }>(fx.stack, '/api/audit');
    const calls = await adminGet<{ calls: CallRecord[] }>(fx.stack, '/api/calls');
    const byId = (id: string | undefined) => calls.calls.find((c) => c.callId === id);

    const registers = audit.events.filter((e) => e.method === 'REGISTER');
    assert.ok(registers.some((e) => e.code === 200 && e.outcome === 'registered' && e.from.includes('alice')));
    assert.ok(registers.some((e) => e.code === 403 && e.outcome === 'wrong password'));
    assert.ok(registers.some((e) => e.code === 403 && e.outcome === 'unknown user' && e.from.includes('mallory')));

    const a2a = byId(callIds.agentToAgent);
    assert.ok(a2a, 'call record for alice→bob');
    assert.equal(a2a.disposition, 'answered');
    assert.ok(a2a.answeredAt! >= a2a.startedAt && a2a.endedAt! >= a2a.answeredAt!);
    assert.ok(a2a.durationMs! >= 250 && a2a.durationMs! < 10_000, `duration ${a2a.durationMs} ms`);
    assert.ok(audit.events.some((e) => e.callId === callIds.agentToAgent && e.method === 'BYE'));
    assert.equal(byId(callIds.busyAgent)?.disposition, 'busy');
    if (hasCarrier) {
      assert.equal(byId(callIds.echo)?.disposition, 'answered');
      assert.equal(byId(callIds.busyNumber)?.disposition, 'busy');
      assert.equal(byId(callIds.cancelled)?.disposition, 'cancelled');
      assert.ok(audit.events.some((e) => e.callId === callIds.cancelled && e.method === 'CANCEL'));
      const inbound = byId(callIds.inbound);
      assert.equal(inbound?.disposition, 'answered');
      assert.match(inbound!.from, /\+15551230000/);
      assert.ok(inbound!.endedAt! > inbound!.answeredAt!, "the carrier's BYE ended the inbound call");
    }

    // Crash the control plane: the supervisor restarts it and nothing acknowledged is lost.
    const pid = fx.stack.pids()['control-plane']!;
    process.kill(-pid, 'SIGKILL');
    await waitFor(async () => fx.stack.pids()['control-plane'] !== pid, 'control-plane restart');
    await waitFor(async () => (await fetch(`${fx.stack.endpoints.controlPlane.url}/healthz`)).ok, 'healthz after restart');
    assert.ok(
      fx.logs.some((l) => /control-plane killed by SIGKILL unexpectedly; restarting/.test(l)),
      'restart is logged with the reason',
    );
    const auditAfter = await adminGet<{ events: AuditEntry[] }>(fx.stack, '/api/audit');
    const callsAfter = await adminGet<{ calls: CallRecord[] }>(fx.stack, '/api/calls');
    assert.deepEqual(auditAfter.events.slice(0, audit.events.length), audit.events);
    assert.deepEqual(callsAfter.calls, calls.calls);
  });
});
