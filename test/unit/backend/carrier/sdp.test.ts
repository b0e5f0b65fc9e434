import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalSdp } from '../../../../backend/carrier/local-sdp.js';
import {
  buildSdp,
  intersectDirection,
  negotiateAnswer,
  OFFERED_CODECS,
  parseSdp,
  reverseDirection,
} from '../../../../backend/carrier/sdp.js';

const offer = (lines: string[]) => parseSdp(['v=0', 'o=- 1 2 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', ...lines].join('\r\n'));

test('parses the audio stream of an rtpengine-style offer', () => {
  const sdp = offer(['m=audio 30000 RTP/AVP 8 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=sendonly', 'm=video 0 RTP/AVP 96']);
  assert.ok(sdp?.audio);
  assert.equal(sdp.version, 2);
  assert.deepEqual(sdp.audio.formats, [8, 0, 101]);
  assert.equal(sdp.audio.encodings.get(101), 'TELEPHONE-EVENT/8000');
  assert.equal(sdp.audio.direction, 'sendonly');
  assert.equal(sdp.audio.address, '10.0.0.1');
  assert.equal(sdp.audio.port, 30000);
});

test('media-level c= wins over session-level; session-level direction is inherited', () => {
  const sdp = parseSdp(
    'v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=0 0\r\na=inactive\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 2.2.2.2\r\n',
  );
  assert.equal(sdp?.audio?.address, '2.2.2.2');
  assert.equal(sdp?.audio?.direction, 'inactive');
});

test("answer picks the offerer's first supported codec and its telephone-event PT", () => {
  const r = negotiateAnswer(offer(['m=audio 5000 RTP/AVP 9 8 0 96', 'a=rtpmap:96 telephone-event/8000'])!);
  assert.ok(r.ok);
  assert.equal(r.media.codec, 'PCMA');
  assert.equal(r.media.payloadType, 8);
  assert.equal(r.media.telephoneEventPayloadType, 96);
  assert.equal(r.media.localDirection, 'sendrecv');
});

test('a dynamic payload type mapped to PCMU is accepted', () => {
  const r = negotiateAnswer(offer(['m=audio 5000 RTP/AVP 111 98', 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:98 pcmu/8000'])!);
  assert.ok(r.ok);
  assert.equal(r.media.codec, 'PCMU');
  assert.equal(r.media.payloadType, 98);
  assert.equal(r.media.telephoneEventPayloadType, undefined);
});

test('a Chrome-style offer via rtpengine: PCMU chosen, the 8 kHz telephone-event (not the 48 kHz one)', () => {
  const r = negotiateAnswer(
    offer([
      'm=audio 30002 RTP/AVP 111 63 9 0 8 13 110 126',
      'a=rtpmap:111 opus/48000/2',
      'a=rtpmap:63 red/48000/2',
      'a=rtpmap:9 G722/8000',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:13 CN/8000',
      'a=rtpmap:110 telephone-event/48000',
      'a=rtpmap:126 telephone-event/8000',
    ])!,
  );
  assert.ok(r.ok);
  assert.equal(r.media.codec, 'PCMU');
  assert.equal(r.media.telephoneEventPayloadType, 126);
});

test('PCMU at a rate other than 8000 is not G.711', () => {
  assert.equal(negotiateAnswer(offer(['m=audio 5000 RTP/AVP 96', 'a=rtpmap:96 PCMU/16000'])!).ok, false);
});

test('no common codec, or a rejected stream, gives 488', () => {
  const none = negotiateAnswer(offer(['m=audio 5000 RTP/AVP 111', 'a=rtpmap:111 opus/48000/2'])!);
  assert.equal(none.ok, false);
  assert.equal(!none.ok && none.status, 488);
  assert.equal(negotiateAnswer(offer(['m=audio 0 RTP/AVP 0'])!).ok, false);
  assert.equal(negotiateAnswer(offer(['m=video 5000 RTP/AVP 31'])!).ok, false);
});

test('hold directions: offer sendonly → we answer recvonly, inactive → inactive', () => {
  const dir = (d: string) => {
    const r = negotiateAnswer(offer(['m=audio 5000 RTP/AVP 0', `a=${d}`])!);
    assert.ok(r.ok);
    return r.media.localDirection;
  };
  assert.equal(dir('sendonly'), 'recvonly');
  assert.equal(dir('inactive'), 'inactive');
  assert.equal(dir('recvonly'), 'sendonly');
  assert.equal(dir('sendrecv'), 'sendrecv');
  assert.equal(reverseDirection('sendonly'), 'recvonly');
  assert.equal(intersectDirection('sendonly', 'sendrecv'), 'sendonly');
  assert.equal(intersectDirection('sendonly', 'recvonly'), 'inactive'); // we hold while they hold us
});

test('buildSdp output parses back to what was described', () => {
  const text = buildSdp({
    sessionId: '42',
    version: 3,
    address: '127.0.0.1',
    port: 31400,
    direction: 'recvonly',
    codecs: [...OFFERED_CODECS],
    telephoneEventPayloadType: 101,
  });
  assert.match(text, /\r\n$/);
  const sdp = parseSdp(text);
  assert.deepEqual(sdp?.audio?.formats, [0, 8, 101]);
  assert.equal(sdp?.audio?.direction, 'recvonly');
  assert.equal(sdp?.version, 3);
  assert.equal(sdp?.audio?.encodings.get(101), 'TELEPHONE-EVENT/8000');
});

test('garbage is not SDP', () => {
  assert.equal(parseSdp('hello world'), undefined);
  assert.equal(parseSdp(''), undefined);
});

test('our o= version goes up only when what we describe changes', () => {
  const sdp = new LocalSdp();
  const d = {
    address: '127.0.0.1',
    port: 4000,
    direction: 'sendrecv' as const,
    codecs: [...OFFERED_CODECS],
    telephoneEventPayloadType: 101,
  };
  const version = (b: Buffer) => parseSdp(b.toString())!.version;
  assert.equal(version(sdp.describe(d)), 1);
  assert.equal(version(sdp.describe(d)), 1, 'unchanged re-answer keeps the version');
  assert.equal(version(sdp.describe({ ...d, direction: 'recvonly' })), 2);
  assert.equal(version(sdp.describe(d)), 3, 'going back is still a change');
});
