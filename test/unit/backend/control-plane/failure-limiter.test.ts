/**
 * The sign-in limiter (hole 6) on an injected clock: locks stop a guesser, but an attacker can
 * neither lock the real user out from elsewhere nor flush a lock away with junk usernames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressKey,
  DEFAULT_LIMITER_POLICY,
  FailureLimiter,
  type LimiterPolicy,
} from '../../../../backend/control-plane/failure-limiter.js';

function limiter(over: Partial<LimiterPolicy> = {}) {
  const clock = { t: 1_000_000 };
  const policy = { ...DEFAULT_LIMITER_POLICY, ...over };
  return { lim: new FailureLimiter(policy, () => clock.t), clock, policy };
}

test('pair lock: N failures lock (address, user) for the window, right password or not; other addresses and users are not locked', () => {
  const { lim, clock, policy } = limiter();
  for (let i = 0; i < policy.pairMaxFailures - 1; i++) lim.fail('10.0.0.9', 'alice');
  assert.equal(lim.admit('10.0.0.9', 'alice').allowed, true, 'one failure short of the lock');
  lim.fail('10.0.0.9', 'alice');
  const locked = lim.admit('10.0.0.9', 'alice');
  assert.deepEqual(locked, { allowed: false, retryAfterSec: policy.windowMs / 1000 });
  assert.equal(lim.admit('10.0.0.7', 'alice').allowed, true, 'the real user on another address');
  assert.equal(lim.admit('10.0.0.9', 'bob').allowed, true, 'another user on the attacked address');
  clock.t += policy.windowMs - 1000;
  assert.deepEqual(lim.admit('10.0.0.9', 'alice'), { allowed: false, retryAfterSec: 1 });
  clock.t += 1000;
  assert.equal(lim.admit('10.0.0.9', 'alice').allowed, true, 'the lock ends with its window');
});

test('a working session on a locked address still signs in; guessing its password there is still capped by the pair lock', () => {
  const { lim, policy } = limiter();
  lim.succeed('192.0.2.10', 'colleague');
  for (let i = 0; i < policy.addressMaxFailures; i++) lim.fail('192.0.2.10', `sprayed-${i}`);
  assert.equal(lim.admit('192.0.2.10', 'newcomer').allowed, false, 'the address is locked');
  assert.deepEqual(lim.admit('192.0.2.10', 'colleague'), { allowed: true, delayMs: 0 }, 'the colleague who signed in there is not');
  for (let i = 0; i < policy.pairMaxFailures; i++) lim.fail('192.0.2.10', 'colleague');
  assert.equal(lim.admit('192.0.2.10', 'colleague').allowed, false, 'ten wrong passwords for the colleague from there lock the pair');
});

test('address lock: spraying usernames from one address locks that address (IPv6 counted per /64)', () => {
  const { lim, policy } = limiter();
  for (let i = 0; i < policy.addressMaxFailures; i++) lim.fail(`2001:db8:1:2::${(i + 1).toString(16)}`, `user${i}`);
  assert.equal(lim.admit('2001:db8:1:2:ffff::1', 'fresh-user').allowed, false, 'any host of the /64, any user');
  assert.equal(lim.admit('2001:db8:1:3::1', 'fresh-user').allowed, true, 'the next /64 is another address');
  assert.equal(lim.admit('2001:db8:1:2::1', 'user0').allowed, false, 'a sprayed user on the locked address');
  assert.equal(addressKey('2001:0db8:0001:0002:0:0:0:1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('::ffff:192.0.2.4'), '192.0.2.4');
  assert.equal(addressKey('192.0.2.4'), '192.0.2.4');
});

test('per-user failures from many addresses only slow the user down (doubling, capped), never lock; a working session is exempt', () => {
  const { lim, policy } = limiter();
  lim.succeed('10.1.0.1', 'alice'); // alice's own phone signed in from here
  for (let i = 0; i < policy.userSlowdownAfter; i++) lim.fail(`10.2.0.${i}`, 'alice');
  const first = lim.admit('10.3.0.1', 'alice');
  assert.deepEqual(first, { allowed: true, delayMs: policy.slowdownBaseMs });
  lim.fail('10.2.1.1', 'alice');
  assert.deepEqual(lim.admit('10.3.0.1', 'alice'), { allowed: true, delayMs: policy.slowdownBaseMs * 2 });
  for (let i = 0; i < 40; i++) lim.fail(`10.2.2.${i}`, 'alice');
  assert.deepEqual(lim.admit('10.3.0.1', 'alice'), { allowed: true, delayMs: policy.slowdownMaxMs }, 'capped, still allowed');
  assert.deepEqual(lim.admit('10.1.0.1', 'alice'), { allowed: true, delayMs: 0 }, 'the address that signed in as alice is not slowed');
});

test('flushing: junk usernames and addresses past every table cap neither unlock a victim nor grow memory past the cap', () => {
  const maxEntries = 16;
  const { lim, policy } = limiter({ maxEntries });
  for (let i = 0; i < policy.pairMaxFailures; i++) lim.fail('10.0.0.9', 'victim');
  assert.equal(lim.admit('10.0.0.9', 'victim').allowed, false);
  for (let i = 0; i < 50 * maxEntries; i++) {
    lim.fail(`172.16.${i >> 8}.${i & 255}`, `junk-${i}`);
    lim.succeed(`172.17.${i >> 8}.${i & 255}`, `junk-${i}`);
  }
  assert.equal(lim.admit('10.0.0.9', 'victim').allowed, false, 'the victim pair is still locked');
  assert.ok(lim.size <= 4 * maxEntries, `entries held: ${lim.size}`);
});

test('a right password forgives the pair its failures', () => {
  const { lim, policy } = limiter();
  for (let i = 0; i < policy.pairMaxFailures - 1; i++) lim.fail('10.0.0.9', 'alice');
  lim.succeed('10.0.0.9', 'alice');
  lim.fail('10.0.0.9', 'alice');
  assert.equal(lim.admit('10.0.0.9', 'alice').allowed, true);
});

test('a full table still tracks and locks a new guesser: the oldest unlocked entry makes room, locked ones are skipped', () => {
  const maxEntries = 8;
  const { lim, policy } = limiter({ maxEntries, addressMaxFailures: 1_000 });
  for (let i = 0; i < policy.pairMaxFailures; i++) lim.fail('10.0.0.9', 'victim'); // the oldest entry, locked
  for (let i = 0; i < 3 * maxEntries; i++) lim.fail('10.0.0.8', `junk-${i}`);
  for (let i = 0; i < policy.pairMaxFailures; i++) lim.fail('10.0.0.7', 'guessed');
  assert.equal(lim.admit('10.0.0.7', 'guessed').allowed, false, 'the new guesser is locked');
  assert.equal(lim.admit('10.0.0.9', 'victim').allowed, false, 'the old lock is kept');
});
