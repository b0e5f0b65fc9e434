/**
 * Issue 8 hole 4 (toll fraud), against the real stack: an authenticated agent may call only the
 * destination classes its record allows, only so many calls at once and per second, never as
 * someone else (identity headers are the server's), never once disabled, and never for longer
 * than the configured maximum. The simulated carrier plays the trunk and traces every SIP
 * message it receives, so each refusal is proven by what the trunk never saw.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningStack } from '../../../backend/stack.js';
import { SIP_REALM } from '../../../backend/stack-options.js';
import { CPS_WINDOW_SECONDS } from '../../../backend/config/kamailio.js';
import type { AuditEntry } from '../../../backend/control-plane/audit-store.js';
import { adminGet, startTestStack, waitFor } from '../backend/support/stack-fixture.js';
import { WsSipAgent } from '../backend/support/ws-sip-agent.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { header } from '../backend/support/sip-message.js';
import { admin } from './support/control-plane-http.js';
import { rtpengineCallIds } from './support/rtpengine-ng.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.tollFraud;
/** Short enough to watch a call reach it, long enough for the other tests' calls to finish first. */
const MAX_CALL_SECONDS = 8;

/** Requests the trunk (simulated carrier, CARRIER_SIP_TRACE) received whose text contains `marker`. */
function trunkReceived(stack: RunningStack, method: string, marker: string): string[] {
  const log = readFileSync(join(stack.logDir, 'carrier.log'), 'utf8');
  return log
    .split(/(?=SIP [←→] )/)
    .filter((m) => m.startsWith('SIP ←') && m.split('\n')[1]?.startsWith(`${method} `) && m.includes(marker));
}

