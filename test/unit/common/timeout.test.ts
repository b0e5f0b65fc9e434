import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rejectAfter, settleWithin } from '../../../common/timeout.js';
import type { Timers } from '../../../common/timers.js';

/** Timers the test fires by hand; `pending` shows what is still scheduled. */
function handTimers() {
  const pending = new Map<number, () => void>();
  let next = 1;
  const timers: Timers = {
    setTimeout: (fn) => (pending.set(next, fn), next++),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const fireAll = () => {
    for (const [h, fn] of [...pending]) {
      pending.delete(h);
      fn();
    }
  };
  return { timers, pending, fireAll };
}

test('settleWithin: the value when it comes first, and the timer is cleared', async () => {
  const t = handTimers();
  assert.equal(await settleWithin(Promise.resolve(7), 1000, () => 'late', t.timers), 7);
  assert.equal(t.pending.size, 0);
});

test('settleWithin: the fallback once the time is up', async () => {
  const t = handTimers();
  const never = new Promise<number>(() => undefined);
  const result = settleWithin(never, 1000, () => 'no answer', t.timers);
  t.fireAll();
  assert.equal(await result, 'no answer');
});

test('rejectAfter: rejects with the given message once the time is up; a failure of its own passes through', async () => {
  const t = handTimers();
  const result = rejectAfter(new Promise(() => undefined), 1000, 'did not finish within 1000 ms', t.timers);
  t.fireAll();
  await assert.rejects(result, /^Error: did not finish within 1000 ms$/);
  await assert.rejects(rejectAfter(Promise.reject(new Error('refused')), 1000, 'x', t.timers), /refused/);
  assert.equal(t.pending.size, 0);
});
