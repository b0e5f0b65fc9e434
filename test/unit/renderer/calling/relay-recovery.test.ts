import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Web } from 'sip.js';
import {
  asDtlsClient,
  PEER_CONNECTION_HANDLERS,
  RecoverableSessionDescriptionHandler,
  relayRecoveryConfiguration,
} from '../../../../renderer/calling/relay-recovery.js';

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

/** A peer connection as far as the handler touches it: its handlers, tracks, signalling and end. */
class PeerConnectionFake implements Record<(typeof PEER_CONNECTION_HANDLERS)[number], unknown> {
  static made: PeerConnectionFake[] = [];
  signalingState: RTCSignalingState = 'stable';
  readonly tracks: unknown[] = [];
  readonly localDescriptions: RTCSessionDescriptionInit[] = [];
  closed = false;
  onconnectionstatechange: unknown = null;
  ondatachannel: unknown = null;
  onicecandidate: unknown = null;
  onicecandidateerror: unknown = null;
  oniceconnectionstatechange: unknown = null;
  onicegatheringstatechange: unknown = null;
  onnegotiationneeded: unknown = null;
  onsignalingstatechange: unknown = null;
  ontrack: unknown = null;
  constructor(readonly configuration?: RTCConfiguration) {
    PeerConnectionFake.made.push(this);
  }
  addTrack(track: unknown): void {
    this.tracks.push(track);
  }
  async setLocalDescription(description: RTCSessionDescriptionInit): Promise<void> {
    this.localDescriptions.push(description);
    if (description.type === 'rollback') this.signalingState = 'stable';
  }
  getReceivers(): [] {
    return [];
  }
  getSenders(): [] {
    return [];
  }
  close(): void {
    this.closed = true;
  }
}

class MediaStreamFake {
  private readonly tracks: unknown[] = [];
  getTracks(): unknown[] {
    return [...this.tracks];
  }
  addTrack(track: unknown): void {
    this.tracks.push(track);
  }
}

/** A handler over the fakes (Node has no WebRTC), its first peer connection, and its local stream holding one track. */
function handlerOverFakes(t: TestContext) {
  const globals = globalThis as Record<string, unknown>;
  globals.RTCPeerConnection = PeerConnectionFake;
  globals.MediaStream = MediaStreamFake;
  t.after(() => {
    delete globals.RTCPeerConnection;
    delete globals.MediaStream;
  });
  PeerConnectionFake.made = [];
  const quiet = { debug: () => undefined, log: () => undefined, warn: () => undefined, error: () => undefined };
  const handler = new RecoverableSessionDescriptionHandler(quiet as never, async () => new MediaStreamFake() as never, {
    peerConnectionConfiguration: { iceServers: [] },
  });
  const microphone = { kind: 'audio', id: 'mic' };
  (handler.localMediaStream as unknown as MediaStreamFake).addTrack(microphone);
  return { handler, first: PeerConnectionFake.made[0]!, microphone };
}

const handlersOf = (pc: PeerConnectionFake) => PEER_CONNECTION_HANDLERS.map((h) => typeof pc[h]);

test('a swap: the new peer connection (as configured) sends the microphone track and has SIP.js’s handlers, the old one none; committed, the old one is closed', (t) => {
  const { handler, first, microphone } = handlerOverFakes(t);
  assert.deepEqual(
    handlersOf(first),
    PEER_CONNECTION_HANDLERS.map(() => 'function'),
  );
  const relayOnly: RTCConfiguration = { iceServers: [{ urls: 'turns:127.0.0.1:5349' }], iceTransportPolicy: 'relay' };
  const swap = handler.replacePeerConnection(relayOnly);
  const next = PeerConnectionFake.made[1]!;
  assert.equal(handler.peerConnection, next as unknown as RTCPeerConnection);
  assert.equal(next.configuration, relayOnly);
  assert.deepEqual(next.tracks, [microphone]);
  assert.deepEqual(
    handlersOf(next),
    PEER_CONNECTION_HANDLERS.map(() => 'function'),
  );
  assert.deepEqual(
    handlersOf(first),
    PEER_CONNECTION_HANDLERS.map(() => 'object'),
    'the old one feeds nothing any more',
  );
  const stillSet = Object.entries(first).filter(([key, value]) => key.startsWith('on') && typeof value === 'function');
  assert.deepEqual(stillSet, [], 'no handler SIP.js set is missing from the list');
  assert.throws(() => handler.replacePeerConnection(relayOnly), /already pending/);
  assert.equal(first.closed, false, 'open until the new one carries audio');
  swap.commit();
  assert.deepEqual([first.closed, next.closed], [true, false]);
});

