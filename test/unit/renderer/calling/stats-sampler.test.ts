import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATS_SAMPLE_MS, StatsSampler, type StatsReading } from '../../../../renderer/calling/stats-sampler.js';
import { settle } from './fakes/event-loop.js';
import { ManualTimers } from './fakes/manual-timers.js';

/**
 * The call's one getStats reader over a fake peer connection (Node has no WebRTC) and the manual
 * clock: one read per reading whoever wants it, each subscriber at its own cadence, the peer
 * connection followed when it changes, failures and the end of the call. Its use by the call
 * (the inbound watch, the UI's watches, the way back to UDP) is in sip-phone.test.ts.
 */

/** A peer connection whose every getStats report is numbered: `n` in its one record says which read it was. */
class StatsPeerConnection {
  reads = 0;
  /** The next read rejects with this. */
  failNext: Error | null = null;
  /** While set, a read waits for it (a slow getStats). */
  gate: Promise<void> | null = null;
  constructor(readonly name: string) {}
  async getStats(): Promise<Map<string, unknown>> {
    this.reads += 1;
    const n = this.reads;
    const failure = this.failNext;
    this.failNext = null;
    if (this.gate) await this.gate;
    if (failure) throw failure;
    return new Map([['r', { type: 'transport', id: 'r', n, pc: this.name }]]);
  }
}

function samplerOver(first: StatsPeerConnection | undefined) {
  const timers = new ManualTimers();
  const errors: string[] = [];
  let pc = first;
  const sampler = new StatsSampler(
    () => pc as unknown as RTCPeerConnection | undefined,
    timers,
    (what, error) => void errors.push(`${what}: ${String(error)}`),
  );
  /** Each listener's readings as `<pc>#<read>`. */
  const got = (into: string[]) => (reading: StatsReading) => {
    const record = reading.records[0]!;
    assert.equal(reading.pc as unknown, pc, 'the reading names the peer connection it read');
    into.push(`${String(record.pc)}#${String(record.n)}`);
  };
  const readings = async (n: number) => timers.advance(n * STATS_SAMPLE_MS);
  return { sampler, timers, errors, got, readings, use: (next: StatsPeerConnection | undefined) => void (pc = next) };
}

test('one getStats per reading, whatever the number of subscribers; each gets every n-th reading at its own cadence', async () => {
  const pc = new StatsPeerConnection('a');
  const { sampler, got, readings } = samplerOver(pc);
  const everyOne: string[] = [];
  const everyTwo: string[] = [];
  const everyFive: string[] = [];
  sampler.subscribe(1, got(everyOne));
  sampler.subscribe(2, got(everyTwo));
  sampler.subscribe(5, got(everyFive));
  sampler.start();
  await readings(10);
  assert.equal(pc.reads, 10, 'one read every 200 ms for all three');
  assert.deepEqual(
    everyOne,
    Array.from({ length: 10 }, (_, i) => `a#${i + 1}`),
  );
  assert.deepEqual(everyTwo, ['a#2', 'a#4', 'a#6', 'a#8', 'a#10']);
  assert.deepEqual(everyFive, ['a#5', 'a#10']);
});

test('nobody’s turn, no read: a lone subscriber every 5th reading costs one getStats a second', async () => {
  const pc = new StatsPeerConnection('a');
  const { sampler, got, readings } = samplerOver(pc);
  const seen: string[] = [];
  sampler.subscribe(5, got(seen));
  sampler.start();
  await readings(10);
  assert.equal(pc.reads, 2);
  assert.deepEqual(seen, ['a#1', 'a#2']);
  const idle = new StatsPeerConnection('b');
  const quiet = samplerOver(idle);
  quiet.sampler.start();
  await quiet.readings(10);
  assert.equal(idle.reads, 0, 'no subscriber: no read');
});

test('the peer connection the call has at each reading is the one read (a relay recovery swaps it)', async () => {
  const [a, b] = [new StatsPeerConnection('a'), new StatsPeerConnection('b')];
  const { sampler, got, readings, use } = samplerOver(a);
  const seen: string[] = [];
  sampler.subscribe(1, got(seen));
  sampler.start();
  await readings(2);
  use(b);
  await readings(2);
  assert.deepEqual(seen, ['a#1', 'a#2', 'b#1', 'b#2']);
  assert.equal(a.reads, 2, 'the old one is read no more');
});

