import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs } from '../../../../common/backoff.js';
import { RECONNECT_BACKOFF } from '../../../../renderer/calling/sip-connection.js';
import { callOutcome } from '../../../../renderer/calling/call-outcome.js';
import { dtmfRelayBody, validateDtmf } from '../../../../renderer/calling/dtmf.js';
import { gatheringIsGoodEnough } from '../../../../renderer/calling/ice-gathering.js';
import { redactSecrets } from '../../../../renderer/calling/logging.js';
import { iceServersFrom, microphoneConstraints } from '../../../../renderer/calling/media-constraints.js';
import { ringtoneWav, DEFAULT_RINGTONE } from '../../../../renderer/calling/ringtone.js';

test('reconnect backoff: 1 s doubling to 30 s, within [ceiling/2, ceiling]', () => {
  const low = () => 0;
  const high = () => 1;
  assert.deepEqual(
    [1, 2, 3, 4].map((a) => backoffDelayMs(RECONNECT_BACKOFF, a, high)),
    [1000, 2000, 4000, 8000],
  );
  assert.equal(backoffDelayMs(RECONNECT_BACKOFF, 21, high), 30_000);
  assert.equal(backoffDelayMs(RECONNECT_BACKOFF, 1, low), 500);
});

test('call outcomes: SIP status and our own action → reason + the words the UI shows', () => {
  const out = { direction: 'outbound' as const, wasAnswered: false, localAction: null };
  assert.match(callOutcome({ ...out, finalStatus: { code: 486, reason: 'Busy Here' } }).message, /^Busy/);
  assert.equal(callOutcome({ ...out, finalStatus: { code: 480, reason: 'x' } }).reason, 'no-answer');
  assert.equal(callOutcome({ ...out, finalStatus: { code: 404, reason: 'x' } }).reason, 'not-found');
  assert.match(callOutcome({ ...out, finalStatus: { code: 503, reason: 'Service Unavailable' } }).message, /503 Service Unavailable/);
  assert.match(callOutcome({ ...out, finalStatus: null, localAction: 'ring-timeout' }).message, /^No answer/);
  assert.equal(callOutcome({ ...out, finalStatus: { code: 487, reason: '' }, localAction: 'cancel' }).reason, 'cancelled');
  assert.equal(callOutcome({ ...out, wasAnswered: true, finalStatus: null, localAction: 'hangup' }).message, 'Call ended');
  assert.equal(callOutcome({ ...out, wasAnswered: true, finalStatus: null }).reason, 'remote-hangup');
  assert.equal(callOutcome({ direction: 'inbound', wasAnswered: false, finalStatus: null, localAction: null }).reason, 'missed');
  assert.equal(
    callOutcome({ ...out, wasAnswered: true, finalStatus: null, localAction: 'transfer', transferTarget: 'bob' }).message,
    'Transferred to bob',
  );
});

test('DTMF digits are validated; INFO body is dtmf-relay', () => {
  validateDtmf('0123456789*#ABCDabcd');
  assert.throws(() => validateDtmf('12x'), /0–9, \*, # or A–D/);
  assert.throws(() => validateDtmf(''), /0–9/);
  assert.equal(dtmfRelayBody('a'), 'Signal=A\r\nDuration=120\r\n');
});

test('redaction removes digest headers and known secrets from SIP.js log lines', () => {
  const line = 'REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username="alice", response="abc123"\r\nX-Pw: hunter22\r\n';
  const out = redactSecrets(line, ['hunter22']);
  assert.doesNotMatch(out, /abc123|hunter22/);
  assert.match(out, /Authorization: Digest \[redacted\]/);
  assert.ok(redactSecrets('x'.repeat(9000), []).length < 8192);
});

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

test('ringtone WAV: valid header, 6 s cadence, tone then silence', () => {
  const wav = ringtoneWav();
  const view = new DataView(wav.buffer);
  const text = (o: number) => String.fromCharCode(...wav.slice(o, o + 4));
  assert.equal(text(0), 'RIFF');
  assert.equal(text(8), 'WAVE');
  assert.equal(view.getUint32(24, true), DEFAULT_RINGTONE.sampleRate);
  const samples = view.getUint32(40, true) / 2;
  assert.equal(samples, 6 * DEFAULT_RINGTONE.sampleRate);
  const rms = (from: number, to: number) => {
    let sum = 0;
    for (let n = from; n < to; n++) sum += view.getInt16(44 + n * 2, true) ** 2;
    return Math.sqrt(sum / (to - from));
  };
  assert.ok(rms(800, 8000) > 3000, 'ringing part is loud');
  assert.equal(rms(17000, 47000), 0, 'pause is silent');
});

test('ICE gathering: a UDP relay candidate ends the wait when TURN is configured; nothing else does', () => {
  assert.equal(gatheringIsGoodEnough({ type: 'relay', protocol: 'udp' }, true), true);
  assert.equal(gatheringIsGoodEnough({ type: 'relay', protocol: 'tcp' }, true), false);
  assert.equal(gatheringIsGoodEnough({ type: 'host', protocol: 'udp' }, true), false);
  assert.equal(gatheringIsGoodEnough({ type: 'srflx', protocol: 'udp' }, true), false);
  assert.equal(gatheringIsGoodEnough({ type: 'relay', protocol: 'udp' }, false), false);
});
