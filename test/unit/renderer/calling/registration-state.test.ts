import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRegistration, type RegistrationEvent } from '../../../../renderer/calling/registration-state.js';
import type { RegistrationState } from '../../../../renderer/calling/phone-api.js';

const unregistered: RegistrationState = { kind: 'unregistered' };
const connecting: RegistrationState = { kind: 'connecting' };
const registered: RegistrationState = { kind: 'registered', since: 1 };
const failed: RegistrationState = { kind: 'failed', reason: 'unreachable', message: 'down', retryInMs: 750 };

const accepted: RegistrationEvent = { type: 'accepted', since: 2 };
const lost: RegistrationEvent = { type: 'fail', reason: 'network-lost', message: 'lost', retryInMs: 750 };

const after = (state: RegistrationState, event: RegistrationEvent) => {
  const result = nextRegistration(state, event);
  return result.ok ? result.state : result.error;
};

test('the drawn path: connect, accepted, lost, retry, accepted', () => {
  assert.deepEqual(after(unregistered, { type: 'connect' }), connecting);
  assert.deepEqual(after(connecting, accepted), { kind: 'registered', since: 2 });
  assert.deepEqual(after(registered, lost), { kind: 'failed', reason: 'network-lost', message: 'lost', retryInMs: 750 });
  assert.deepEqual(after(failed, { type: 'connect' }), connecting);
  assert.deepEqual(after(registered, { type: 'connect' }), connecting, 'resume re-registers a registered line');
  assert.deepEqual(after(registered, accepted), { kind: 'registered', since: 2 }, 'registered again after a lapse');
});

test('refuse: a configuration that can never work fails at once and is never retried', () => {
  assert.deepEqual(after(unregistered, { type: 'refuse', reason: 'insecure-transport', message: 'ws://' }), {
    kind: 'failed',
    reason: 'insecure-transport',
    message: 'ws://',
    retryInMs: null,
  });
});

test('stop ends every state', () => {
  for (const state of [unregistered, connecting, registered, failed]) assert.deepEqual(after(state, { type: 'stop' }), unregistered);
});

test('what is not drawn is refused with the event and the state named', () => {
  assert.equal(after(unregistered, accepted), 'illegal registration transition: accepted while unregistered');
  assert.equal(after(failed, accepted), 'illegal registration transition: accepted while failed', 'a late 200 after we gave up');
  assert.equal(after(unregistered, lost), 'illegal registration transition: fail while unregistered', 'a callback after stop');
  assert.equal(
    after(connecting, { type: 'refuse', reason: 'insecure-transport', message: 'x' }),
    'illegal registration transition: refuse while connecting',
  );
});
