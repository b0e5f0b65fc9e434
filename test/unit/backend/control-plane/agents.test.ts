import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestHa1 } from '../../../../backend/control-plane/agents.js';

test('digest HA1 is MD5(user:realm:password) (RFC 2617 test vector)', () => {
  assert.equal(digestHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life'), '939e7578ed9e3c518a452acee763bce9');
});
