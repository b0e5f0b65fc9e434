/**
 * Hole 9 against the real stack: an admin disables, then deletes, an agent that is registered over
 * WebSocket. At once its registration is gone (calls to it are not delivered), its new REGISTER
 * and INVITE are refused, HTTP sign-in and new TURN credentials are refused, and the calls it is
 * in (placed or answered) are ended with their records closed. Re-enabled, it works
 * again; other agents keep working throughout.
 */
import { after, afterEach, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { adminGet, startTestStack, waitFor } from '../backend/support/stack-fixture.js';
import type { AuditEntry } from '../../../backend/control-plane/audit-store.js';
import type { CallRecord } from '../../../backend/control-plane/call-records.js';
import type { WsSipAgent } from '../backend/support/ws-sip-agent.js';
import { AgentPool } from '../backend/support/agent-pool.js';
import { header } from '../backend/support/sip-message.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { admin, api, createAgent } from './support/control-plane-http.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';
import { execRunner } from '../../../backend/control-plane/kamailio-revocation.js';
import { join } from 'node:path';

const PORT_BASE = TEST_PORT_BASES.securityApi;
/**
 * Each agent connects from a loopback address of its own. Kamailio keeps a closed WebSocket's
 * registration, and a new connection of nora's could reuse the port of otto's old one (loopback
 * ports come back fast in full-suite runs). Nothing of otto's goes over it (security/port-reuse),
 * but a call to that stale registration would then find no otto: this test is about revocation.
 */
const NORA = { username: 'nora', password: 'nora-password-1', address: '127.0.0.2' };
const OTTO = { username: 'otto', password: 'otto-password-1', address: '127.0.0.3' };

describe('revoking an agent takes effect at once', { timeout: 180_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  const pool = new AgentPool(() => fx.stack);
  const connect = (who: typeof NORA) => pool.connect(who.username, who.password, who.address);
  /** The final status of a call from `caller` to `callee` (a registered callee answers 486 Busy Here). */
  const callStatus = async (caller: WsSipAgent, callee: string) =>
    (await caller.invite(callee, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' })).final).status!;
  const callRecord = async (callId: string) =>
    (await adminGet<{ calls: CallRecord[] }>(fx.stack, '/api/calls?limit=10000')).calls.find((c) => c.callId === callId);
  const signIn = (path: string) => api(fx.stack, { path, auth: NORA });

  /** What nora can still do: [registration reachable, REGISTER, INVITE, client-config, TURN credentials]. */
  async function noraCan(otto: WsSipAgent, nora: WsSipAgent): Promise<number[]> {
    return [
      await callStatus(otto, NORA.username),
      (await nora.register()).status!,
      await callStatus(nora, OTTO.username),
      (await signIn('/api/client-config')).status,
      (await signIn('/api/turn-credentials')).status,
    ];
  }

  before(async () => {
    fx = await startTestStack(PORT_BASE);
    await createAgent(fx.stack, NORA.username, NORA.password);
    await createAgent(fx.stack, OTTO.username, OTTO.password);
    // These tests place calls back to back: above the default one call per second.
    for (const who of [NORA, OTTO])
      assert.equal((await admin(fx.stack, 'PATCH', `/api/agents/${who.username}`, { maxCps: 50 })).status, 200);
  });
  afterEach(() => pool.closeAll());
  /** Re-enables nora when the test ends, passed or failed, so the next test starts from an enabled agent. */
  const reEnableNoraAfter = (t: TestContext) =>
    t.after(async () => {
      assert.equal((await admin(fx.stack, 'PATCH', `/api/agents/${NORA.username}`, { disabled: false })).status, 200);
    });
  after(async () => {
    await fx?.dispose();
  });

  test('disabled: registration dropped, REGISTER/INVITE/sign-in/TURN refused; re-enabled: all back', async (t) => {
    reEnableNoraAfter(t);
    const otto = await connect(OTTO);
    const nora = await connect(NORA);
    assert.equal((await otto.register()).status, 200);
    assert.equal((await nora.register()).status, 200);
    assert.equal(await callStatus(otto, NORA.username), 486, 'before: a call reaches nora (busy)');
    const delivered = nora.incomingInvites.length;

    const disabled = await admin(fx.stack, 'PATCH', `/api/agents/${NORA.username}`, { disabled: true });
    assert.equal(disabled.status, 200);
    assert.deepEqual((disabled.body as { kamailio: unknown }).kamailio, { registrationsDropped: true, callsEnded: 0 });
    assert.equal(await callStatus(otto, NORA.username), 404, 'the registration is gone at once: not delivered');
    assert.equal(nora.incomingInvites.length, delivered, 'nora received nothing');

    assert.deepEqual(await noraCan(otto, nora), [404, 403, 403, 403, 403]);
    assert.deepEqual((await signIn('/api/turn-credentials')).body, { error: 'account disabled' });
    assert.equal(await callStatus(otto, NORA.username), 404, 'the refused REGISTER left no registration');

    assert.equal((await admin(fx.stack, 'PATCH', `/api/agents/${NORA.username}`, { disabled: false })).status, 200);
    assert.deepEqual(await noraCan(otto, nora), [404, 200, 486, 200, 200], 'enabled again (registered by the REGISTER in that list)');
    assert.equal(await callStatus(otto, NORA.username), 486, 're-registered nora is reachable again');
  });

  /**
   * nora is in a call, placed or answered; the admin disables her: both sides get a BYE, the record
   * is closed and the audit says why. A revoked agent keeps no call it is in: an answered one is
   * the same access to the caller and the trunk as a placed one.
   */
  for (const noraPlaced of [true, false]) {
    test(`disabled mid-call: a call it ${noraPlaced ? 'is placing' : 'answered'} is ended (BYE to both sides) and its record closed`, async (t) => {
      reEnableNoraAfter(t);
      const otto = await connect(OTTO);
      const nora = await connect(NORA);
      const [caller, callee] = noraPlaced ? [nora, otto] : [otto, nora];
      assert.equal((await callee.register()).status, 200);
      callee.answerMode = { kind: 'answer', sdp: browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' }) };
      const call = caller.invite(
        noraPlaced ? OTTO.username : NORA.username,
        browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }),
      );
      assert.equal((await call.final).status, 200);
      await waitFor(async () => (await callRecord(call.callId))?.answeredAt, 'the call record to show the answer');
      // Kamailio ends only a confirmed dialog (its ACK processed, state 4); on a loaded machine the
      // ACK can still be in flight when the 200 has been recorded. Revoking in that instant is a known
      // gap (SECURITY.md); this test is about what revocation does to a call in progress.
      const ctl = `unix:${join(fx.stack.stateDir, 'run', 'kamailio_ctl')}`;
      await waitFor(
        async () => (await execRunner('kamcmd', ['-s', ctl, 'dlg.dlg_list', call.callId])).stdout.includes('state: 4'),
        'Kamailio to confirm the dialog (ACK processed)',
      );

      const disabled = await admin(fx.stack, 'PATCH', `/api/agents/${NORA.username}`, { disabled: true });
      assert.deepEqual((disabled.body as { kamailio: unknown }).kamailio, { registrationsDropped: true, callsEnded: 1 });
      const byeTo = (agent: WsSipAgent) => agent.byes.some((b) => header(b, 'call-id') === call.callId);
      await waitFor(async () => byeTo(otto) && byeTo(nora), 'a BYE to both sides').catch((err: Error) => {
        throw new Error(`${err.message} (otto got one: ${byeTo(otto)}, nora got one: ${byeTo(nora)})`);
      });
      const record = await callRecord(call.callId);
      assert.ok(record?.endedAt !== null && record?.disposition === 'answered', `record closed: ${JSON.stringify(record)}`);
      const { events } = await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?callId=${encodeURIComponent(call.callId)}`);
      assert.ok(events.some((e) => e.method === 'BYE' && e.outcome === 'agent revoked'));
    });
  }

  test('deleted: registration dropped, REGISTER/INVITE refused, sign-in and TURN 401 like any unknown user', async () => {
    const otto = await connect(OTTO);
    const nora = await connect(NORA);
    assert.equal((await otto.register()).status, 200);
    assert.equal((await nora.register()).status, 200);
    assert.equal(await callStatus(otto, NORA.username), 486);

    const deleted = await admin(fx.stack, 'DELETE', `/api/agents/${NORA.username}`);
    assert.deepEqual(deleted.body, { deleted: NORA.username, kamailio: { registrationsDropped: true, callsEnded: 0 } });
    assert.deepEqual(await noraCan(otto, nora), [404, 403, 403, 401, 401]);
    assert.equal((await otto.register()).status, 200, 'otto is unaffected');
    assert.equal((await admin(fx.stack, 'GET', '/api/agents')).status, 200);
  });

  test('revoking an agent that has no registration is not an error', async () => {
    await createAgent(fx.stack, 'pia', 'pia-password-1');
    const disabled = await admin(fx.stack, 'PATCH', '/api/agents/pia', { disabled: true });
    assert.deepEqual(
      [disabled.status, (disabled.body as { kamailio: unknown }).kamailio],
      [200, { registrationsDropped: true, callsEnded: 0 }],
    );
  });
});