test('a reading is STATS_SAMPLE_MS after the last one settled: a slow getStats is never overlapped', async () => {
  const pc = new StatsPeerConnection('a');
  const { sampler, got, timers } = samplerOver(pc);
  const seen: string[] = [];
  sampler.subscribe(1, got(seen));
  let release = () => {};
  pc.gate = new Promise((resolve) => (release = resolve));
  sampler.start();
  await timers.advance(STATS_SAMPLE_MS);
  assert.equal(pc.reads, 1);
  await timers.advance(5 * STATS_SAMPLE_MS);
  assert.deepEqual([pc.reads, seen], [1, []], 'no second read while the first runs');
  pc.gate = null;
  release();
  await settle();
  assert.deepEqual(seen, ['a#1']);
  assert.deepEqual(timers.delays(), [STATS_SAMPLE_MS], 'the next one 200 ms after it settled');
});

test('a failed read or no peer connection: logged, and the subscriber whose turn it was gets the next reading that works', async () => {
  const pc = new StatsPeerConnection('a');
  const { sampler, got, readings, errors, use } = samplerOver(undefined);
  const seen: string[] = [];
  sampler.subscribe(2, got(seen));
  sampler.start();
  await readings(3);
  assert.deepEqual(seen, [], 'no peer connection yet: nothing to read');
  use(pc);
  pc.failNext = new Error('InvalidStateError: closed');
  await readings(1);
  assert.deepEqual([pc.reads, seen], [1, []], 'its turn, but the read failed');
  assert.deepEqual(errors, ['getStats: Error: InvalidStateError: closed']);
  await readings(1);
  assert.deepEqual(seen, ['a#2'], 'the very next reading, not two later');
  await readings(2);
  assert.deepEqual([pc.reads, seen], [3, ['a#2', 'a#3']], 'then every 2nd again: one read in two');
});

test('unsubscribed, even while a read runs: nothing more; a subscriber that throws is logged and the others still get theirs', async () => {
  const pc = new StatsPeerConnection('a');
  const { sampler, got, readings, timers, errors } = samplerOver(pc);
  const kept: string[] = [];
  const dropped: string[] = [];
  sampler.subscribe(1, () => {
    throw new Error('render failed');
  });
  sampler.subscribe(1, got(kept));
  const stop = sampler.subscribe(1, got(dropped));
  sampler.start();
  await readings(1);
  let release = () => {};
  pc.gate = new Promise((resolve) => (release = resolve));
  await timers.advance(STATS_SAMPLE_MS);
  stop();
  pc.gate = null;
  release();
  await settle();
  await readings(1);
  assert.deepEqual(kept, ['a#1', 'a#2', 'a#3']);
  assert.deepEqual(dropped, ['a#1'], 'the read it was due when it left was not handed to it');
  assert.equal(errors.filter((e) => e === 'a stats subscriber: Error: render failed').length, 3);
});

test('next(): the first reading taken after the call, and null once the sampler stops; stopped, it reads nothing more', async () => {
  const pc = new StatsPeerConnection('a');
  const { sampler, readings, timers } = samplerOver(pc);
  sampler.start();
  const first = sampler.next();
  await readings(1);
  assert.equal((await first)?.records[0]?.n, 1);
  await readings(3);
  assert.equal(pc.reads, 1, 'nobody waiting: no read');

  const late: string[] = [];
  sampler.subscribe(1, (r) => void late.push(String(r.records[0]?.n)));
  let release = () => {};
  pc.gate = new Promise((resolve) => (release = resolve));
  await timers.advance(STATS_SAMPLE_MS);
  const pending = sampler.next();
  sampler.stop();
  assert.equal(await pending, null, 'the call ended while it waited');
  release();
  await settle();
  assert.deepEqual(late, [], 'a read running when it stopped is handed to no one');
  await readings(10);
  assert.equal(pc.reads, 2, 'no read after the stop');
  assert.equal(await sampler.next(), null);
  assert.deepEqual(timers.delays(), []);
});

test('a cadence must be a whole number of readings, 1 or more', () => {
  const { sampler } = samplerOver(new StatsPeerConnection('a'));
  for (const every of [0, -1, 2.5, Number.NaN]) {
    assert.throws(() => sampler.subscribe(every, () => undefined), { name: 'RangeError', message: /whole number of readings/ });
  }
});
