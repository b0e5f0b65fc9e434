import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preferAudioCodecs } from '../../../../renderer/calling/codec-preference.js';

// Shape of a Chromium audio offer (trimmed).
const chromeOffer = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=rtcp-fb:* nack',
  '',
].join('\r\n');

test('Chromium offer: opus first, then PCMU, PCMA, telephone-event; others removed with their attributes', () => {
  const out = preferAudioCodecs(chromeOffer);
  assert.match(out, /^m=audio 9 UDP\/TLS\/RTP\/SAVPF 111 0 8 110 126$/m);
  assert.doesNotMatch(out, /G722|CN\/8000|red\/48000|a=fmtp:63/);
  assert.match(out, /a=fmtp:111 minptime=10;useinbandfec=1/);
  assert.match(out, /a=rtcp-fb:\* nack/);
  assert.ok(out.includes('\r\n') && !/[^\r]\n/.test(out), 'keeps CRLF line ends');
});

test('a G.711-only answer from a gateway keeps PCMU (static PT without rtpmap) and orders it', () => {
  const sdp = 'v=0\nm=audio 4000 RTP/AVP 8 0 101\na=rtpmap:101 telephone-event/8000\n';
  assert.match(preferAudioCodecs(sdp), /^m=audio 4000 RTP\/AVP 0 8 101$/m);
});

test('other m= sections are untouched', () => {
  const sdp = 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97\r\na=rtpmap:96 VP8/90000\r\nm=audio 9 RTP/AVP 0\r\n';
  const out = preferAudioCodecs(sdp);
  assert.match(out, /m=video 9 UDP\/TLS\/RTP\/SAVPF 96 97\r\na=rtpmap:96 VP8\/90000/);
});

test('no supported codec → error listing offered and supported codecs', () => {
  const sdp = 'v=0\nm=audio 9 RTP/AVP 9 101\na=rtpmap:9 G722/8000\na=rtpmap:101 telephone-event/8000\n';
  assert.throws(() => preferAudioCodecs(sdp), /offered: g722, telephone-event; supported: opus, pcmu, pcma/);
});
