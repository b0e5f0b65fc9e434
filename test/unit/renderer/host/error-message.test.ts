import { test } from 'node:test';
import assert from 'node:assert/strict';
import { userMessage } from '../../../../renderer/host/error-message.js';

test('user messages drop the host error code and error class prefixes', () => {
  const hostRejection = Object.assign(new Error('[unauthorized] Wrong username or password'), { name: 'HostError' });
  assert.equal(userMessage(hostRejection), 'Wrong username or password');
  assert.equal(userMessage(new Error('[not-a-code] kept as is')), '[not-a-code] kept as is');
  assert.equal(userMessage(new Error('TypeError: x is not a function')), 'x is not a function');
  assert.equal(userMessage(new Error('Cannot reach pbx:443')), 'Cannot reach pbx:443');
  assert.equal(userMessage('plain'), 'plain');
  assert.match(userMessage(undefined), /no details/);
});
