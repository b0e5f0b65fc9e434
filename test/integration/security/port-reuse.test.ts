/**
 * Someone else behind the agent's NAT, against the real stack. Kamailio reaches an agent's
 * WebSocket by the address and port the agent connected from, and the agent's registration and
 * its calls' targets outlive the connection. A NAT hands the next connection from the office the
 * public port that the agent's dead connection had, and on loopback the kernel reuses ports just
 * as fast. Nothing meant for the agent may go over that new connection: not a call to the agent,
 * not a request inside the agent's call, not the BYE the server itself sends when it ends the call.
 * This holds whether the new connection is unauthenticated or belongs to another agent.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { header } from '../backend/support/sip-message.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { waitFor } from '../backend/support/stack-fixture.js';
import type { WsSipAgent } from '../backend/support/ws-sip-agent.js';
import { admin } from './support/control-plane-http.js';
import { useAttackStack, type AttackStack } from './support/attack-stack.js';

/** The office NAT's public address: the agent and the stranger both connect from it. */
const OFFICE = '127.0.0.40';
const offer = () => browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' });
const answer = () => browserSdp({ address: '127.0.0.1', port: 9, setup: 'active' });

describe("a new connection from a dead agent connection's address and port gets nothing meant for that agent", { timeout: 180_000 }, () => {
  let fx: AttackStack;

  useAttackStack((started) => {
    fx = started;
  });

  /**
   * alice connects from the office and registers, then her connection dies (a TCP reset: no
   * unregistering). A new connection, as `username` if given, then takes her address and port.
   * Her registration is still there.
   */
  async function aliceReplacedBy(alice: WsSipAgent, username: string): Promise<WsSipAgent> {
    const { address, port } = alice.localEndpoint;
    alice.reset();
    await alice.closed;
    // The reset frees the port at once; the retry covers the instant before the kernel has.
    let lastError: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const stranger = await fx.agent(username, undefined, { address, port });
        assert.deepEqual(stranger.localEndpoint, { address, port }, "the new connection has alice's old address and port");
        return stranger;
      } catch (err) {
        lastError = err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`cannot connect from ${address}:${port} again: ${String(lastError)}`);
  }

  const invitesFor = (agent: WsSipAgent, user: string) =>
    agent.incomingInvites.filter((m) => (header(m, 'to') ?? '').includes(`sip:${user}@`)).length;

  test('a call to the agent: not delivered to an unauthenticated connection, nor to another agent that registered on it', async (t: TestContext) => {
    const carol = await fx.agent('carol');
    assert.equal((await carol.register()).status, 200);
    const alice = await fx.agent('alice', undefined, { address: OFFICE });
    assert.equal((await alice.register()).status, 200);
    assert.equal((await carol.invite('alice', offer()).final).status, 486, 'before: a call reaches alice (busy)');

    const stranger = await aliceReplacedBy(alice, 'bob');
    const unauthenticated = (await carol.invite('alice', offer()).final).status;
    assert.equal(invitesFor(stranger, 'alice'), 0, 'the unauthenticated connection received no call for alice');
    assert.notEqual(unauthenticated, 486, 'nobody answered as alice');

    assert.equal((await stranger.register()).status, 200, 'bob registers on the connection');
    assert.equal((await carol.invite('bob', offer()).final).status, 486, 'calls to bob reach bob there');
    const asBob = (await carol.invite('alice', offer()).final).status;
    assert.equal(invitesFor(stranger, 'alice'), 0, "bob's connection received no call for alice");
    assert.equal(invitesFor(stranger, 'bob'), 1);
    assert.notEqual(asBob, 486, 'nobody answered as alice');
    t.diagnostic(`carol's calls to alice were answered ${unauthenticated} and ${asBob}`);

    const aliceAgain = await fx.agent('alice');
    assert.equal((await aliceAgain.register()).status, 200);
    assert.equal((await carol.invite('alice', offer()).final).status, 486, 'alice, back on a connection of her own, is reachable');
    assert.equal(invitesFor(aliceAgain, 'alice'), 1);
  });

  test("inside alice's call: the far end's BYE, and the BYE the server sends when it ends the call, do not reach bob", async (t: TestContext) => {
    const carol = await fx.agent('carol');
    assert.equal((await carol.register()).status, 200);
    /** A call between alice (from the office) and carol, answered; then alice's connection dies and bob takes its place. */
    const dialled = async (aliceCalls: boolean) => {
      const alice = await fx.agent('alice', undefined, { address: OFFICE });
      assert.equal((await alice.register()).status, 200);
      const [caller, callee] = aliceCalls ? [alice, carol] : [carol, alice];
      callee.answerMode = { kind: 'answer', sdp: answer() };
      const call = caller.invite(callee.username, offer());
      assert.equal((await call.final).status, 200);
      await waitFor(async () => callee.acks.some((a) => header(a, 'call-id') === call.callId), 'the ACK');
      const bob = await aliceReplacedBy(alice, 'bob');
      assert.equal((await bob.register()).status, 200);
      return { call, bob };
    };
    const byesFor = (agent: WsSipAgent, callId: string) => agent.byes.filter((b) => header(b, 'call-id') === callId).length;

    // carol called alice and hangs up: her BYE is for alice.
    const first = await dialled(false);
    const hangUp = await first.call.bye();
    assert.equal(byesFor(first.bob, first.call.callId), 0, "carol's BYE for alice did not reach bob");
    assert.ok(hangUp.status! >= 200, `carol's BYE answered (${hangUp.status})`);

    // alice called carol, and the server ends the call (alice disabled by an admin): a BYE to each side.
    const second = await dialled(true);
    t.after(async () => {
      assert.equal((await admin(fx.stack, 'PATCH', '/api/agents/alice', { disabled: false })).status, 200);
    });
    const disabled = await admin(fx.stack, 'PATCH', '/api/agents/alice', { disabled: true });
    assert.deepEqual((disabled.body as { kamailio: unknown }).kamailio, { registrationsDropped: true, callsEnded: 1 });
    await waitFor(async () => byesFor(carol, second.call.callId) === 1, "the server's BYE to carol");
    // The two BYEs leave together: one to bob would have arrived by the time carol's did; a margin for the pipe.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(byesFor(second.bob, second.call.callId), 0, "the server's BYE for alice did not reach bob");
  });
});
