import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextUdpReturn, UDP_RETURN_DELAYS_MS, udpReturnConfiguration } from '../../../../renderer/calling/udp-return.js';

test('the way back to UDP: attempts 5 s, 15 s and 45 s apart while the media stays off UDP, then none; done as soon as it leaves over UDP', () => {
  assert.deepEqual(UDP_RETURN_DELAYS_MS, [5000, 15_000, 45_000]);
  assert.deepEqual(nextUdpReturn(0, false), { type: 'attempt', ms: 5000 });
  assert.deepEqual(nextUdpReturn(1, false), { type: 'attempt', ms: 15_000 });
  assert.deepEqual(nextUdpReturn(2, false), { type: 'attempt', ms: 45_000 });
  assert.deepEqual(nextUdpReturn(3, false), { type: 'stay-on-relay' });
  assert.deepEqual(nextUdpReturn(1, true), { type: 'returned' });
  assert.deepEqual(nextUdpReturn(3, true), { type: 'returned' }, 'the last attempt may have worked');
});

test('a return attempt’s configuration: every candidate type, the full ICE server list, the rest as it was', () => {
  const full: RTCIceServer[] = [{ urls: ['turn:t.example:3478', 'turn:t.example:3478?transport=tcp'], username: 'u', credential: 'c' }];
  const relayOnly: RTCConfiguration = {
    iceServers: [{ urls: ['turn:t.example:3478?transport=tcp'], username: 'u', credential: 'c' }],
    iceTransportPolicy: 'relay',
    bundlePolicy: 'max-bundle',
  };
  assert.deepEqual(udpReturnConfiguration(relayOnly, full), { iceServers: full, iceTransportPolicy: 'all', bundlePolicy: 'max-bundle' });
});
