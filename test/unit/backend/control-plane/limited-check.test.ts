/**
 * A credential check under the sign-in limiter (every HTTP sign-in path uses it): wrong answers
 * are counted until the lock, a locked pair is not checked at all (the right credential
 * included), and a right one forgives the pair's failures. The slow-down's delay is real time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITER_POLICY, FailureLimiter } from '../../../../backend/control-plane/failure-limiter.js';
import { checkLimited } from '../../../../backend/control-plane/limited-check.js';

const policy = { ...DEFAULT_LIMITER_POLICY, pairMaxFailures: 3, userSlowdownAfter: 100 };
const IP = '10.0.0.9';

function counted(answer: string | null | undefined) {
  const calls: string[] = [];
  return { calls, verify: async () => (calls.push('verify'), answer) };
}

test('wrong answers (null or undefined) are counted until the pair locks; then nothing is checked, the right credential included', async () => {
  const limiter = new FailureLimiter(policy, () => 1_000_000);
  const wrong = counted(undefined);
  for (let i = 0; i < policy.pairMaxFailures; i++) {
    assert.deepEqual(await checkLimited(limiter, IP, 'alice', wrong.verify), { locked: false, found: null });
  }
  assert.equal(wrong.calls.length, policy.pairMaxFailures);
  const right = counted('alice-agent');
  assert.deepEqual(await checkLimited(limiter, IP, 'alice', right.verify), { locked: true, retryAfterSec: policy.windowMs / 1000 });
  assert.deepEqual(right.calls, [], 'a locked pair is refused before its credential is looked at');
  assert.deepEqual(
    await checkLimited(limiter, '10.0.0.7', 'alice', right.verify),
    { locked: false, found: 'alice-agent' },
    'another address',
  );
});

test('a right answer forgives the pair its earlier failures', async () => {
  const limiter = new FailureLimiter(policy, () => 1_000_000);
  for (let i = 0; i < policy.pairMaxFailures - 1; i++) await checkLimited(limiter, IP, 'alice', counted(null).verify);
  assert.deepEqual(await checkLimited(limiter, IP, 'alice', counted('alice-agent').verify), { locked: false, found: 'alice-agent' });
  for (let i = 0; i < policy.pairMaxFailures - 1; i++) await checkLimited(limiter, IP, 'alice', counted(null).verify);
  assert.equal((await checkLimited(limiter, IP, 'alice', counted(null).verify)).locked, false, 'the count started again');
});