describe('hole 4: toll fraud by an authenticated agent', { timeout: 180_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  const agents: WsSipAgent[] = [];
  const sdp = () => browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' });

  /** A new agent with this policy, connected over WebSocket and registered. */
  const agentWith = async (policy: { allowedDestinations?: string[]; maxCalls?: number; maxCps?: number } = {}) => {
    const username = `tf${randomBytes(4).toString('hex')}`;
    const password = randomBytes(18).toString('base64url');
    const created = await admin(fx.stack, 'POST', '/api/agents', { username, password, displayName: username, ...policy });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const e = fx.stack.endpoints;
    const a = await WsSipAgent.connect(e.sip.wsUrl, { username, password, domain: e.sip.domain });
    agents.push(a);
    assert.equal((await a.register()).status, 200);
    return a;
  };

  /**
   * A call the trunk must see: once its INVITE is in the trace, every INVITE sent before it would
   * be there too (the trace is in arrival order), so absence before it proves "never relayed".
   */
  const barrierCall = async (a: WsSipAgent) => {
    const call = a.invite(fx.stack.endpoints.numbers.busy, sdp());
    assert.equal((await call.final).status, 486);
    await waitFor(async () => trunkReceived(fx.stack, 'INVITE', call.callId).length > 0, 'the barrier call at the trunk');
  };

  before(async () => {
    // Read by the carrier child process (inherits our environment): trace every SIP message.
    process.env.CARRIER_SIP_TRACE = '1';
    fx = await startTestStack(PORT_BASE, { maxCallSeconds: MAX_CALL_SECONDS });
  });
  afterEach(() => {
    for (const a of agents.splice(0)) a.close();
  });
  after(async () => {
    await fx?.dispose();
  });

  test('premium and international numbers are refused for an agent not allowed them; nothing reaches the trunk or rtpengine', async () => {
    const agent = await agentWith();
    const refused = ['19005551234', '+19765550000', '+449012345678', '+33142685300', '0033142685300'];
    for (const number of refused) {
      const call = agent.invite(number, sdp());
      const res = await call.final;
      assert.equal(res.status, 403, `${number}: ${res.startLine}`);
      assert.equal(res.reason, 'Destination Not Allowed');
      assert.ok(
        !(await rtpengineCallIds(fx.stack.endpoints.sip.domain, fx.stack.ports.rtpengineNg)).includes(call.callId),
        `${number}: no media ports`,
      );
    }
    await barrierCall(agent);
    for (const number of refused)
      assert.deepEqual(trunkReceived(fx.stack, 'INVITE', `sip:${number}@`), [], `${number} never reached the trunk`);

    await waitFor(
      async () =>
        (await adminGet<{ events: AuditEntry[] }>(fx.stack, '/api/audit')).events.some(
          (e) => e.code === 403 && e.outcome === 'destination not allowed: premium' && e.from.includes(agent.username),
        ),
      'the refusal in the audit log',
    );
  });

  test('an agent allowed international reaches the trunk with it; premium stays refused unless listed', async () => {
    const agent = await agentWith({ allowedDestinations: ['internal', 'national', 'international'] });
    const intl = agent.invite('+33142685300', sdp());
    assert.equal((await intl.final).status, 404, 'the carrier does not know the number: proof the INVITE got there');
    assert.equal(trunkReceived(fx.stack, 'INVITE', intl.callId).length, 1);
    assert.equal((await agent.invite('19005551234', sdp()).final).status, 403);
  });

  test('an allowed call goes through, and the trunk sees the identity the server asserts, not a forged one', async () => {
    const agent = await agentWith();
    const forged: Array<[string, string]> = [
      ['P-Asserted-Identity', '<sip:+15551234567@evil.example>'],
      ['P-Preferred-Identity', '<sip:ceo@clearline>'],
      ['Remote-Party-ID', '<sip:+15551234567@evil.example>;party=calling'],
      ['Diversion', '<sip:+19005550000@evil.example>;reason=unconditional'],
    ];
    const call = agent.invite(fx.stack.endpoints.numbers.echo, sdp(), { headers: forged });
    const res = await call.final;
    assert.equal(res.status, 200, res.startLine);
    const [seen] = trunkReceived(fx.stack, 'INVITE', call.callId);
    assert.ok(seen, 'the trunk received the INVITE');
    assert.match(seen, new RegExp(`^P-Asserted-Identity: <sip:${agent.username}@${SIP_REALM}>\\r?$`, 'm'));
    assert.equal(seen.match(/^P-Asserted-Identity:/gim)?.length, 1, 'exactly one asserted identity');
    assert.doesNotMatch(seen, /evil\.example|ceo@|^P-Preferred-Identity:|^Remote-Party-ID:|^Diversion:/im);
    assert.equal((await call.bye()).status, 200);
  });

  test('at most max_calls calls at once: the next gets 486 Too Many Calls and never reaches the trunk; ending one frees a slot', async () => {
    const agent = await agentWith({ maxCalls: 2 });
    const first = agent.invite(fx.stack.endpoints.numbers.echo, sdp());
    const second = agent.invite(fx.stack.endpoints.numbers.echo, sdp());
    assert.equal((await first.final).status, 200);
    assert.equal((await second.final).status, 200);
    const third = agent.invite(fx.stack.endpoints.numbers.echo, sdp());
    const refused = await third.final;
    assert.equal(refused.status, 486);
    assert.equal(refused.reason, 'Too Many Calls');
    assert.equal((await first.bye()).status, 200);
    const fourth = agent.invite(fx.stack.endpoints.numbers.echo, sdp());
    assert.equal((await fourth.final).status, 200, 'a slot is free again');
    assert.deepEqual(trunkReceived(fx.stack, 'INVITE', third.callId), [], 'the refused call never reached the trunk');
    await second.bye();
    await fourth.bye();
  });

  test('calls per second to the trunk: a burst past max_cps gets 503 with Retry-After and never reaches the trunk', async () => {
    const maxCps = 1;
    const agent = await agentWith({ maxCalls: 50, maxCps });
    // Sequential calls to the busy number (each ends at once, so max_calls never counts them). The
    // rate is averaged over CPS_WINDOW_SECONDS windows; a burst sent well within one window spans
    // at most two, so one call more than two windows allow must be refused.
    const burst = 2 * maxCps * CPS_WINDOW_SECONDS + 1;
    const answers: Array<{ status: number; retryAfter: string | undefined; callId: string }> = [];
    for (let i = 0; i < burst; i++) {
      const call = agent.invite(fx.stack.endpoints.numbers.busy, sdp());
      const res = await call.final;
      answers.push({ status: res.status!, retryAfter: header(res, 'retry-after'), callId: call.callId });
    }
    const limited = answers.filter((a) => a.status === 503);
    assert.ok(limited.length >= 1, `statuses: ${answers.map((a) => a.status).join(' ')}`);
    assert.ok(
      answers.every((a) => a.status === 503 || a.status === 486),
      `statuses: ${answers.map((a) => a.status).join(' ')}`,
    );
    for (const a of limited) assert.ok(Number(a.retryAfter) >= 1, `Retry-After: ${a.retryAfter}`);
    const other = await agentWith();
    await barrierCall(other);
    for (const a of limited) assert.deepEqual(trunkReceived(fx.stack, 'INVITE', a.callId), []);
    // Another agent's rate is its own.
    assert.equal((await other.invite(fx.stack.endpoints.numbers.busy, sdp()).final).status, 486);
  });

  test('a disabled agent can neither register nor call; nothing reaches the trunk', async () => {
    const agent = await agentWith();
    assert.equal((await admin(fx.stack, 'PATCH', `/api/agents/${agent.username}`, { disabled: true })).status, 200);
    assert.equal((await agent.register()).status, 403);
    const call = agent.invite(fx.stack.endpoints.numbers.echo, sdp());
    assert.equal((await call.final).status, 403);
    await barrierCall(await agentWith());
    assert.deepEqual(trunkReceived(fx.stack, 'INVITE', call.callId), []);
  });

  test('a call reaching the maximum duration is ended by the server: BYE to the agent and to the trunk, the record ends', async () => {
    const agent = await agentWith();
    const call = agent.invite(fx.stack.endpoints.numbers.echo, sdp());
    assert.equal((await call.final).status, 200);
    await waitFor(
      async () => agent.byes.some((b) => header(b, 'call-id') === call.callId),
      'the server to end the call toward the agent',
      (MAX_CALL_SECONDS + 10) * 1000,
    );
    await waitFor(async () => trunkReceived(fx.stack, 'BYE', call.callId).length > 0, 'the BYE at the trunk');
    await waitFor(
      async () =>
        (await adminGet<{ events: AuditEntry[] }>(fx.stack, '/api/audit')).events.some(
          (e) => e.callId === call.callId && e.outcome === 'max call duration',
        ),
      'the audit event of the ended call',
    );
    // Released when the dialog ends (event_route[dialog:end]), which may run just after the BYEs.
    await waitFor(
      async () => !(await rtpengineCallIds(fx.stack.endpoints.sip.domain, fx.stack.ports.rtpengineNg)).includes(call.callId),
      'its media ports released by rtpengine',
    );
  });
});
