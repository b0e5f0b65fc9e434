import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeG711, encodeG711, linearToAlaw, linearToMulaw } from '../../../../backend/carrier/media/g711.js';
import { ToneGenerator, TONE_RMS_DBFS } from '../../../../backend/carrier/media/tone.js';
import { rmsDbfs } from '../../../../backend/carrier/media/goertzel.js';

for (const law of ['PCMU', 'PCMA'] as const) {
  test(`${law}: every code decodes and re-encodes to itself`, () => {
    const codes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const pcm = decodeG711(law, codes);
    const again = encodeG711(law, pcm);
    for (let i = 0; i < 256; i++) {
      // µ-law has two zeros (0x7F and 0xFF); both decode to 0, which encodes as 0xFF.
      if (law === 'PCMU' && i === 0x7f) continue;
      assert.equal(again[i], i, `code 0x${i.toString(16)} (pcm ${pcm[i]})`);
    }
  });

  test(`${law}: round trip error stays within the quantisation step (≤ 1/16 of the sample + small floor)`, () => {
    for (let s = -32768; s <= 32767; s += 7) {
      const back = decodeG711(law, encodeG711(law, Int16Array.of(s)))[0]!;
      assert.ok(Math.abs(back - s) <= Math.abs(s) / 16 + 132, `${s} → ${back}`);
    }
  });

  test(`${law}: a tone keeps its level through encode/decode`, () => {
    const tone = new ToneGenerator().next(8000);
    const decoded = decodeG711(law, encodeG711(law, tone));
    assert.ok(Math.abs(rmsDbfs(decoded) - TONE_RMS_DBFS) < 0.2, `${rmsDbfs(decoded)} vs ${TONE_RMS_DBFS}`);
  });
}

test('known reference codes (ITU-T G.711 tables)', () => {
  assert.equal(linearToMulaw(0), 0xff);
  assert.equal(linearToMulaw(-1), 0x7f);
  assert.equal(linearToMulaw(32767), 0x80);
  assert.equal(linearToMulaw(-32768), 0x00);
  assert.equal(linearToAlaw(0), 0xd5);
  assert.equal(linearToAlaw(32767), 0xaa);
  assert.equal(linearToAlaw(-32768), 0x2a);
});
