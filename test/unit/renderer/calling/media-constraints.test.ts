import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iceServersFrom, microphoneConstraints } from '../../../../renderer/calling/media-constraints.js';

test('microphone constraints: processing switch and exact device', () => {
  assert.deepEqual(microphoneConstraints('default', true), {
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    video: false,
  });
  assert.deepEqual(microphoneConstraints('mic-2', false), {
    audio: { deviceId: { exact: 'mic-2' }, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    video: false,
  });
});

test('TURN REST credentials → ICE servers (credentials only on turn: URIs)', () => {
  const servers = iceServersFrom({ username: '1:u', password: 'p', ttl: 60, uris: ['turn:h:1?transport=udp', 'stun:h:1'] });
  assert.deepEqual(servers, [{ urls: ['turn:h:1?transport=udp'], username: '1:u', credential: 'p' }, { urls: ['stun:h:1'] }]);
});
