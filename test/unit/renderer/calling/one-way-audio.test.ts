import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_ONE_WAY, ONE_WAY_AFTER, ONE_WAY_EXPLANATIONS, nextOneWay } from '../../../../renderer/calling/one-way-audio.js';
import { sample } from '../fixtures.js';
import type { QualitySample } from '../../../../renderer/calling/quality-sample.js';

const run = (samples: QualitySample[], held = false, from = NO_ONE_WAY) => samples.reduce((s, x) => nextOneWay(s, x, held), from);
const times = (n: number, s: QualitySample) => Array.from({ length: n }, () => s);
const deaf = sample({ packetsReceived: 0, packetsSent: 50, lossPercent: null, mos: null });
const mute = sample({ packetsReceived: 50, packetsSent: 0 });

test(`sending but receiving nothing for ${ONE_WAY_AFTER} s is one-way audio "no inbound"; media both ways clears it`, () => {
  assert.equal(run(times(ONE_WAY_AFTER - 1, deaf)).direction, null, 'a short gap is not one-way audio');
  const state = run(times(ONE_WAY_AFTER, deaf));
  assert.equal(state.direction, 'no-inbound');
  assert.equal(run([sample()], false, state).direction, null);
});

test('the reverse: receiving but sending nothing is "no outbound"', () => {
  assert.equal(run(times(ONE_WAY_AFTER, mute)).direction, 'no-outbound');
});

test('a held call is silent on purpose: never one-way, and the count starts over', () => {
  assert.equal(run(times(10, deaf), true).direction, null);
  const almost = run(times(ONE_WAY_AFTER - 1, deaf));
  const afterHold = run([deaf], false, nextOneWay(almost, deaf, true));
  assert.equal(afterHold.direction, null);
});

test('silence both ways keeps what was found (no evidence for either direction)', () => {
  const state = run(times(ONE_WAY_AFTER, deaf));
  assert.equal(run(times(5, sample({ packetsReceived: 0, packetsSent: 0 })), false, state).direction, 'no-inbound');
});

test('each direction is named with its likely causes', () => {
  assert.match(ONE_WAY_EXPLANATIONS['no-inbound'].title, /One-way audio: you cannot hear/);
  assert.match(ONE_WAY_EXPLANATIONS['no-outbound'].title, /One-way audio: the other side cannot hear you/);
  assert.ok(ONE_WAY_EXPLANATIONS['no-inbound'].causes.some((c) => /firewall/.test(c)));
});
