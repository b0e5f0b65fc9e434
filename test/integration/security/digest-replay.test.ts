/**
 * Issue 8 hole 5 (the digest half), against the real stack: a credential captured off the wire
 * must not work a second time. Challenges carry qop="auth" and Kamailio counts nonce uses, so a
 * replayed Authorization (same nonce, same nc) gets a fresh challenge or 403 and is never relayed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { header, rand } from '../backend/support/sip-message.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { useAttackStack, type AttackStack } from './support/attack-stack.js';
import { withDigest, type Headers } from './support/raw-sip.js';

/** A replay must be challenged again (401/407, typically stale=true) or refused (403). */
const REFUSED = [401, 403, 407];

describe('hole 5: captured digest credentials cannot be replayed', { timeout: 180_000 }, () => {
  let fx: AttackStack;
  let domain: string;

  useAttackStack((started) => {
    fx = started;
    domain = fx.stack.endpoints.sip.domain;
  });

  const registerHeaders = (contact: string, callId: string, cseq: number, expires = 300): Array<[string, string]> => [
    ['From', `<sip:alice@${domain}>;tag=${rand(4)}`],
    ['To', `<sip:alice@${domain}>`],
    ['Call-ID', callId],
    ['CSeq', `${cseq} REGISTER`],
    ['Contact', `${contact};expires=${expires}`],
    ['Expires', String(expires)],
  ];

  test('REGISTER and INVITE challenges offer qop="auth"', async () => {
    const alice = await fx.agent('alice');
    const reg = await alice.request(
      'REGISTER',
      `sip:${domain}`,
      registerHeaders(`<sip:alice@${rand(4)}.invalid;transport=ws>`, rand(10), 1),
    );
    assert.equal(reg.status, 401);
    assert.match(header(reg, 'www-authenticate') ?? '', /qop="?auth\b/, 'the REGISTER challenge offers qop=auth');

    const echo = fx.stack.endpoints.numbers.echo;
    const inv = await alice.request(
      'INVITE',
      `sip:${echo}@${domain}`,
      [
        ['From', `<sip:alice@${domain}>;tag=${rand(4)}`],
        ['To', `<sip:${echo}@${domain}>`],
        ['Call-ID', rand(10)],
        ['CSeq', '1 INVITE'],
        ['Contact', `<sip:alice@${rand(4)}.invalid;transport=ws>`],
        ['Content-Type', 'application/sdp'],
      ],
      browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }),
    );
    assert.equal(inv.status, 407);
    assert.match(header(inv, 'proxy-authenticate') ?? '', /qop="?auth\b/, 'the INVITE challenge offers qop=auth');
  });

  test('a captured INVITE credential replayed from another connection is refused and never reaches the trunk', async () => {
    const alice = await fx.agent('alice');
    const echo = fx.stack.endpoints.numbers.echo;
    const call = alice.invite(echo, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
    assert.equal((await call.final).status, 200, 'the original call is answered');
    const captured = call.authorization();
    assert.equal(captured[0]?.[0], 'Proxy-Authorization', 'the INVITE was authenticated (credential captured)');
    assert.equal((await call.bye()).status, 200);

    // The attacker's own WebSocket: same Request-URI (digest binds it), fresh Call-ID and tags.
    const mallory = await fx.agent('mallory', 'unknown');
    const replayId = `replayed-invite-${rand(6)}`;
    const replay = await mallory.request(
      'INVITE',
      `sip:${echo}@${domain}`,
      [
        ['From', `<sip:alice@${domain}>;tag=${rand(4)}`],
        ['To', `<sip:${echo}@${domain}>`],
        ['Call-ID', replayId],
        ['CSeq', '2 INVITE'],
        ['Contact', `<sip:alice@${rand(4)}.invalid;transport=ws>`],
        ['Content-Type', 'application/sdp'],
        ...captured,
      ],
      browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }),
    );
    assert.ok(REFUSED.includes(replay.status!), `the replayed INVITE is challenged again or refused (got ${replay.startLine})`);
    assert.ok(!(await fx.rtpengineCalls()).includes(replayId), 'rtpengine holds no media for the replay');

    const again = await fx.legitimateTrunkCall(alice);
    assert.equal(again.status, 200, 'alice, answering a fresh challenge, still calls');
    assert.deepEqual(fx.trunkReceivedRequests('INVITE', replayId), [], 'the replayed INVITE never reached the trunk');
  });

  test('a captured REGISTER credential replayed from another connection does not bind the attacker', async () => {
    const alice = await fx.agent('alice');
    const uri = `sip:${domain}`;
    const password = fx.stack.endpoints.agents.find((a) => a.username === 'alice')!.password;
    const callId = rand(10);
    const contact = `<sip:alice@${rand(4)}.invalid;transport=ws>`;
    let captured: Headers = [];
    const first = await withDigest({ username: 'alice', password, method: 'REGISTER', uri }, (auth, cseq) => {
      captured = auth;
      return alice.request('REGISTER', uri, [...registerHeaders(contact, callId, cseq), ...auth]);
    });
    assert.equal(first?.status, 200, 'alice registers');

    const mallory = await fx.agent('mallory', 'unknown');
    const replay = await mallory.request('REGISTER', uri, [
      ...registerHeaders(`<sip:mallory@${rand(4)}.invalid;transport=ws>`, callId, 3),
      ...captured,
    ]);
    assert.ok(REFUSED.includes(replay.status!), `the replayed REGISTER is challenged again or refused (got ${replay.startLine})`);

    const unregister = await withDigest({ username: 'alice', password, method: 'REGISTER', uri }, (auth, cseq) =>
      alice.request('REGISTER', uri, [...registerHeaders(contact, callId, 10 + cseq, 0), ...auth]),
    );
    assert.equal(unregister?.status, 200, 'alice, answering a fresh challenge, still manages her registration');
  });
});
