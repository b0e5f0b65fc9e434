import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SAMPLES, QualityMonitor } from '../../../../renderer/calling/quality-monitor.js';
import { raisedMetrics } from '../../../../renderer/calling/quality-warnings.js';
import { stats } from '../fixtures.js';

/** Readings every 500 ms (the UI's level meter cadence): the monitor samples once per second of report time. */
function feed(
  monitor: QualityMonitor,
  seconds: number,
  perSecond: { received: number; lost: number },
  start = { t: 0, received: 0, lost: 0 },
) {
  let last = null;
  let { t, received, lost } = start;
  for (let i = 0; i < seconds * 2; i++) {
    t += 500;
    received += perSecond.received / 2;
    lost += perSecond.lost / 2;
    const q = monitor.ingest(stats({ timestampMs: t, packetsReceived: received, packetsLost: lost, packetsSent: t / 20 }), false);
    if (q) last = q;
  }
  return { quality: last, at: { t, received, lost } };
}

test('readings every 500 ms give one sample per second; the first reading is only the baseline', () => {
  const monitor = new QualityMonitor();
  assert.equal(monitor.ingest(stats({ timestampMs: 0 }), false), null);
  assert.equal(monitor.ingest(stats({ timestampMs: 500 }), false), null);
  const q = monitor.ingest(stats({ timestampMs: 1000 }), false);
  assert.equal(q?.samples.length, 1);
  assert.equal(q?.samples[0]?.intervalMs, 1000);
});

test('loss raises the warning, recovery clears it; the history keeps every second', () => {
  const monitor = new QualityMonitor();
  monitor.ingest(stats({ timestampMs: 0, packetsReceived: 0, packetsLost: 0, packetsSent: 0 }), false);
  const clean = feed(monitor, 5, { received: 50, lost: 0 });
  assert.deepEqual(raisedMetrics(clean.quality!.warnings), []);
  const lossy = feed(monitor, 4, { received: 40, lost: 10 }, clean.at);
  assert.deepEqual(raisedMetrics(lossy.quality!.warnings), ['loss', 'mos'], '20 % loss: MOS 2.6 < 3.5 too');
  const healed = feed(monitor, 6, { received: 50, lost: 0 }, lossy.at);
  assert.deepEqual(raisedMetrics(healed.quality!.warnings), []);
  assert.equal(healed.quality!.samples.length, 15);
});

test(`history is bounded to ${MAX_SAMPLES} samples (one hour)`, () => {
  const monitor = new QualityMonitor();
  monitor.ingest(stats({ timestampMs: 0 }), false);
  let q = null;
  for (let s = 1; s <= MAX_SAMPLES + 10; s++) q = monitor.ingest(stats({ timestampMs: s * 1000 }), false) ?? q;
  assert.equal(q?.samples.length, MAX_SAMPLES);
  assert.equal(q?.samples.at(-1)?.atMs, (MAX_SAMPLES + 10) * 1000);
});

test('a report clock that went back starts a new baseline instead of a negative interval', () => {
  const monitor = new QualityMonitor();
  monitor.ingest(stats({ timestampMs: 5000 }), false);
  assert.equal(monitor.ingest(stats({ timestampMs: 100 }), false), null);
  assert.equal(monitor.ingest(stats({ timestampMs: 1100 }), false)?.samples[0]?.intervalMs, 1000);
});
