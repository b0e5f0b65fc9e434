import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OUTPUT_STREAM_REUSE_MS, OutputReturnGuard } from '../../../../renderer/state/output-return.js';
import { SettingsSchema, type Settings } from '../../../../common/contract/index.js';

const HEADSET = 'headset-speaker';
const on = (speakerId: string, ringerId = 'default'): Settings => ({
  ...SettingsSchema.parse({}),
  microphoneId: 'headset-mic',
  speakerId,
  ringerId,
});

test('a headset plugged back within the reuse time: the call keeps playing on the default until the headset was gone long enough, then returns', () => {
  const guard = new OutputReturnGuard();
  assert.deepEqual(guard.apply(null, on(HEADSET), 0, false), { devices: on(HEADSET), retryAt: null }, 'the first route applies as is');
  assert.deepEqual(
    guard.apply(on(HEADSET), on('default'), 1000, true),
    { devices: on('default'), retryAt: null },
    'unplugged: to the default at once',
  );

  const back = guard.apply(on('default'), on(HEADSET), 3000, true);
  assert.equal(back.devices.speakerId, 'default', 'plugged back 2 s later: not yet, its stale stream would play on the laptop');
  assert.equal(back.devices.microphoneId, 'headset-mic', 'the microphone returns at once');
  assert.equal(back.retryAt, 1000 + OUTPUT_STREAM_REUSE_MS);

  assert.deepEqual(guard.apply(on('default'), on(HEADSET), 1000 + OUTPUT_STREAM_REUSE_MS, true), { devices: on(HEADSET), retryAt: null });
});

test('a headset back after the reuse time, a device never left, and the agent’s own choice: all apply at once', () => {
  const guard = new OutputReturnGuard();
  guard.apply(on(HEADSET), on('default'), 0, true);
  assert.deepEqual(guard.apply(on('default'), on(HEADSET), OUTPUT_STREAM_REUSE_MS, true).retryAt, null, 'gone long enough');
  assert.deepEqual(guard.apply(on(HEADSET), on('desk-speaker'), 100, true).retryAt, null, 'a device never left');
  guard.apply(on('desk-speaker'), on('default'), 200, true);
  assert.deepEqual(
    guard.apply(on('default'), on('desk-speaker'), 300, false),
    { devices: on('desk-speaker'), retryAt: null },
    'chosen in Settings',
  );
});

test('the ringer is held back like the speaker, each with its own time', () => {
  const guard = new OutputReturnGuard();
  guard.apply(on(HEADSET, HEADSET), on('default', 'default'), 0, true);
  const back = guard.apply(on('default', 'default'), on(HEADSET, HEADSET), 500, true);
  assert.deepEqual([back.devices.speakerId, back.devices.ringerId], ['default', 'default']);
  assert.equal(back.retryAt, OUTPUT_STREAM_REUSE_MS);
});
