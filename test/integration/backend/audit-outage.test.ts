/**
 * Real Kamailio + control plane: audit events raised while the control plane is down are held in
 * Kamailio's queue and delivered once it is back — each stored exactly once even when a delivery
 * was re-sent — and a down control plane does not slow SIP signalling.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WsSipAgent } from './support/ws-sip-agent.js';
import { AgentPool } from './support/agent-pool.js';
import { browserSdp } from './support/webrtc-sdp.js';
import { adminGet, startTestStack, untilAuditDelivered, waitFor } from './support/stack-fixture.js';
import type { CallRecord } from '../../../backend/control-plane/call-records.js';
import type { AuditEntry } from '../../../backend/control-plane/audit-store.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.auditOutage;
const SAMPLES = 15;
/** Small enough to overflow in a test, large enough for the first test's outage (~35 events). */
const QUEUE_SIZE = 50;
/** The most a down control plane may add to a REGISTER round trip (median). */
const MAX_EXTRA_MS = 5;

/** The audit trail of an answered agent→agent call, in order. */
// Challenges are not audited (issue 8 hole 7: a flood of them must not fill the queue).
const CALL_EVENTS = ['INVITE 0 received', 'INVITE 200 OK', 'BYE 0 relayed', 'BYE 200 OK'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('audit events survive a control-plane outage', { timeout: 90_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  const pool = new AgentPool(() => fx.stack);
  const connect = (username: string) => pool.connect(username);
  let heldPid: number | null = null;

  /** Median REGISTER round trip (challenge + authenticated REGISTER → 200), in ms. */
  const registerRtt = async (agent: WsSipAgent) => {
    const ms: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      const res = await agent.register();
      ms.push(performance.now() - t0);
      assert.equal(res.status, 200);
    }
    return median(ms);
  };
  /** The drop count of Kamailio's last "queue full" log line (0 before any). */
  const droppedSoFar = () => {
    const log = readFileSync(join(fx.stack.logDir, 'kamailio.log'), 'utf8');
    const counts = [
      ...log.matchAll(/audit: queue full \(\d+ events waiting for the control plane\): dropped the oldest; (\d+) dropped since start/g),
    ];
    return Math.max(0, ...counts.map((m) => Number(m[1])));
  };
  const resume = () => {
    if (heldPid !== null) process.kill(-heldPid, 'SIGCONT');
    heldPid = null;
  };

  before(async () => {
    fx = await startTestStack(PORT_BASE, { auditQueueSize: QUEUE_SIZE });
  });
  // No registration outlives its test: a stale contact would fork the next test's call to it.
  afterEach(async () => {
    resume();
    await pool.closeAll();
  });
  after(async () => {
    await fx?.dispose();
  });

  test('a call made while the control plane is held down is in /api/audit and /api/calls exactly once after it returns', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    assert.equal((await bob.register()).status, 200);
    bob.answerMode = { kind: 'answer', sdp: browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' }) };
    const upSince = Date.now();
    const upMs = await registerRtt(alice);
    // Only the outage's own events must sit in the queue.
    await untilAuditDelivered(fx.stack, alice);

    // SIGSTOP: the port still accepts connections but nothing answers — the worst case for a
    // synchronous client, and Kamailio's request is left in the socket, so the control plane
    // reads it after SIGCONT while Kamailio, having timed out, sends it again.
    heldPid = fx.stack.pids()['control-plane']!;
    process.kill(-heldPid, 'SIGSTOP');
    const downMs = await registerRtt(alice);
    process.stderr.write(
      `REGISTER round trip (median of ${SAMPLES}): control plane up ${upMs.toFixed(2)} ms, held down ${downMs.toFixed(2)} ms\n`,
    );
    assert.ok(downMs < upMs + MAX_EXTRA_MS, `REGISTER ${downMs.toFixed(2)} ms with the control plane down vs ${upMs.toFixed(2)} ms up`);

    const downSince = Date.now();
    const call = alice.invite('bob', browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
    assert.equal((await call.final).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await call.bye()).status, 200);
    const callEndedAt = Date.now();
    // Longer than the 2 s HTTP timeout: at least one delivery attempt times out unanswered.
    await new Promise((r) => setTimeout(r, 2500));
    resume();

    const q = `/api/audit?callId=${encodeURIComponent(call.callId)}`;
    const events = await waitFor(
      async () => {
        const got = (await adminGet<{ events: AuditEntry[] }>(fx.stack, q)).events;
        // All of them: the BYE's 200 is queued after the BYE and may land a moment later.
        return got.length >= CALL_EVENTS.length ? got : null;
      },
      'the call’s events after the control plane is back',
      15_000,
    );
    // Let any re-delivery land before counting.
    await new Promise((r) => setTimeout(r, 1000));
    const final = (await adminGet<{ events: AuditEntry[] }>(fx.stack, q)).events;
    assert.deepEqual(final, events, 'nothing more arrives later');
    const kinds = final.map((e) => `${e.method} ${e.code} ${e.outcome}`);
    assert.deepEqual(kinds, CALL_EVENTS, 'every event of the call, once, in order');
    for (const e of final) assert.ok(e.at >= downSince - 50 && e.at <= callEndedAt + 50, `event time ${e.at} is when Kamailio saw it`);

    const calls = (await adminGet<{ calls: CallRecord[] }>(fx.stack, '/api/calls')).calls.filter((c) => c.callId === call.callId);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.disposition, 'answered');
    assert.ok(
      calls[0]!.durationMs! >= 250 && calls[0]!.durationMs! < 5000,
      `duration ${calls[0]!.durationMs} ms (Kamailio's clock, not delivery)`,
    );

    const registers = (await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?since=${upSince}&limit=10000`)).events.filter(
      (e) => e.method === 'REGISTER' && e.code === 200 && e.from.includes('alice'),
    );
    assert.equal(registers.length, 2 * SAMPLES + 1, 'every REGISTER of both phases (and the drain check) stored once');

    const log = readFileSync(join(fx.stack.logDir, 'kamailio.log'), 'utf8');
    assert.match(log, /audit: control plane did not acknowledge \(HTTP -?\d+\); holding events and retrying/);
    assert.match(log, /audit: control plane acknowledges again; delivering \d+ queued events/);
  });

  test('a killed control plane is restarted by the supervisor; a call made meanwhile is recorded once', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    assert.equal((await bob.register()).status, 200);
    bob.answerMode = { kind: 'answer', sdp: browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' }) };
    const pid = fx.stack.pids()['control-plane']!;
    process.kill(-pid, 'SIGKILL');
    // Connection refused now (the supervisor restarts it in the background): calls go on.
    const call = alice.invite('bob', browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
    assert.equal((await call.final).status, 200);
    assert.equal((await call.bye()).status, 200);
    await waitFor(async () => fx.stack.pids()['control-plane'] !== pid, 'control-plane restart');
    const calls = await waitFor(
      async () => {
        const got = (await adminGet<{ calls: CallRecord[] }>(fx.stack, '/api/calls')).calls.filter((c) => c.callId === call.callId);
        return got[0]?.endedAt ? got : null;
      },
      'the call record after the restart',
      15_000,
    );
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.disposition, 'answered');
    const kinds = (await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?callId=${encodeURIComponent(call.callId)}`)).events.map(
      (e) => `${e.method} ${e.code} ${e.outcome}`,
    );
    // The first of these met a refused connection: it was kept and retried, not lost.
    assert.deepEqual(kinds, CALL_EVENTS, 'every event of the call, once, in order');
  });

  test('a full queue drops the oldest events, keeps the newest, and logs how many it dropped', async () => {
    const alice = await connect('alice');
    await untilAuditDelivered(fx.stack, alice);
    const droppedBefore = droppedSoFar();
    const since = Date.now();
    heldPid = fx.stack.pids()['control-plane']!;
    process.kill(-heldPid, 'SIGSTOP');
    const registers = 2 * QUEUE_SIZE; // each makes one event (its challenge is not audited)
    for (let i = 0; i < registers; i++) assert.equal((await alice.register()).status, 200);
    resume();
    const storedRegisters = async () =>
      (await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?since=${since}&limit=10000`)).events.filter(
        (e) => e.method === 'REGISTER',
      );
    // Settled: at least the queue's worth, and no more for a whole second (the event the timer
    // kept retrying may land just after the queue's).
    let previous = -1;
    const stored = await waitFor(
      async () => {
        const got = await storedRegisters();
        const settled = got.length >= QUEUE_SIZE && got.length === previous;
        previous = got.length;
        if (!settled) await new Promise((r) => setTimeout(r, 1000));
        return settled ? got : null;
      },
      'the queued events after the control plane is back',
      20_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    const final = await storedRegisters();
    assert.equal(final.length, stored.length, 'nothing more arrives later');
    // The queue's QUEUE_SIZE newest, plus at most the one event the timer had already taken out
    // and kept retrying; everything older was dropped.
    assert.ok(final.length >= QUEUE_SIZE && final.length <= QUEUE_SIZE + 1, `${final.length} events stored of ${registers}`);
    assert.equal(final.at(-1)!.outcome, 'registered', 'the newest event survived');
    assert.equal(droppedSoFar() - droppedBefore, registers - final.length, 'the logged count is what was lost');
  });

  test('an event whose acknowledgement was lost is re-sent and stored once', async () => {
    const alice = await connect('alice');
    await untilAuditDelivered(fx.stack, alice);
    const logLines = (re: RegExp) =>
      readFileSync(join(fx.stack.logDir, 'kamailio.log'), 'utf8')
        .split('\n')
        .filter((l) => re.test(l)).length;
    const redeliveriesBefore = logLines(/audit: event re-delivered; the control plane had already stored it/);
    // The control plane frozen (SIGSTOP) for 3 s: Kamailio's POST sits unread in the socket past
    // Kamailio's 2 s timeout; once resumed the control plane reads and stores it, but Kamailio has
    // seen no 200 and sends it again. (A database lock no longer delays the insert: it fails
    // fast with 503 and the event simply stays queued.)
    const since = Date.now();
    heldPid = fx.stack.pids()['control-plane']!;
    process.kill(-heldPid, 'SIGSTOP');
    try {
      assert.equal((await alice.register()).status, 200, 'SIP does not wait on the audit trail');
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      resume();
    }
    await waitFor(
      async () => logLines(/audit: event re-delivered/) > redeliveriesBefore,
      'Kamailio re-sending an event the control plane had stored',
      10_000,
    );
    await untilAuditDelivered(fx.stack, alice);
    const kinds = (await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?since=${since}`)).events
      .filter((e) => e.method === 'REGISTER')
      .map((e) => `${e.code} ${e.outcome}`);
    assert.deepEqual(kinds, ['200 registered', '200 registered'], 'each event once (the second is the barrier)');
  });
});
