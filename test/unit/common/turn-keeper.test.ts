import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TurnCredentials } from '../../../common/contract/index.js';
import type { Timers } from '../../../common/timers.js';
import { TurnKeeper } from '../../../common/turn-keeper.js';
import { isFresh, nextRefreshDelayMs, refreshDueAt } from '../../../common/turn-refresh-schedule.js';
import { memoryLogger } from '../main/fakes/memory-logger.js';

/** The top of each backoff draw: the ceilings, so expected delays are exact. */
const ceiling = () => 0.999999;

test('schedule: due at 80% of the ttl', () => {
  const issued = { ttlSec: 600, issuedAt: 1_000_000 };
  assert.equal(refreshDueAt(issued), 1_000_000 + 480_000);
  assert.equal(nextRefreshDelayMs(issued, 1_000_000, 0), 480_000);
  assert.equal(nextRefreshDelayMs(issued, 1_100_000, 0), 380_000);
  assert.equal(nextRefreshDelayMs(issued, 2_000_000, 0), 0, 'overdue → now, never negative');
  assert.equal(isFresh(issued, 1_479_999), true);
  assert.equal(isFresh(issued, 1_480_000), false);
});

test('schedule: retries take the common backoff (2 s doubling to 60 s, jittered down to half)', () => {
  const issued = { ttlSec: 600, issuedAt: 0 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 10].map((f) => nextRefreshDelayMs(issued, 500_000, f, undefined, ceiling)),
    [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000],
  );
  assert.equal(
    nextRefreshDelayMs(issued, 500_000, 1, undefined, () => 0),
    1_000,
  );
});

test('schedule: a tiny ttl still leaves 5 s between refreshes; overdue ones are due at once', () => {
  assert.equal(nextRefreshDelayMs({ ttlSec: 1, issuedAt: 0 }, 0, 0), 5_000);
  assert.equal(nextRefreshDelayMs({ ttlSec: 600, issuedAt: 0 }, 1_000_000, 0), 0);
});

test('schedule: a ttl longer than a timer can wait is capped to what setTimeout accepts', () => {
  assert.equal(nextRefreshDelayMs({ ttlSec: 10 ** 9, issuedAt: 0 }, 0, 0), 2_147_483_647);
});

/** Manual clock + timers: the test decides when time passes. */
function fakeTime() {
  let now = 0;
  let pending: { at: number; fn: () => void } | null = null;
  const timers: Timers = {
    setTimeout: (fn, ms) => (pending = { at: now + ms, fn }),
    clearTimeout: (h) => {
      if (pending === h) pending = null;
    },
  };
  return {
    timers,
    now: () => now,
    get nextAt() {
      return pending?.at ?? null;
    },
    /** Advance to the pending timer and fire it. */
    async fire() {
      const p = pending;
      assert.ok(p, 'a refresh is scheduled');
      pending = null;
      now = p.at;
      p.fn();
      await new Promise((r) => setImmediate(r));
    },
  };
}

const creds = (n: number, ttl = 100): TurnCredentials => ({ username: `u${n}`, password: `p${n}`, ttl, uris: ['turn:h:3478'] });

test('keeper: refreshes at 80%, backs off on failure, recovers, answers from memory while fresh', { timeout: 5_000 }, async () => {
  const time = fakeTime();
  const answers: Array<TurnCredentials | Error> = [new Error('cannot reach cp'), new Error('cannot reach cp'), creds(2)];
  let calls = 0;
  const pushed: string[] = [];
  const keeper = new TurnKeeper(
    creds(1),
    async () => {
      calls += 1;
      const next = answers.shift();
      if (!next || next instanceof Error) throw next ?? new Error('unexpected call');
      return next;
    },
    {
      now: time.now,
      timers: time.timers,
      log: memoryLogger().scope('turn'),
      random: ceiling,
      onUpdate: (c) => void pushed.push(c.username),
    },
  );
  assert.equal(time.nextAt, 80_000, 'first refresh at 80% of 100 s');
  assert.equal((await keeper.current()).username, 'u1');
  assert.equal(calls, 0, 'fresh credentials come from memory');

  await time.fire(); // t=80 s: fails
  assert.equal(keeper.failures, 1);
  assert.equal(time.nextAt, 82_000);
  await time.fire(); // t=82 s: fails again
  assert.equal(time.nextAt, 86_000);
  await time.fire(); // t=86 s: succeeds
  assert.equal(keeper.failures, 0);
  assert.equal((await keeper.current()).username, 'u2');
  assert.equal(time.nextAt, 86_000 + 80_000, 'next refresh at 80% of the new lifetime');
  assert.equal(calls, 3);
  assert.deepEqual(pushed, ['u2'], 'only a new set is pushed, once');
  keeper.stop();
  assert.equal(time.nextAt, null, 'stop cancels the pending refresh');
});

test('keeper: credentials past the 80% mark are fetched on demand (e.g. after sleep)', { timeout: 5_000 }, async () => {
  const time = fakeTime();
  let clock = 0;
  let serial = 1;
  const keeper = new TurnKeeper(creds(1), async () => creds(++serial), {
    now: () => clock,
    timers: time.timers,
    log: memoryLogger().scope('turn'),
  });
  keeper.stop(); // only the on-demand path: as if the timer never fired while the machine slept
  clock = 79_000;
  assert.equal((await keeper.current()).username, 'u1');
  clock = 81_000;
  assert.equal((await keeper.current()).username, 'u2');
  assert.equal((await keeper.current()).username, 'u2', 'the new ones are fresh again');
});

test('keeper: concurrent askers share one request; restored credentials of unknown age are due at once', { timeout: 5_000 }, async () => {
  const time = fakeTime();
  let calls = 0;
  let release: (c: TurnCredentials) => void = () => undefined;
  const keeper = new TurnKeeper(
    creds(1),
    () => {
      calls += 1;
      return new Promise<TurnCredentials>((resolve) => (release = resolve));
    },
    { now: () => 1_000_000, timers: time.timers, log: memoryLogger().scope('turn') },
    0,
  );
  assert.equal(time.nextAt, 0, 'due at once');
  const both = Promise.all([keeper.current(), keeper.current()]);
  release(creds(2));
  assert.deepEqual(
    (await both).map((c) => c.username),
    ['u2', 'u2'],
  );
  assert.equal(calls, 1);
  keeper.stop();
});
