import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asDtlsClient, relayRecoveryConfiguration } from '../../../../renderer/calling/relay-recovery.js';

test('the recovery peer connection: relay-only, with only the TURN URLs reached over TCP or TLS, credentials and the rest kept', () => {
  const current: RTCConfiguration = {
    bundlePolicy: 'balanced',
    rtcpMuxPolicy: 'require',
    iceTransportPolicy: 'all',
    iceServers: [
      { urls: 'stun:127.0.0.1:3478' },
      {
        urls: [
          'turn:127.0.0.1:3478',
          'turn:127.0.0.1:3478?transport=udp',
          'turn:127.0.0.1:3478?transport=tcp',
          'turns:127.0.0.1:5349?transport=tcp',
        ],
        username: '9:alice',
        credential: 'c',
      },
      { urls: 'TURNS:turn.example.com:443', username: '9:alice', credential: 'c' },
    ],
  };
  assert.deepEqual(relayRecoveryConfiguration(current), {
    bundlePolicy: 'balanced',
    rtcpMuxPolicy: 'require',
    iceTransportPolicy: 'relay',
    iceServers: [
      { urls: ['turn:127.0.0.1:3478?transport=tcp', 'turns:127.0.0.1:5349?transport=tcp'], username: '9:alice', credential: 'c' },
      { urls: ['TURNS:turn.example.com:443'], username: '9:alice', credential: 'c' },
    ],
  });
});

test('no TURN over TCP or TLS (UDP TURN or STUN only, or no servers): nothing to recover onto', () => {
  assert.equal(relayRecoveryConfiguration({ iceServers: [{ urls: ['turn:127.0.0.1:3478', 'stun:127.0.0.1:3478'] }] }), null);
  assert.equal(relayRecoveryConfiguration({}), null);
});

test('an offer as DTLS client: actpass becomes active on every m-line, CRLFs kept; other setup values untouched', () => {
  const offer = [
    'v=0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=setup:actpass',
    'a=mid:0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=setup:actpass',
    '',
  ].join('\r\n');
  assert.equal(asDtlsClient(offer), offer.replaceAll('a=setup:actpass', 'a=setup:active'));
  assert.equal(asDtlsClient('a=setup:passive\r\na=x-setup:actpassive\r\n'), 'a=setup:passive\r\na=x-setup:actpassive\r\n');
});
