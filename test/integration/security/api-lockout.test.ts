/**
 * Hole 6, control-plane side, against the real stack: password guessing on the HTTP API is locked
 * per (address, user) and per address, but the lockout is no weapon — the real user on another
 * address, or with a working session on a sprayed address, still signs in; flushing the
 * limiter with junk usernames does not unlock a victim; a spoofed X-Forwarded-For changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestStack } from '../backend/support/stack-fixture.js';
import { api, createAgent, type ApiAnswer } from './support/control-plane-http.js';
import { DEFAULT_LIMITER_POLICY } from '../../../backend/control-plane/failure-limiter.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.securityApi;
const { pairMaxFailures, addressMaxFailures, userSlowdownAfter } = DEFAULT_LIMITER_POLICY;

describe('control plane sign-in lockout is not a weapon', { timeout: 180_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  const signIn = (username: string, password: string, from: string, headers: Record<string, string> = {}): Promise<ApiAnswer> =>
    api(fx.stack, { path: '/api/client-config', auth: { username, password }, from, headers });

  before(async () => {
    fx = await startTestStack(PORT_BASE);
    await createAgent(fx.stack, 'vic', 'vic-password-1');
    await createAgent(fx.stack, 'walt', 'walt-password-1');
  });
  after(async () => {
    await fx?.dispose();
  });

  test('guessing locks the (address, user) pair: 429, Retry-After and "locked, retry after N s", even for the right password', async () => {
    // The real user's phone signed in from its own address before the attack.
    assert.equal((await signIn('vic', 'vic-password-1', '127.0.0.3')).status, 200);
    for (let i = 0; i < pairMaxFailures; i++) assert.equal((await signIn('vic', `guess-${i}`, '127.0.0.2')).status, 401);
    const locked = await signIn('vic', 'vic-password-1', '127.0.0.2');
    assert.equal(locked.status, 429, 'the attacker cannot confirm a right guess');
    const retryAfter = Number(locked.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= DEFAULT_LIMITER_POLICY.windowMs / 1000, `Retry-After ${locked.headers['retry-after']}`);
    assert.deepEqual(locked.body, { error: `locked, retry after ${retryAfter} s` });
    // Not an X-Forwarded-For the client makes up: the API trusts no proxy header.
    assert.equal((await signIn('vic', 'vic-password-1', '127.0.0.2', { 'x-forwarded-for': '127.0.0.9' })).status, 429);

    assert.equal((await signIn('vic', 'vic-password-1', '127.0.0.3')).status, 200, 'the real user on their own address');
    assert.equal((await signIn('vic', 'vic-password-1', '127.0.0.4')).status, 200, 'the real user on any other address');
    assert.equal((await signIn('walt', 'walt-password-1', '127.0.0.2')).status, 200, 'another user on the attacked address');
  });

  test('flushing the limiter with junk usernames from many addresses does not unlock the victim pair', async () => {
    // Each flooding address stays under its own lock, so every junk username is counted.
    const perAddress = addressMaxFailures - 1;
    let sent = 0;
    for (let host = 1; host <= 20; host++) {
      const from = `127.0.1.${host}`;
      const batch = Array.from({ length: perAddress }, () => signIn(`junk-${randomBytes(6).toString('hex')}`, 'x-password', from));
      for (const r of await Promise.all(batch)) assert.equal(r.status, 401);
      sent += perAddress;
    }
    assert.equal(sent, 20 * perAddress);
    assert.equal((await signIn('vic', 'vic-password-1', '127.0.0.2')).status, 429, 'still locked');
  });

  test('spraying usernames from one address locks that address, except for a working session there', async () => {
    const from = '127.0.2.1';
    assert.equal((await signIn('vic', 'vic-password-1', from)).status, 200, "vic's session from the shared address");
    for (let i = 0; i < addressMaxFailures; i++) await signIn(`spray-${i}`, 'x-password', from);
    const r = await signIn('walt', 'walt-password-1', from);
    assert.equal(r.status, 429, 'a user without a session there is refused');
    assert.equal((await signIn('vic', 'vic-password-1', from)).status, 200, 'the working session still signs in');
    assert.equal((await signIn('walt', 'walt-password-1', '127.0.2.2')).status, 200, 'only that address');
  });

  test('failures for a user from many addresses only slow that user down: the real user still signs in', async () => {
    // Under the pair lock on every address: only the per-user count grows.
    for (let host = 1; host <= userSlowdownAfter + 2; host++)
      assert.equal((await signIn('walt', 'bad-password', `127.0.3.${host}`)).status, 401);
    assert.equal((await signIn('walt', 'walt-password-1', '127.0.0.5')).status, 200, 'a new address: slowed, never locked');
    assert.equal((await signIn('walt', 'walt-password-1', '127.0.0.5')).status, 200, 'the address of a working session');
    assert.equal(
      (await api(fx.stack, { path: '/api/turn-credentials', auth: { username: 'walt', password: 'walt-password-1' }, from: '127.0.0.5' }))
        .status,
      200,
    );
  });
});
