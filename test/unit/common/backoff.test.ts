import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs } from '../../../common/backoff.js';
import { RESTART_BACKOFF } from '../../../backend/supervisor/supervisor.js';

const policy = { baseMs: 500, maxMs: 30_000 };

test('backoff doubles per attempt within [ceiling/2, ceiling]', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => backoffDelayMs(policy, n, () => 0)),
    [250, 500, 1000, 2000],
  );
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => backoffDelayMs(policy, n, () => 0.999999)),
    [500, 1000, 2000, 4000],
  );
});

test('backoff is capped, even for absurd attempt counts', () => {
  assert.equal(
    backoffDelayMs(policy, 7, () => 0.999999),
    30_000,
  );
  assert.equal(
    backoffDelayMs(policy, 1e6, () => 0.999999),
    30_000,
  );
  assert.equal(
    backoffDelayMs(policy, 1e6, () => 0),
    15_000,
  );
});

test('backoff is jittered: two components failing together do not retry in lock-step', () => {
  const draws = new Set(Array.from({ length: 50 }, () => backoffDelayMs(policy, 5)));
  assert.ok(draws.size > 10, `distinct delays: ${draws.size}`);
  for (const d of draws) assert.ok(d >= 4000 && d <= 8000, `delay ${d}`);
});

test('backoff refuses a non-positive attempt with a clear error', () => {
  assert.throws(() => backoffDelayMs(policy, 0), /attempt must be an integer ≥ 1 \(got 0\)/);
});

test('the supervisor restarts within a second first, and never waits more than 30 s between attempts', () => {
  assert.ok(backoffDelayMs(RESTART_BACKOFF, 1, () => 0.999999) <= 1000);
  assert.equal(
    backoffDelayMs(RESTART_BACKOFF, 100, () => 0.999999),
    30_000,
  );
});
