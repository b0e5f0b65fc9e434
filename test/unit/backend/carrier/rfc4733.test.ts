import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseTelephoneEvent,
  planDigitPackets,
  serializeTelephoneEvent,
  TelephoneEventDeduplicator,
} from '../../../../backend/carrier/media/rfc4733.js';

function collect(): { digits: string[]; dedup: TelephoneEventDeduplicator } {
  const digits: string[] = [];
  return { digits, dedup: new TelephoneEventDeduplicator((d) => digits.push(d)) };
}

/** Feeds the packets of `digit` as a sender would, all with the event's start timestamp. */
function feed(dedup: TelephoneEventDeduplicator, digit: string, ts: number, drop: (i: number) => boolean = () => false): void {
  planDigitPackets(digit).forEach((p, i) => {
    if (!drop(i)) dedup.receive(1234, ts, parseTelephoneEvent(p.payload)!);
  });
}

test('payload round trip', () => {
  const e = { event: 11, end: true, volume: 10, duration: 800 };
  assert.deepEqual(parseTelephoneEvent(serializeTelephoneEvent(e)), e);
  assert.equal(parseTelephoneEvent(Buffer.from([1, 2])), undefined);
});

test('a digit plan: marker on the first packet, growing duration, three end packets', () => {
  const plan = planDigitPackets('5', 100).map((p) => ({ marker: p.marker, ...parseTelephoneEvent(p.payload)! }));
  assert.equal(plan.length, 8);
  assert.equal(plan[0]!.marker, true);
  assert.deepEqual(
    plan.slice(0, 5).map((p) => p.duration),
    [160, 320, 480, 640, 800],
  );
  assert.deepEqual(
    plan.slice(5).map((p) => [p.end, p.duration, p.event]),
    [
      [true, 800, 5],
      [true, 800, 5],
      [true, 800, 5],
    ],
  );
  assert.throws(() => planDigitPackets('x'), /not a DTMF digit/);
});

test('each key press counts once despite redundant end packets', () => {
  const { digits, dedup } = collect();
  feed(dedup, '1', 1000);
  feed(dedup, '2', 3000);
  feed(dedup, '#', 5000);
  assert.deepEqual(digits, ['1', '2', '#']);
});

test('the same digit pressed twice is two events (different timestamps)', () => {
  const { digits, dedup } = collect();
  feed(dedup, '7', 1000);
  feed(dedup, '7', 3000);
  assert.deepEqual(digits, ['7', '7']);
});

test('a late duplicate end packet after the next digit started is not counted again', () => {
  const { digits, dedup } = collect();
  feed(dedup, '4', 1000);
  feed(dedup, '5', 3000, (i) => i >= 1); // only the first packet of 5 so far
  dedup.receive(1234, 1000, { event: 4, end: true, volume: 10, duration: 800 });
  feed(dedup, '5', 3000, (i) => i < 1);
  assert.deepEqual(digits, ['4', '5']);
});

test('a press whose end packets were all lost still counts once (on the next event or flush)', () => {
  const { digits, dedup } = collect();
  feed(dedup, '8', 1000, (i) => i >= 5);
  assert.deepEqual(digits, []);
  feed(dedup, '9', 3000, (i) => i >= 5);
  assert.deepEqual(digits, ['8']);
  dedup.flush();
  assert.deepEqual(digits, ['8', '9']);
});
