/**
 * Issue 8 hole 7, end to end against the real stack: calls must not escape the record, and the
 * record must not be the attacker's lever. Over-long Call-ID/From/To are stored truncated; a
 * reused Call-ID gets its own record; a flood of unauthenticated requests costs a few audit rows,
 * not one each; a message over 16 KiB is refused (513, or the stream dropped) and never relayed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rand } from '../backend/support/sip-message.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { adminGet, waitFor } from '../backend/support/stack-fixture.js';
import { vmRssKiB } from '../backend/support/proc-status.js';
import type { AuditEntry } from '../../../backend/control-plane/audit-store.js';
import type { CallRecord } from '../../../backend/control-plane/call-records.js';
import type { WsSipAgent } from '../backend/support/ws-sip-agent.js';
import { MAX_SIP_MESSAGE_BYTES as MAX_MESSAGE_BYTES } from '../../../backend/config/kamailio.js';
import { AUDIT_FIELD_LIMITS as FIELD_LIMITS } from '../../../backend/control-plane/schema.js';
import { useAttackStack, type AttackStack } from './support/attack-stack.js';
import { dialogHeaders, UdpSipClient } from './support/raw-sip.js';

const FLOOD_REQUESTS = 4000;
/** Sent in bursts every FLOOD_TICK_MS: 4,000 requests in 16 s (the issue measured 4,000 in 12 s). */
const FLOOD_BURST = 50;
const FLOOD_TICK_MS = 200;
/** "A few rows" for 4,000 requests: rate-limited summaries, never one row per request. */
const MAX_FLOOD_ROWS = 50;
/** The flooding host: its own loopback address, so per-source flood control spares the agents. */
const FLOODER_ADDRESS = '127.0.0.3';
/** Sends the oversized UDP INVITE: not the flooder, not the agents. */
const OVERSIZE_SENDER_ADDRESS = '127.0.0.5';

