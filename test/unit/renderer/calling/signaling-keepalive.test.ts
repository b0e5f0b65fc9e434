import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEEPALIVE_INTERVAL_MS, PONG_DEADLINE_MS, SignalingKeepAlive } from '../../../../renderer/calling/signaling-keepalive.js';
import type { Timers } from '../../../../common/timers.js';

/** Timers driven by hand: advance(ms) fires what is due, in order. */
function manualClock() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => (pending.set(++seq, { at: now + ms, fn }), seq),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = [...pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      pending.delete(next[0]);
      now = next[1].at;
      next[1].fn();
    }
    now = end;
  };
  return { timers, advance, now: () => now };
}

test('a silent path is declared dead one deadline after an unanswered ping, within interval + deadline', () => {
  const clock = manualClock();
  let pings = 0;
  const dead: number[] = [];
  const ka = new SignalingKeepAlive({ timers: clock.timers, ping: () => pings++, onDead: (ms) => dead.push(ms) }, clock.now);
  ka.start();
  clock.advance(KEEPALIVE_INTERVAL_MS);
  assert.equal(pings, 1);
  assert.deepEqual(dead, []);
  clock.advance(PONG_DEADLINE_MS);
  assert.deepEqual(dead, [KEEPALIVE_INTERVAL_MS + PONG_DEADLINE_MS]);
  clock.advance(60_000);
  assert.equal(pings, 1, 'the watch stops once the path is declared dead');
});

test('an answered ping keeps the path alive; other traffic replaces pings', () => {
  const clock = manualClock();
  let pings = 0;
  let dead = 0;
  const ka = new SignalingKeepAlive({ timers: clock.timers, ping: () => pings++, onDead: () => dead++ }, clock.now);
  ka.start();
  for (let i = 0; i < 10; i++) {
    clock.advance(KEEPALIVE_INTERVAL_MS);
    clock.advance(50);
    ka.heard(); // the 200 to the ping
  }
  assert.equal(dead, 0);
  assert.equal(pings, 10);
  // A steady flow of other messages: no ping needed at all.
  for (let i = 0; i < 20; i++) {
    clock.advance(1000);
    ka.heard();
  }
  assert.equal(pings, 10);
  ka.stop();
  clock.advance(60_000);
  assert.equal(dead, 0, 'stopped: nothing fires');
});
