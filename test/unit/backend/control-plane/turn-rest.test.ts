import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { turnRestCredentials, turnUris } from '../../../../backend/control-plane/turn-rest.js';

test('TURN REST: username = expiry:agent, password = base64 HMAC-SHA1(secret, username)', () => {
  const c = turnRestCredentials({ secret: 'k', agent: 'alice', ttlSec: 600, nowMs: 1_700_000_000_000, uris: ['turn:h:1'] });
  assert.equal(c.username, '1700000600:alice');
  assert.equal(c.password, createHmac('sha1', 'k').update('1700000600:alice').digest('base64'));
  assert.equal(c.ttl, 600);
  assert.deepEqual(turnUris('::1', 3478, 5349), [
    'turn:[::1]:3478?transport=udp',
    'turn:[::1]:3478?transport=tcp',
    'turns:[::1]:5349?transport=tcp',
  ]);
});
