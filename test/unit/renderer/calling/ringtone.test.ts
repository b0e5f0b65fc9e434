import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ringtoneWav, DEFAULT_RINGTONE } from '../../../../renderer/calling/ringtone.js';

test('ringtone WAV: valid header, 6 s cadence, tone then silence', () => {
  const wav = ringtoneWav();
  const view = new DataView(wav.buffer);
  const text = (o: number) => String.fromCharCode(...wav.slice(o, o + 4));
  assert.equal(text(0), 'RIFF');
  assert.equal(text(8), 'WAVE');
  assert.equal(view.getUint32(24, true), DEFAULT_RINGTONE.sampleRate);
  const samples = view.getUint32(40, true) / 2;
  assert.equal(samples, 6 * DEFAULT_RINGTONE.sampleRate);
  const rms = (from: number, to: number) => {
    let sum = 0;
    for (let n = from; n < to; n++) sum += view.getInt16(44 + n * 2, true) ** 2;
    return Math.sqrt(sum / (to - from));
  };
  assert.ok(rms(800, 8000) > 3000, 'ringing part is loud');
  assert.equal(rms(17000, 47000), 0, 'pause is silent');
});