describe('hole 7: calls do not escape the record, and floods do not fill it', { timeout: 240_000 }, () => {
  let fx: AttackStack;

  useAttackStack((started) => {
    fx = started;
  });

  const sdp = () => browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' });
  const recordsOf = async (callId: string) =>
    (await adminGet<{ calls: CallRecord[] }>(fx.stack, '/api/calls?limit=10000')).calls.filter((c) => c.callId === callId);

  /** An answered call from `agent` to `target` (default: the echo number), hung up. */
  const answeredCall = async (agent: WsSipAgent, o: { callId?: string; uriParams?: string; target?: string }) => {
    const call = agent.invite(o.target ?? fx.stack.endpoints.numbers.echo, sdp(), o);
    assert.equal((await call.final).status, 200, 'the call is answered');
    assert.equal((await call.bye()).status, 200, 'and hung up');
    return call;
  };

  test('a call with an over-long Call-ID, From and To is recorded, its fields truncated', async () => {
    // Agent to agent: the simulated carrier names recordings after the Call-ID and cannot store
    // one this long, so the trunk is no place for this call.
    const bob = await fx.agent('bob');
    assert.equal((await bob.register()).status, 200);
    bob.answerMode = { kind: 'answer', sdp: browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' }) };
    const alice = await fx.agent('alice');
    const callId = `long-${rand(6)}-${'c'.repeat(600)}`;
    await answeredCall(alice, { callId, uriParams: `;pad=${'p'.repeat(600)}`, target: 'bob' });
    const [record] = await waitFor(async () => {
      const r = await recordsOf(callId.slice(0, FIELD_LIMITS.callId));
      return r.length > 0 && r[0]!.endedAt !== null ? r : null;
    }, 'the record of the call with over-long fields, ended');
    assert.ok(record!.from.startsWith('sip:alice@') && record!.from.length <= FIELD_LIMITS.from, 'From kept, cut to 512');
    assert.ok(record!.to.startsWith('sip:bob@') && record!.to.length <= FIELD_LIMITS.to, 'To kept, cut to 512');
    assert.equal(record!.disposition, 'answered');
  });

  test('two calls reusing one Call-ID get a record each', async () => {
    const alice = await fx.agent('alice');
    const callId = `reused-${rand(8)}`;
    const first = await answeredCall(alice, { callId });
    const second = await answeredCall(alice, { callId });
    const records = await waitFor(async () => {
      const r = await recordsOf(callId);
      return r.length >= 2 && r.every((c) => c.endedAt !== null) ? r : null;
    }, 'two ended records for the reused Call-ID');
    assert.deepEqual(records.map((r) => r.fromTag).sort(), [first.fromTag, second.fromTag].sort(), 'one record per From tag');
  });

  test(`a message over ${MAX_MESSAGE_BYTES / 1024} KiB is refused (513 over UDP, connection dropped over WebSocket) and never relayed`, async () => {
    const padding = Array.from({ length: Math.ceil(MAX_MESSAGE_BYTES / 64) + 1 }, (_, i) => `a=x-pad-${i}:${'z'.repeat(48)}`).join('\r\n');
    const oversizedSdp = sdp() + padding + '\r\n';
    const domain = fx.stack.endpoints.sip.domain;
    const echo = fx.stack.endpoints.numbers.echo;

    const udp = await UdpSipClient.open({ host: domain, port: fx.stack.ports.sipUdp }, OVERSIZE_SENDER_ADDRESS);
    const udpCallId = `oversized-udp-${rand(6)}`;
    const udpRes = await udp.request(
      `INVITE sip:${echo}@${domain} SIP/2.0`,
      [
        ...dialogHeaders({ method: 'INVITE', from: `sip:alice@${domain}`, to: `sip:${echo}@${domain}`, callId: udpCallId }),
        ['Content-Type', 'application/sdp'],
      ],
      oversizedSdp,
    );
    udp.close();
    assert.equal(udpRes?.status, 513, `an oversized INVITE over UDP gets 513 (got ${udpRes?.startLine})`);

    // Over a stream Kamailio cannot answer a message it refuses to buffer: it drops the connection.
    const alice = await fx.agent('alice');
    const call = alice.invite(echo, oversizedSdp);
    const outcome = await Promise.race([
      call.final.then(
        (m) => m.startLine,
        (e: Error) => `no answer: ${e.message}`,
      ),
      alice.closed.then(() => 'connection closed'),
    ]);
    assert.ok(
      outcome === 'connection closed' || outcome.startsWith('SIP/2.0 513'),
      `an oversized INVITE over WebSocket is refused (got ${outcome})`,
    );

    const rtpCalls = await fx.rtpengineCalls();
    for (const id of [udpCallId, call.callId]) assert.ok(!rtpCalls.includes(id), `rtpengine holds no media for ${id}`);
    const caller = await fx.agent('alice');
    assert.equal((await fx.legitimateTrunkCall(caller)).status, 200, 'a normal-sized call still works');
    for (const id of [udpCallId, call.callId])
      assert.deepEqual(fx.trunkReceivedRequests('INVITE', id), [], `the oversized INVITE ${id} never reached the trunk`);
  });

  test(`a flood of ${FLOOD_REQUESTS} unauthenticated REGISTER/INVITEs writes a few audit rows, not one each`, async (t) => {
    const domain = fx.stack.endpoints.sip.domain;
    const target = { host: domain, port: fx.stack.ports.sipUdp };
    const controlPlanePid = fx.stack.pids()['control-plane']!;
    const rssBefore = vmRssKiB(controlPlanePid);
    const since = Date.now();

    const flooder = await UdpSipClient.open(target, FLOODER_ADDRESS);
    const floodStart = Date.now();
    try {
      for (let sent = 0; sent < FLOOD_REQUESTS;) {
        for (let i = 0; i < FLOOD_BURST && sent < FLOOD_REQUESTS; i++, sent++) {
          const method = sent % 2 === 0 ? 'REGISTER' : 'INVITE';
          const user = `flood${sent}`;
          const ruri = method === 'REGISTER' ? `sip:${domain}` : `sip:${fx.stack.endpoints.numbers.echo}@${domain}`;
          flooder.send(`${method} ${ruri} SIP/2.0`, [
            ...dialogHeaders({
              method,
              from: `sip:${user}@${domain}`,
              to: method === 'REGISTER' ? `sip:${user}@${domain}` : ruri,
              callId: `flood-${sent}-${rand(4)}`,
            }),
            ['Contact', `<sip:${user}@${FLOODER_ADDRESS}>`],
          ]);
        }
        await new Promise((r) => setTimeout(r, FLOOD_TICK_MS));
      }
    } finally {
      flooder.close();
    }
    const floodSeconds = (Date.now() - floodStart) / 1000;
    const answered = flooder.responses.length;

    // Barrier: a UDP keepalive answered means the UDP workers took every earlier datagram off the
    // socket; a WebSocket REGISTER audited after that means every event before it was delivered.
    const prober = await UdpSipClient.open(target, '127.0.0.4');
    const keepalive = await prober.request(
      `OPTIONS sip:${domain}:${target.port} SIP/2.0`,
      dialogHeaders({ method: 'OPTIONS', from: `sip:probe@${domain}`, to: `sip:${domain}` }),
    );
    prober.close();
    assert.equal(keepalive?.status, 200, 'Kamailio still answers other hosts after the flood');
    const alice = await fx.agent('alice');
    assert.equal((await alice.register()).status, 200, 'agents still register after the flood');
    const events = await waitFor(
      async () => {
        const ev = (await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?since=${since}&limit=10000`)).events;
        return ev.some((e) => e.outcome === 'registered' && e.from.includes('alice')) ? ev : null;
      },
      'the audit barrier (alice registered)',
      60_000,
    );
    const rowsAdded = events.filter((e) => !e.from.includes('alice')).length;
    const rssDeltaMiB = (vmRssKiB(controlPlanePid) - rssBefore) / 1024;
    t.diagnostic(
      `flood: ${FLOOD_REQUESTS} requests from ${FLOODER_ADDRESS} in ${floodSeconds.toFixed(1)} s, ${answered} answered; ` +
        `audit rows added: ${rowsAdded}; control-plane RSS delta: ${rssDeltaMiB.toFixed(1)} MiB`,
    );
    assert.equal((await fx.legitimateTrunkCall(alice)).status, 200, 'a legitimate call still works after the flood');
    assert.ok(
      rowsAdded <= MAX_FLOOD_ROWS,
      `${FLOOD_REQUESTS} unauthenticated requests wrote ${rowsAdded} audit rows (at most ${MAX_FLOOD_ROWS} expected)`,
    );
  });
});
