import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBasicAuth, parseBearer } from '../../../../backend/control-plane/http-policy.js';

test('credentials parsing: Basic keeps colons in the password; junk is rejected', () => {
  const b = Buffer.from('alice:pa:ss').toString('base64');
  assert.deepEqual(parseBasicAuth(`Basic ${b}`), { username: 'alice', password: 'pa:ss' });
  assert.equal(parseBasicAuth('Basic !!!'), null);
  assert.equal(parseBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`), null);
  assert.equal(parseBasicAuth(undefined), null);
  assert.equal(parseBearer('Bearer abc'), 'abc');
  assert.equal(parseBearer('Basic abc'), null);
});
