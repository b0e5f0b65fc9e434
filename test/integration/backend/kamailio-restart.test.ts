/**
 * Real Kamailio restarted through the supervisor (a clean stop, as an operator's restart): the
 * registrations it held are still there afterwards (its own database, usrloc write-back), audit
 * events it had accepted but not yet delivered (the control plane held down) reach the control
 * plane once each, and an agent that reconnects is reachable by an inbound call from the trunk.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AgentPool } from './support/agent-pool.js';
import { browserSdp } from './support/webrtc-sdp.js';
import { adminGet, startTestStack, untilAuditDelivered } from './support/stack-fixture.js';
import type { AuditEntry } from '../../../backend/control-plane/audit-store.js';
import { carrierApiUrl } from '../../../backend/endpoints.js';
import { execRunner } from '../../../backend/control-plane/kamailio-revocation.js';
import { CarrierApi, isLive } from '../../support/carrier-api.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

// Audit durability's block: the two files run one after the other.
const PORT_BASE = TEST_PORT_BASES.auditOutage;
/** REGISTERs made while the control plane is held down: their events wait in Kamailio's queue. */
const HELD_EVENTS = 5;

describe('a Kamailio restart keeps registrations and undelivered audit events', { timeout: 120_000 }, () => {
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
});
