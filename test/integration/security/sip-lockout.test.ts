/**
 * Issue 8 hole 6 (the SIP side), against the real stack: password guessing is slowed by a lockout
 * per (source address, username) counted over WebSocket only, answered `403 Locked` with
 * Retry-After — and the lockout is no weapon: a session that already authenticated keeps working,
 * and bad REGISTERs spoofed over UDP count for nothing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { header, rand } from '../backend/support/sip-message.js';
import { MAX_AUTH_FAILURES } from '../../../backend/config/kamailio.js';
import { useAttackStack, type AttackStack } from './support/attack-stack.js';
import { UdpSipClient, withDigest } from './support/raw-sip.js';

describe('hole 6: SIP lockout slows guessing without locking the real agent out', { timeout: 180_000 }, () => {
  let fx: AttackStack;

  useAttackStack((started) => {
    fx = started;
  });

  test(`after ${MAX_AUTH_FAILURES} bad REGISTERs new connections get 403 Locked with Retry-After; the working session keeps registering and calling`, async () => {
    const password = await fx.createAgent('erin');
    const session = await fx.agent('erin', password);
    assert.equal((await session.register()).status, 200, 'erin has a working session');

    for (let i = 0; i < MAX_AUTH_FAILURES; i++) {
      const guess = await fx.agent('erin', `guess-${i}`);
      assert.equal((await guess.register()).status, 403, `guess ${i + 1} is refused`);
    }
    const fresh = await fx.agent('erin', password);
    const locked = await fresh.register();
    assert.equal(locked.status, 403, 'a new connection from the guessing address is locked, right password or not');
    assert.match(locked.reason, /locked/i, `the refusal says "locked" (got "${locked.reason}")`);
    const retryAfter = Number(header(locked, 'retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0, `Retry-After gives the seconds left (got ${header(locked, 'retry-after')})`);

    assert.equal((await session.register()).status, 200, 'the working session re-registers');
    assert.equal((await fx.legitimateTrunkCall(session)).status, 200, 'the working session still calls');
    const alice = await fx.agent('alice');
    assert.equal((await alice.register()).status, 200, 'other agents on the same address are not affected');
  });

  test("bad REGISTERs sent over UDP in an agent's name are refused without counting: the agent still registers over WebSocket", async () => {
    const password = await fx.createAgent('frank');
    const domain = fx.stack.endpoints.sip.domain;
    const udp = await UdpSipClient.open({ host: domain, port: fx.stack.ports.sipUdp });
    try {
      const uri = `sip:${domain}`;
      for (let i = 0; i <= MAX_AUTH_FAILURES; i++) {
        const callId = rand(10);
        const res = await withDigest({ username: 'frank', password: `guess-${i}`, method: 'REGISTER', uri }, (auth, cseq) =>
          udp.request(`REGISTER ${uri} SIP/2.0`, [
            ['From', `<sip:frank@${domain}>;tag=${rand(4)}`],
            ['To', `<sip:frank@${domain}>`],
            ['Call-ID', callId],
            ['CSeq', `${cseq} REGISTER`],
            ['Contact', `<sip:frank@${udp.localAddress.address}:${udp.localAddress.port}>`],
            ...auth,
          ]),
        );
        assert.equal(res?.status, 403, `spoofed REGISTER ${i + 1} over UDP is refused (got ${res?.startLine})`);
      }
    } finally {
      udp.close();
    }
    const frank = await fx.agent('frank', password);
    assert.equal((await frank.register()).status, 200, 'frank registers over WebSocket: UDP failures locked nothing');
  });
});
