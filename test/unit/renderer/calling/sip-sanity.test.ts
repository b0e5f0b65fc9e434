import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkSipShape } from '../../../../renderer/calling/sip-sanity.js';

const request =
  'OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\nv: SIP/2.0/UDP b, SIP/2.0/TCP c\r\n\r\n';

test('well-formed requests and responses pass', () => {
  assert.deepEqual(checkSipShape(request), { ok: true });
  assert.deepEqual(checkSipShape('SIP/2.0 200 OK\r\nVia: SIP/2.0/WS x;branch=z9hG4bK2\r\n\r\n'), { ok: true });
  assert.deepEqual(checkSipShape('SIP/2.0 200\r\n\r\n'), { ok: true });
});

test('other versions, garbage first lines and foreign Via protocols are refused with a reason', () => {
  const badVersion = checkSipShape('OPTIONS sip:t@example.org SIP/7.0\r\nVia: SIP/7.0/UDP c\r\n\r\n');
  assert.equal(badVersion.ok, false);
  const badVia = checkSipShape('OPTIONS sip:t@example.org SIP/2.0\r\nVia: SIP/2.0/UDP a, SIP/7.0/UDP c\r\n\r\n');
  assert.ok(!badVia.ok && /SIP\/7\.0/.test(badVia.why));
  assert.equal(checkSipShape('\u0000\uffff not SIP').ok, false);
  assert.equal(checkSipShape('').ok, false);
  // A Via-looking line in the body is not a header.
  assert.deepEqual(checkSipShape('MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/WS x\r\n\r\nVia: SIP/9.9/UDP y'), { ok: true });
});

test('RFC 4475: badvers is dropped; the valid torture messages (wsinv, intmeth, esc01, longreq) pass', () => {
  const dir = '/work/shared/test-vectors/sip-torture-rfc4475';
  const files = readdirSync(dir);
  const read = (name: string) => readFileSync(join(dir, name)).toString('latin1');
  assert.equal(checkSipShape(read('badvers.dat')).ok, false);
  for (const valid of ['wsinv.dat', 'intmeth.dat', 'esc01.dat', 'longreq.dat', 'unreason.dat', 'noreason.dat']) {
    assert.ok(files.includes(valid));
    assert.deepEqual(checkSipShape(read(valid)), { ok: true }, valid);
  }
});
