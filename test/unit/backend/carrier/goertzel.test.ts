import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dominantFrequency, goertzelPower, hannWindow, rmsDbfs } from '../../../../backend/carrier/media/goertzel.js';
import { AudioMeter } from '../../../../backend/carrier/media/audio-meter.js';
import { SAMPLE_RATE, ToneGenerator, TONE_HZ, TONE_RMS_DBFS } from '../../../../backend/carrier/media/tone.js';

test('dominant frequency of pure tones is found to about 1 Hz, also between coarse candidates', () => {
  for (const hz of [300, 440, 1000, 1633, 2207, 3105]) {
    const found = dominantFrequency(new ToneGenerator(hz).next(2048), SAMPLE_RATE);
    assert.ok(found !== undefined && Math.abs(found - hz) <= 1, `${hz} Hz → ${found}`);
  }
});

test('the louder of two tones wins', () => {
  const a = new ToneGenerator(600, -10).next(8000);
  const b = new ToneGenerator(2000, -30).next(8000);
  const mix = a.map((v, i) => v + b[i]!);
  assert.equal(dominantFrequency(mix, SAMPLE_RATE), 600);
});

test('silence has no dominant frequency and -Infinity level', () => {
  assert.equal(dominantFrequency(new Int16Array(8000), SAMPLE_RATE), undefined);
  assert.equal(rmsDbfs(new Int16Array(100)), -Infinity);
});

test('goertzel power peaks at the tone frequency', () => {
  const tone = hannWindow(new ToneGenerator(1000).next(2000));
  assert.ok(goertzelPower(tone, 1000, SAMPLE_RATE) > 100 * goertzelPower(tone, 1200, SAMPLE_RATE));
});

test('the reference tone measures at its documented level', () => {
  assert.ok(Math.abs(rmsDbfs(new ToneGenerator().next(8000)) - TONE_RMS_DBFS) < 0.05);
  assert.ok(Math.abs(TONE_RMS_DBFS - -13.01) < 0.01);
});

test('the audio meter reports only the last second', () => {
  const meter = new AudioMeter();
  const tone = new ToneGenerator(TONE_HZ);
  for (let i = 0; i < 50; i++) meter.push(tone.next(160));
  assert.deepEqual(meter.read(), { rmsDbfs: -13, dominantHz: 1000 });
  for (let i = 0; i < 50; i++) meter.push(new Int16Array(160));
  assert.deepEqual(meter.read(), { rmsDbfs: null, dominantHz: null });
});

test("a scan of the meter's window is cheap enough to run on every API read", () => {
  const tone = new ToneGenerator(1000).next(2048);
  const start = performance.now();
  for (let i = 0; i < 5; i++) dominantFrequency(tone, SAMPLE_RATE);
  const perScan = (performance.now() - start) / 5;
  assert.ok(perScan < 20, `${perScan.toFixed(1)} ms per scan`);
});