test('a swap undone: the old peer connection is the call’s again, with its handlers; the new one is closed and detached', (t) => {
  const { handler, first } = handlerOverFakes(t);
  const swap = handler.replacePeerConnection({ iceTransportPolicy: 'relay' });
  const next = PeerConnectionFake.made[1]!;
  swap.abort();
  assert.equal(handler.peerConnection, first as unknown as RTCPeerConnection);
  assert.deepEqual(
    handlersOf(first),
    PEER_CONNECTION_HANDLERS.map(() => 'function'),
  );
  assert.deepEqual(
    handlersOf(next),
    PEER_CONNECTION_HANDLERS.map(() => 'object'),
  );
  assert.deepEqual([first.closed, next.closed], [false, true]);
  swap.commit(); // too late: nothing happens
  assert.equal(first.closed, false);
});

test('the call ends during a swap: both peer connections close', (t) => {
  const { handler, first } = handlerOverFakes(t);
  handler.replacePeerConnection({ iceTransportPolicy: 'relay' });
  handler.close();
  assert.deepEqual(
    PeerConnectionFake.made.map((pc) => pc.closed),
    [true, true],
  );
  assert.equal(first.closed, true);
});

test('rollback: an unanswered offer is withdrawn (a refused re-INVITE leaves the peer connection usable); stable, nothing is done and nothing rejects', async (t) => {
  const { handler, first } = handlerOverFakes(t);
  first.signalingState = 'have-local-offer';
  await handler.rollbackDescription();
  assert.deepEqual(first.localDescriptions, [{ type: 'rollback' }]);
  assert.equal(first.signalingState, 'stable');
  await handler.rollbackDescription();
  assert.equal(first.localDescriptions.length, 1);
});

test('a swapped-in peer connection’s descriptions continue the session’s o= line (RFC 3264 §8: same id, version + 1); its offers say setup:active', async (t) => {
  const { handler, first } = handlerOverFakes(t);
  const described = [
    'v=0\r\no=- 1111 2 IN IP4 127.0.0.1\r\na=setup:actpass\r\n',
    'v=0\r\no=- 1111 3 IN IP4 127.0.0.1\r\na=setup:actpass\r\n',
    'v=0\r\no=- 2222 2 IN IP4 127.0.0.1\r\na=setup:actpass\r\n',
    'v=0\r\no=- 2222 3 IN IP4 127.0.0.1\r\na=setup:actpass\r\n',
  ];
  t.mock.method(Web.SessionDescriptionHandler.prototype, 'getDescription', async () => ({
    body: described.shift()!,
    contentType: 'application/sdp',
  }));
  first.signalingState = 'have-local-offer';
  assert.match((await handler.getDescription()).body, /^o=- 1111 2 /m);
  assert.match((await handler.getDescription()).body, /^o=- 1111 3 /m, 'the first peer connection’s own o= as it is');
  handler.replacePeerConnection({ iceTransportPolicy: 'relay' });
  const next = PeerConnectionFake.made[1]!;
  next.signalingState = 'have-local-offer';
  const recovery = (await handler.getDescription()).body;
  assert.match(recovery, /^o=- 1111 4 IN IP4 127\.0\.0\.1\r$/m);
  assert.match(recovery, /^a=setup:active\r$/m);
  assert.match((await handler.getDescription()).body, /^o=- 1111 5 /m, 'its next offer (an ICE restart) one higher again');
});
