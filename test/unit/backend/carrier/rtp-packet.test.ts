import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtp, serializeRtp } from '../../../../backend/carrier/media/rtp-packet.js';
import { recordingFileName } from '../../../../backend/carrier/call-media.js';

test('RTP header round trip', () => {
  const p = { payloadType: 8, marker: true, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, payload: Buffer.from([1, 2, 3]) };
  assert.deepEqual(parseRtp(serializeRtp(p)), p);
});

test('CSRCs, header extension and padding are skipped to find the payload', () => {
  const header = Buffer.from([0xb1, 0x00, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7]); // V=2, P=1, X=1, CC=1
  const csrc = Buffer.alloc(4, 9);
  const ext = Buffer.from([0xbe, 0xde, 0, 1, 1, 2, 3, 4]); // one 32-bit word of extension
  const payload = Buffer.from([0xaa, 0xbb]);
  const padding = Buffer.from([0, 0, 3]); // last byte = padding length
  const parsed = parseRtp(Buffer.concat([header, csrc, ext, payload, padding]));
  assert.deepEqual(parsed?.payload, payload);
  assert.equal(parsed?.payloadType, 0);
});

test('garbage, RTCP and truncated packets are not RTP', () => {
  assert.equal(parseRtp(Buffer.alloc(5)), undefined);
  assert.equal(parseRtp(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), undefined, 'version 1');
  assert.equal(parseRtp(Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0])), undefined, 'RTCP SR (PT 200 → 72)');
  assert.equal(parseRtp(Buffer.from([0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), undefined, '15 CSRCs announced, none present');
  assert.equal(
    parseRtp(Buffer.from([0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0xff, 0xff])),
    undefined,
    'extension longer than the packet',
  );
  let seed = 7;
  for (let i = 0; i < 2000; i++) {
    const buf = Buffer.from(Buffer.alloc(i % 40).map(() => (seed = (seed * 1103515245 + 12345) & 0xff)));
    assert.doesNotThrow(() => parseRtp(buf));
  }
});

test('recording file names cannot leave the recordings folder', () => {
  assert.equal(recordingFileName('abc123@127.0.0.1'), 'abc123@127.0.0.1.wav');
  assert.equal(recordingFileName('../../etc/passwd'), '__.._etc_passwd.wav');
  assert.doesNotMatch(recordingFileName('a/b\\c\0d'), /[/\\\0]/);
});
