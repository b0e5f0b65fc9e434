/** The per-agent upload rate on an injected clock: the window slides, agents are independent, memory is capped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UploadRateLimiter } from '../../../../backend/control-plane/upload-rate-limit.js';

test('max uploads per window per agent; the next one is admitted when the oldest leaves the window', () => {
  const clock = { t: 1_000_000 };
  const limiter = new UploadRateLimiter({ max: 2, windowMs: 60_000, maxAgents: 100 }, () => clock.t);
  assert.deepEqual(limiter.take('ann'), { allowed: true });
  clock.t += 10_000;
  assert.deepEqual(limiter.take('ann'), { allowed: true });
  assert.deepEqual(limiter.take('ann'), { allowed: false, retryAfterSec: 50 });
  assert.deepEqual(limiter.take('ben'), { allowed: true }, 'another agent is not affected');
  clock.t += 50_001;
  assert.deepEqual(limiter.take('ann'), { allowed: true });
  assert.deepEqual(limiter.take('ann'), { allowed: false, retryAfterSec: 10 }, 'refusals are not counted, the window slides');
});

test('at most maxAgents are tracked; the least recently seen is forgotten first', () => {
  const limiter = new UploadRateLimiter({ max: 1, windowMs: 60_000, maxAgents: 2 }, () => 0);
  limiter.take('a');
  limiter.take('b');
  assert.equal(limiter.take('a').allowed, false, 'a is seen again (refused), so b is now the oldest');
  limiter.take('c');
  assert.equal(limiter.take('a').allowed, false, 'a is still tracked');
  assert.equal(limiter.take('b').allowed, true, 'b was dropped when c arrived');
});
