import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SettingsSchema } from '../../../../common/contract/index.js';
import { DEFAULT_MEDIA_TIMEOUT_SECONDS } from '../../../../common/provisioning-api.js';
import { NO_AUDIO_ENDED_MESSAGE } from '../../../../renderer/calling/hangup-reason.js';
import type { CallSnapshot, CallStats } from '../../../../renderer/calling/phone-api.js';
import { SipPhone } from '../../../../renderer/calling/sip-phone.js';
import { agentSession } from './fakes/agent-session.js';
import { settle, until } from './fakes/event-loop.js';
import { ManualTimers } from './fakes/manual-timers.js';
import {
  BROWSER_AUDIO_SDP,
  PeerConnectionFake,
  sessionDescriptionHandlerFakeFactory,
  StreamFake,
  TrackFake,
  type SessionDescriptionHandlerFake,
} from './fakes/session-description-handler-fake.js';
import { ackTo, header, incomingInvite, inDialogRequest, methodOf, registered, responseTo, startLine } from './fakes/sip-messages.js';
import { FakeSipServer } from './fakes/transport-fake.js';

/**
 * The phone's calls over SIP.js's real Inviter/Session with the transport fake (a scripted far
 * end) and the session-description-handler fake (no WebRTC): hold and transfer failure paths,
 * microphone swap, and the core's own timers (ring timeout, transfer hang-up, ended-call linger).
 */
const FAR_END_CONTACT = 'Contact: <sip:bob@far-end.invalid;transport=ws>';
const sdpAnswer = { contentType: 'application/sdp', content: BROWSER_AUDIO_SDP };

/** How the far end answers what the phone sends mid-call; tests change it. */
interface FarEnd {
  answerInvite: boolean;
  reInvite: string;
  /** While set, re-INVITEs are kept here unanswered (in flight) until the test answers them. */
  unanswered: string[] | null;
  refer: string;
}

async function phoneOverFakes(t: TestContext) {
  const server = new FakeSipServer();
  const timers = new ManualTimers();
  const handlers: SessionDescriptionHandlerFake[] = [];
  const microphoneRequests: MediaStreamConstraints[] = [];
  /** `unplugged`: microphones the browser no longer lists (an exact request for one is refused). */
  const microphone = { denied: false, unplugged: new Set<string>() };
  const speakers: string[] = [];
  const ringer: string[] = [];
  const farEnd: FarEnd = { answerInvite: true, reInvite: '200 OK', unanswered: null, refer: '202 Accepted' };
  let ringingInvite = '';
  server.script = (message, reply) => {
    const method = methodOf(message);
    const inDialog = /;tag=/.test(header(message, 'To'));
    if (method === 'REGISTER') reply(registered(message));
    else if (method === 'INVITE' && !inDialog) {
      reply(responseTo(message, '180 Ringing', { headers: [FAR_END_CONTACT] }));
      if (farEnd.answerInvite) reply(responseTo(message, '200 OK', { headers: [FAR_END_CONTACT], body: sdpAnswer }));
      else ringingInvite = message;
    } else if (method === 'INVITE' && farEnd.unanswered) farEnd.unanswered.push(message);
    else if (method === 'INVITE') {
      reply(responseTo(message, farEnd.reInvite, farEnd.reInvite.startsWith('2') ? { headers: [FAR_END_CONTACT], body: sdpAnswer } : {}));
    } else if (method === 'CANCEL') {
      reply(responseTo(message, '200 OK'));
      reply(responseTo(ringingInvite, '487 Request Terminated'));
    } else if (method === 'REFER') reply(responseTo(message, farEnd.refer, { headers: [FAR_END_CONTACT] }));
    else if (method === 'BYE') reply(responseTo(message, '200 OK'));
  };
  const phone = new SipPhone({
    timers,
    random: () => 0.5,
    ringTimeoutMs: 30_000,
    probe: async () => ({ result: 'no-answer' }),
    transportConstructor: server.transportConstructor,
    mediaHandlerFactory: sessionDescriptionHandlerFakeFactory(handlers),
    getUserMedia: async (constraints) => {
      microphoneRequests.push(constraints);
      if (microphone.denied) throw Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
      const { deviceId } = constraints.audio as { deviceId?: { exact: string } };
      const id = deviceId?.exact ?? 'default';
      if (microphone.unplugged.has(id)) throw Object.assign(new Error('Requested device not found'), { name: 'OverconstrainedError' });
      return new StreamFake([new TrackFake(`microphone ${id}`, id)]) as unknown as MediaStream;
    },
    remoteAudio: (_stream, speakerId) => {
      speakers.push(speakerId);
      return { setDevice: async (id) => void speakers.push(id), stop: () => undefined };
    },
    ringer: { start: () => void ringer.push('start'), setDevice: () => undefined, stop: () => void ringer.push('stop') },
  });
  t.after(() => phone.stop());
  await phone.start(agentSession('wss://sip.clearline.test/ws'));
  assert.equal(phone.snapshot().registration.kind, 'registered');
  ringer.splice(0); // start() silences the ringer first; tests look at what calls do to it
  const callState = (id: string): CallSnapshot | undefined => phone.snapshot().calls.find((c) => c.id === id);
  return { server, timers, handlers, microphoneRequests, microphone, speakers, ringer, farEnd, phone, callState };
}

/** A phone with one outbound call to bob, answered and with media up. */
async function phoneInCall(t: TestContext) {
  const fixture = await phoneOverFakes(t);
  const seen: string[] = [];
  fixture.phone.subscribe((s) => {
    const state = s.calls[0]?.state;
    if (state && seen.at(-1) !== state) seen.push(state);
  });
  const id = await fixture.phone.call('bob');
  await until(() => fixture.callState(id)?.state === 'active', 'the call is active');
  return { ...fixture, id, seen, media: fixture.handlers[0]! };
}

test('outbound call: the INVITE offers only our codecs, opus first; 180 rings, 200 connects, ICE up makes it active', async (t) => {
  const { server, id, seen, speakers, callState } = await phoneInCall(t);
  const [invite] = server.requests('INVITE');
  assert.match(invite!, /^m=audio 9 UDP\/TLS\/RTP\/SAVPF 111 0 8 126$/m);
  assert.doesNotMatch(invite!, /G722|CN\/8000/);
  assert.deepEqual(seen, ['dialing', 'ringing', 'connecting', 'active']);
  assert.deepEqual(speakers, ['default'], 'the far end plays on the chosen speaker');
  assert.equal(callState(id)?.peer, 'bob');
});

test('hold refused by the far end: the command fails with its status, the call stays active and unheld, media untouched', async (t) => {
  const { phone, id, farEnd, media, callState, server } = await phoneInCall(t);
  farEnd.reInvite = '488 Not Acceptable Here';
  await assert.rejects(phone.setHeld(id, true), {
    name: 'PhoneError',
    code: 'invalid-state',
    message: 'Hold was refused by the far end (488 Not Acceptable Here).',
  });
  assert.equal(server.requests('INVITE').length, 2, 'the hold re-INVITE went out');
  assert.equal(callState(id)?.held, false);
  assert.equal(callState(id)?.state, 'active');
  assert.equal(media.sendersEnabled, null, 'tracks were not touched');

  farEnd.reInvite = '200 OK';
  await phone.setHeld(id, true);
  assert.equal(callState(id)?.held, true);
  assert.deepEqual([media.sendersEnabled, media.receiversEnabled], [false, false], 'held: silent both ways');
  assert.equal((media.describedWith.at(-1) as { hold?: boolean }).hold, true, 'the accepted offer was a hold offer');
});

test('hold whose offer cannot be built: "Hold failed", nothing sent, the call unchanged', async (t) => {
  const { phone, id, media, callState, server } = await phoneInCall(t);
  media.failNextDescription = new Error('the microphone went away');
  await assert.rejects(phone.setHeld(id, true), { code: 'invalid-state', message: /^Hold failed: .*the microphone went away/ });
  assert.equal(server.requests('INVITE').length, 1);
  assert.equal(callState(id)?.held, false);
  assert.equal(callState(id)?.state, 'active');
});

test('transfer refused: the command says why, the call stays connected, and a later hang-up by the far end is not a transfer', async (t) => {
  const { phone, id, farEnd, callState, server, timers } = await phoneInCall(t);
  farEnd.refer = '403 Forbidden';
  await assert.rejects(phone.transfer(id, 'carol'), { code: 'invalid-state', message: 'Transfer refused (403 Forbidden).' });
  assert.match(server.requests('REFER')[0]!, /^Refer-To: <?sip:carol@clearline\.test/m);
  assert.equal(callState(id)?.state, 'active');

  server.push(inDialogRequest(server.requests('INVITE')[0]!, 'BYE', 1));
  await until(() => server.received.some((m) => header(m, 'CSeq') === '1 BYE' && methodOf(m) === null), 'the phone answered the BYE');
  // The call ends on the core's clock, a tick after SIP.js reports the session over.
  await timers.advance(0);
  assert.equal(callState(id)?.endReason, 'remote-hangup');
});

test('transfer to a target that is no SIP address: refused before any REFER', async (t) => {
  const { phone, id, server, callState } = await phoneInCall(t);
  await assert.rejects(phone.transfer(id, 'not a number!'), { name: 'PhoneError', code: 'invalid-target' });
  assert.equal(server.requests('REFER').length, 0);
  assert.equal(callState(id)?.state, 'active');
});

test('transfer accepted but the far end stays: we hang up 5 s later; the ended call lingers 4 s in the list', async (t) => {
  const { phone, id, timers, callState, server } = await phoneInCall(t);
  await phone.transfer(id, 'carol');
  await timers.advance(4999);
  assert.equal(server.requests('BYE').length, 0, 'the far end gets 5 s to move on');
  await timers.advance(1);
  await until(() => callState(id)?.state === 'ended', 'our BYE ended the call');
  assert.equal(server.requests('BYE').length, 1);
  assert.equal(callState(id)?.endReason, 'transferred');
  assert.equal(callState(id)?.message, 'Transferred to carol');
  await timers.advance(3999);
  assert.ok(callState(id), 'still shown');
  await timers.advance(1);
  assert.equal(callState(id), undefined, 'gone after the linger');
});

test('microphone swap mid-call: the new device’s track replaces the old one on the sender, a muted call stays silent, no re-INVITE', async (t) => {
  const { phone, id, media, microphoneRequests, server } = await phoneInCall(t);
  const old = media.peerConnection.sender.track!;
  phone.setMuted(id, true);
  await phone.setDevices({ ...SettingsSchema.parse({}), microphoneId: 'usb-headset' });

  assert.deepEqual((microphoneRequests.at(-1)?.audio as { deviceId?: unknown }).deviceId, { exact: 'usb-headset' });
  const now = media.peerConnection.sender.track!;
  assert.equal(now.label, 'microphone usb-headset');
  assert.equal(now.enabled, false, 'muted before the swap, muted after it');
  assert.equal(old.stopped, true, 'the old microphone is released');
  assert.deepEqual(media.localMediaStream.getAudioTracks(), [now]);
  assert.equal(server.requests('INVITE').length, 1, 'replaceTrack needs no renegotiation');
});

test('a swap to the microphone already sending opens no second capture: an unplug’s re-route to the default after its track-ended swap', async (t) => {
  const { phone, media, microphone, microphoneRequests } = await phoneInCall(t);
  await phone.setDevices({ ...SettingsSchema.parse({}), microphoneId: 'usb-headset' });
  microphone.unplugged.add('usb-headset');
  const headset = media.peerConnection.sender.track!;
  headset.unplug();
  await until(() => media.peerConnection.sender.track !== headset, 'the track-ended swap put the default on the sender');
  const fallback = media.peerConnection.sender.track!;
  const requests = microphoneRequests.length;
  await phone.setDevices({ ...SettingsSchema.parse({}), microphoneId: 'default' }); // the device list re-routes
  assert.equal(microphoneRequests.length, requests, 'the default already sends: not opened again');
  assert.equal(media.peerConnection.sender.track, fallback);
  assert.equal(fallback.stopped, false);
});

test('microphone swap with access denied: an actionable error, and the call keeps sending from the old microphone', async (t) => {
  const { phone, media, microphone } = await phoneInCall(t);
  const old = media.peerConnection.sender.track!;
  microphone.denied = true;
  await assert.rejects(phone.setDevices({ ...SettingsSchema.parse({}), microphoneId: 'usb-headset' }), {
    code: 'media',
    message: 'Microphone access was denied. Allow the microphone and try again.',
  });
  assert.equal(media.peerConnection.sender.track, old);
  assert.equal(old.stopped, false);
});

test('headset microphone unplugged mid-call: its track ends, the system default’s track replaces it on the sender (no re-INVITE), the call says it fell back', async (t) => {
  const { phone, id, media, microphone, microphoneRequests, server, callState } = await phoneInCall(t);
  await phone.setDevices({ ...SettingsSchema.parse({}), microphoneId: 'usb-headset' });
  const headset = media.peerConnection.sender.track!;
  assert.equal(headset.label, 'microphone usb-headset');
  assert.equal(callState(id)?.microphoneFallback, false, 'the call sends from the microphone it asked for');

  microphone.unplugged.add('usb-headset');
  headset.unplug();
  await until(() => media.peerConnection.sender.track !== headset, 'the sender got a new track');

  const requested = microphoneRequests.slice(-2).map((c) => (c.audio as { deviceId?: unknown }).deviceId);
  assert.deepEqual(requested, [{ exact: 'usb-headset' }, undefined], 'asked for the headset again, then for the system default');
  assert.equal(media.peerConnection.sender.track!.label, 'microphone default');
  assert.deepEqual(media.localMediaStream.getAudioTracks(), [media.peerConnection.sender.track]);
  assert.equal(callState(id)?.microphoneFallback, true, 'the snapshot says the call uses the fallback');
  assert.equal(callState(id)?.state, 'active', 'the call goes on');
  assert.equal(server.requests('INVITE').length, 1, 'replaceTrack needs no renegotiation');

  // Plugged back in: the phone asks for it again (the controller re-applies the saved device).
  microphone.unplugged.delete('usb-headset');
  await phone.setDevices({ ...SettingsSchema.parse({}), microphoneId: 'default' });
  await phone.setDevices({ ...SettingsSchema.parse({}), microphoneId: 'usb-headset' });
  assert.equal(media.peerConnection.sender.track!.label, 'microphone usb-headset');
  assert.equal(callState(id)?.microphoneFallback, false);
});

test('a replaced track that ends later changes nothing: only the track being sent is watched', async (t) => {
  const { phone, media, microphoneRequests } = await phoneInCall(t);
  await phone.setDevices({ ...SettingsSchema.parse({}), microphoneId: 'usb-headset' });
  const headset = media.peerConnection.sender.track!;
  await phone.setDevices({ ...SettingsSchema.parse({}), microphoneId: 'desk-mic' });
  const before = microphoneRequests.length;
  headset.unplug();
  await settle();
  assert.equal(microphoneRequests.length, before, 'no swap for a track no longer sent');
  assert.equal(media.peerConnection.sender.track!.label, 'microphone desk-mic');
});

test('speaker change mid-call: the far end’s audio moves, the microphone is not reopened', async (t) => {
  const { phone, speakers, microphoneRequests } = await phoneInCall(t);
  const before = microphoneRequests.length;
  await phone.setDevices({ ...SettingsSchema.parse({}), speakerId: 'desk-speaker' });
  assert.deepEqual(speakers, ['default', 'desk-speaker']);
  assert.equal(microphoneRequests.length, before);
});

test('ring timeout: an outbound call nobody answers is cancelled after the timeout and ends as "No answer"', async (t) => {
  const { phone, timers, farEnd, callState, server } = await phoneOverFakes(t);
  farEnd.answerInvite = false;
  const id = await phone.call('bob');
  await until(() => callState(id)?.state === 'ringing', 'ringing');
  await timers.advance(29_999);
  assert.equal(server.requests('CANCEL').length, 0);
  await timers.advance(1);
  await until(() => callState(id)?.state === 'ended', 'cancelled');
  assert.equal(server.requests('CANCEL').length, 1);
  assert.equal(callState(id)?.endReason, 'no-answer');
  assert.equal(callState(id)?.message, 'No answer — nobody picked up');
});

test('incoming call: it rings (180, ringer on), answering stops the ringer and sends 200 with our codecs; a second answer is refused', async (t) => {
  const { phone, server, ringer, callState } = await phoneOverFakes(t);
  server.push(incomingInvite('carol', 'in-1', BROWSER_AUDIO_SDP));
  await until(() => phone.snapshot().calls.length === 1, 'the call is listed');
  const [call] = phone.snapshot().calls;
  assert.deepEqual([call!.direction, call!.state, call!.peer, call!.peerDisplayName], ['inbound', 'ringing', 'carol', 'carol']);
  await until(() => server.received.some((m) => startLine(m) === 'SIP/2.0 180 Ringing'), '180 sent');
  assert.deepEqual(ringer, ['start']);

  await phone.answer(call!.id);
  assert.equal(ringer.at(-1), 'stop');
  const ok = server.received.find((m) => startLine(m) === 'SIP/2.0 200 OK' && header(m, 'CSeq') === '1 INVITE');
  assert.match(ok ?? '', /^m=audio 9 UDP\/TLS\/RTP\/SAVPF 111 0 8 126$/m);
  // The caller ACKs our 200, as a real one does: without it SIP.js holds the BYE of the phone's stop
  // until it gives up on the ACK, 64·T1 = 32 s later on the real clock (RFC 3261 §13.3.1.4, §15).
  server.push(ackTo(ok!));
  await until(() => callState(call!.id)?.state === 'active', 'the answered call is active');
  await assert.rejects(phone.answer(call!.id), { code: 'invalid-state', message: 'Only a ringing incoming call can be answered.' });
});

test('incoming call declined: 603 to the caller, ringer off, the call ends as declined', async (t) => {
  const { phone, server, ringer, timers, callState } = await phoneOverFakes(t);
  server.push(incomingInvite('carol', 'in-2', BROWSER_AUDIO_SDP));
  await until(() => phone.snapshot().calls.length === 1, 'the call is listed');
  const id = phone.snapshot().calls[0]!.id;
  await phone.decline(id);
  await until(() => server.received.some((m) => startLine(m) === 'SIP/2.0 603 Decline'), '603 sent');
  await timers.advance(0);
  assert.equal(callState(id)?.endReason, 'declined');
  assert.equal(ringer.at(-1), 'stop');
});

test('an incoming call hung up before the ACK of our 200 came: ended for the agent at once and silent both ways; the BYE goes when the ACK arrives', async (t) => {
  const { phone, server, handlers, callState } = await phoneOverFakes(t);
  server.push(incomingInvite('carol', 'in-3', BROWSER_AUDIO_SDP));
  await until(() => phone.snapshot().calls.length === 1, 'the call is listed');
  const id = phone.snapshot().calls[0]!.id;
  await phone.answer(id);
  await until(() => callState(id)?.state === 'active', 'the answered call is active');
  const ok = server.received.find((m) => startLine(m) === 'SIP/2.0 200 OK' && header(m, 'CSeq') === '1 INVITE')!;

  // No ACK came (it was lost with a dead connection): SIP.js holds the callee's BYE (RFC 3261 §15).
  await phone.hangup(id);
  assert.deepEqual([callState(id)?.state, callState(id)?.endReason], ['ended', 'local-hangup'], 'ended for the agent at once');
  assert.deepEqual([handlers[0]!.sendersEnabled, handlers[0]!.receiversEnabled], [false, false], 'silent both ways');
  assert.equal(server.requests('BYE').length, 0, 'no BYE before the ACK');

  server.push(ackTo(ok));
  await until(() => server.requests('BYE').length === 1, 'the BYE went out when the ACK arrived');
  assert.equal(header(server.requests('BYE')[0]!, 'Call-ID'), 'in-3');
});

test('network change: re-registers at once and restarts ICE on the live call, keeping it on hold; new TURN credentials reach its peer connection', async (t) => {
  const { phone, id, media, server } = await phoneInCall(t);
  await phone.setHeld(id, true);
  const registers = server.requests('REGISTER').length;
  phone.handleSystemTransition('network-changed');
  await until(() => server.requests('INVITE').length === 3, 'the ICE-restart re-INVITE went out');
  await until(() => server.requests('REGISTER').length === registers + 1, 're-registered');
  const restart = media.describedWith.at(-1) as { hold?: boolean; offerOptions?: { iceRestart?: boolean } };
  assert.deepEqual([restart.offerOptions?.iceRestart, restart.hold], [true, true]);

  phone.updateTurnCredentials({ username: '2:alice', password: 'fresh', ttl: 600, uris: ['turn:127.0.0.1:3478'] });
  assert.deepEqual(media.peerConnection.configuration.iceServers, [
    { urls: ['turn:127.0.0.1:3478'], username: '2:alice', credential: 'fresh' },
  ]);
});

test('suspend does nothing: no REGISTER, no re-INVITE', async (t) => {
  const { phone, server } = await phoneInCall(t);
  const before = server.received.length;
  phone.handleSystemTransition('suspend');
  await settle();
  assert.equal(server.received.length, before);
});

test('media down for the media timeout (ICE failing through every restart): the call ends itself, says why, and sends the BYE', async (t) => {
  const { phone, id, media, server, timers, callState } = await phoneInCall(t);
  media.peerConnection.iceConnectionState = 'failed';
  phone.handleSystemTransition('network-changed');
  await until(() => server.requests('INVITE').length >= 2, 'an ICE restart went out');
  await timers.advance(DEFAULT_MEDIA_TIMEOUT_SECONDS * 1000 - 1000);
  assert.equal(callState(id)?.state, 'active', 'a second before the timeout the call is still up');
  assert.match(callState(id)?.message ?? '', /reconnect/i, 'and the agent is told audio is being recovered');
  assert.equal(server.requests('BYE').length, 0);

  await timers.advance(1000);
  await until(() => callState(id)?.state === 'ended', 'the call ended');
  assert.equal(callState(id)?.message, NO_AUDIO_ENDED_MESSAGE);
  assert.equal(callState(id)?.endReason, 'failed');
  await until(() => server.requests('BYE').length === 1, 'a BYE went out (signalling still works here)');
});

/** The account's TURN servers as the phone configures them: UDP, TCP and TLS. */
const TURN_ALL = {
  iceServers: [
    {
      urls: ['turn:127.0.0.1:3478', 'turn:127.0.0.1:3478?transport=tcp', 'turns:127.0.0.1:5349?transport=tcp'],
      username: '1:alice',
      credential: 't',
    },
  ],
};

type Candidate = { candidateType: string; protocol: string; relayProtocol?: string };
const HOST_UDP: Candidate = { candidateType: 'host', protocol: 'udp' };

/** What getStats says of a call's audio: packet counts and the selected pair's local candidate. */
function audioStats(pc: PeerConnectionFake, received: number, sent: number, local: Candidate) {
  pc.stats = [
    { type: 'inbound-rtp', id: 'in', kind: 'audio', packetsReceived: received },
    { type: 'outbound-rtp', id: 'out', kind: 'audio', packetsSent: sent },
    { type: 'transport', id: 't', selectedCandidatePairId: 'pair' },
    { type: 'candidate-pair', id: 'pair', localCandidateId: 'local', remoteCandidateId: 'remote' },
    { type: 'local-candidate', id: 'local', ...local },
  ];
}

/**
 * Drives the call's inbound sampler (every 200 ms on the core's clock, its stall clock on Date) for
 * `ms`: packets go out all along, and come in when `inbound`.
 */
async function run(
  t: TestContext,
  timers: ManualTimers,
  pc: () => PeerConnectionFake,
  ms: number,
  inbound: boolean,
  local: Candidate = HOST_UDP,
) {
  for (let elapsed = 0; elapsed < ms; elapsed += 200) {
    const stats = new Map(pc().stats.map((s) => [s.id, s]));
    const received = (stats.get('in')?.packetsReceived as number | undefined) ?? 0;
    const sent = (stats.get('out')?.packetsSent as number | undefined) ?? 0;
    audioStats(pc(), received + (inbound ? 10 : 0), sent + 10, local);
    t.mock.timers.tick(200);
    await timers.advance(200);
  }
}

test('inbound audio stalls while media leaves over UDP (UDP blocked): a new relay-only peer connection over TURN TCP/TLS is offered in a re-INVITE (no ICE restart); hold, mute and playback follow; the old one closes once audio flows on the new one', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const { phone, id, media, server, timers, speakers, callState } = await phoneInCall(t);
  const old = media.peerConnection;
  old.configuration = TURN_ALL;
  old.audioDirection = 'sendrecv';
  phone.setMuted(id, true);
  await run(t, timers, () => media.peerConnection, 1000, true);
  assert.equal(media.swaps.length, 0, 'audio flowing: nothing to recover');

  await run(t, timers, () => media.peerConnection, 1000, false);
  await until(() => server.requests('INVITE').length === 2, 'the recovery re-INVITE went out');
  assert.equal(media.swaps.length, 1, 'a new peer connection');
  assert.deepEqual(media.swaps[0]!.configuration, {
    iceServers: [
      { urls: ['turn:127.0.0.1:3478?transport=tcp', 'turns:127.0.0.1:5349?transport=tcp'], username: '1:alice', credential: 't' },
    ],
    iceTransportPolicy: 'relay',
  });
  const offer = media.describedWith.at(-1) as { hold?: boolean; offerOptions?: { iceRestart?: boolean } };
  assert.equal(offer.offerOptions?.iceRestart, undefined, 'a fresh peer connection needs no ICE restart');
  assert.equal(offer.hold, false);
  assert.equal(media.sendersEnabled, false, 'still muted on the new peer connection');
  assert.match(callState(id)?.message ?? '', /reconnecting audio/);
  await until(() => speakers.length === 2, 'the far end’s new track plays');

  const fresh = media.peerConnection;
  assert.notEqual(fresh, old);
  assert.equal(fresh.sender.track, old.sender.track, 'the same microphone track goes out');
  // Its answer not applied yet (no negotiated direction): no evidence either way, the stall stands.
  await run(t, timers, () => fresh, 400, false, { candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' });
  assert.equal(media.swaps[0]!.fate, 'pending');
  fresh.audioDirection = 'sendrecv';
  await run(t, timers, () => fresh, 400, true, { candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' });
  assert.equal(media.swaps[0]!.fate, 'committed', 'audio flows on the new one');
  assert.equal(old.closed, true, 'the old peer connection is closed');
  assert.equal(callState(id)?.message, null, 'the notice is gone');
  assert.equal(server.requests('INVITE').length, 2, 'one re-INVITE in all');
});

test('one getStats per reading for the whole call: the UI’s stats watches and the inbound watch share its sampler, which follows a relay recovery’s new peer connection and stops with the call', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const { phone, id, media, server, timers, callState } = await phoneInCall(t);
  const old = media.peerConnection;
  old.configuration = TURN_ALL;
  old.audioDirection = 'sendrecv';
  const levels: CallStats[] = [];
  const quality: CallStats[] = [];
  phone.watchStats(id, 2, (stats) => levels.push(stats));
  const stopQuality = phone.watchStats(id, 5, (stats) => quality.push(stats));
  await run(t, timers, () => old, 1000, true);
  assert.equal(old.statsReads, 5, 'five readings in 1 s, one getStats each for all three watches');
  assert.deepEqual([levels.length, quality.length], [2, 1]);
  assert.deepEqual([quality[0]!.packetsReceived, quality[0]!.localCandidateType], [50, 'host'], 'summarised from the reading');

  await run(t, timers, () => media.peerConnection, 1000, false);
  await until(() => server.requests('INVITE').length === 2, 'the stall’s relay recovery went out');
  const fresh = media.peerConnection;
  assert.notEqual(fresh, old);
  fresh.audioDirection = 'sendrecv';
  const [oldReads, freshReads, qualityBefore] = [old.statsReads, fresh.statsReads, quality.length];
  await run(t, timers, () => fresh, 1000, true, TCP_RELAY);
  assert.deepEqual(
    [old.statsReads - oldReads, fresh.statsReads - freshReads],
    [0, 5],
    'the new peer connection is read, the old one no more',
  );
  assert.equal(quality.length, qualityBefore + 1);
  assert.equal(quality.at(-1)!.localCandidateType, 'relay');
  assert.equal(callState(id)?.message, null, 'the inbound watch saw the audio back on it');

  stopQuality();
  await run(t, timers, () => fresh, 1000, true, TCP_RELAY);
  assert.equal(quality.length, qualityBefore + 1, 'a watch stopped gets nothing more');
  await phone.hangup(id);
  await timers.advance(0);
  await until(() => callState(id)?.state === 'ended', 'the call ended');
  const reads = fresh.statsReads;
  await run(t, timers, () => fresh, 2000, true, TCP_RELAY);
  assert.equal(fresh.statsReads, reads, 'nothing read once the call ended');
  assert.throws(() => phone.watchStats(id, 5, () => undefined), { code: 'no-such-call' });
});

test('inbound audio stalls on a TURN TCP relay, or over UDP without TURN over TCP/TLS: an ICE restart as before, no new peer connection', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const { media, server, timers } = await phoneInCall(t);
  media.peerConnection.configuration = TURN_ALL;
  media.peerConnection.audioDirection = 'sendrecv';
  const tcpRelay = { candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' };
  await run(t, timers, () => media.peerConnection, 600, true, tcpRelay);
  await run(t, timers, () => media.peerConnection, 1000, false, tcpRelay);
  await until(() => server.requests('INVITE').length === 2, 'a re-INVITE went out');
  assert.equal((media.describedWith.at(-1) as { offerOptions?: { iceRestart?: boolean } }).offerOptions?.iceRestart, true);
  assert.equal(media.swaps.length, 0);

  const udpOnly = await phoneInCall(t);
  udpOnly.media.peerConnection.configuration = { iceServers: [{ urls: ['turn:127.0.0.1:3478'], username: '1:alice', credential: 't' }] };
  udpOnly.media.peerConnection.audioDirection = 'sendrecv';
  await run(t, udpOnly.timers, () => udpOnly.media.peerConnection, 600, true);
  await run(t, udpOnly.timers, () => udpOnly.media.peerConnection, 1000, false);
  await until(() => udpOnly.server.requests('INVITE').length === 2, 'a re-INVITE went out');
  assert.equal((udpOnly.media.describedWith.at(-1) as { offerOptions?: { iceRestart?: boolean } }).offerOptions?.iceRestart, true);
  assert.equal(udpOnly.media.swaps.length, 0, 'nothing to recover onto');
});

/**
 * A call on UDP with TURN configured whose far end answers re-INVITEs with `reInvite`: audio flows
 * for 600 ms, then stops for 1 s — the stall that sends the relay recovery's re-INVITE.
 */
async function relayRecoveryAnsweredWith(t: TestContext, reInvite: string) {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const call = await phoneInCall(t);
  const old = call.media.peerConnection;
  old.configuration = TURN_ALL;
  old.audioDirection = 'sendrecv';
  call.farEnd.reInvite = reInvite;
  await run(t, call.timers, () => call.media.peerConnection, 600, true);
  await run(t, call.timers, () => call.media.peerConnection, 1000, false);
  return { ...call, old };
}

test('the recovery re-INVITE refused: the old peer connection is the call’s again, the new one closed', async (t) => {
  const { media, server, old } = await relayRecoveryAnsweredWith(t, '488 Not Acceptable Here');
  await until(() => media.swaps[0]?.fate === 'aborted', 'the swap was undone');
  assert.equal(server.requests('INVITE').length, 2);
  assert.equal(media.peerConnection, old);
  assert.equal(old.closed, false);
});

/** A re-INVITE of the far end (bob) with an SDP offer, inside the dialog our `invite` set up. */
function farEndReInvite(invite: string, cseq: number): string {
  return inDialogRequest(invite, 'INVITE', cseq).replace(
    'Content-Length: 0\r\n\r\n',
    `${FAR_END_CONTACT}\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(BROWSER_AUDIO_SDP)}\r\n\r\n${BROWSER_AUDIO_SDP}`,
  );
}

/** The phone's final response to the far end's request with CSeq `cseq`, once sent. */
const responseFor = (server: FakeSipServer, cseq: string) =>
  server.received.find((m) => methodOf(m) === null && header(m, 'CSeq') === cseq && !startLine(m).startsWith('SIP/2.0 1'));

test('the far end’s re-INVITE arriving while ours is still being built (ICE gathering) gets 491, not 488; ours then goes out', async (t) => {
  const { phone, media, server } = await phoneInCall(t);
  let gathered = () => {};
  media.gate = new Promise((resolve) => (gathered = resolve));
  phone.handleSystemTransition('network-changed');
  await settle();
  assert.equal(server.requests('INVITE').length, 1, 'our ICE-restart offer is still being built');

  server.push(farEndReInvite(server.requests('INVITE')[0]!, 20));
  await until(() => responseFor(server, '20 INVITE') !== undefined, 'the far end’s re-INVITE is answered');
  assert.equal(startLine(responseFor(server, '20 INVITE')!), 'SIP/2.0 491 Request Pending');

  gathered();
  await until(() => server.requests('INVITE').length === 2, 'our re-INVITE went out');
  assert.equal((media.describedWith.at(-1) as { offerOptions?: { iceRestart?: boolean } }).offerOptions?.iceRestart, true);
});

test('our ICE-restart re-INVITE answered 491 (crossed the far end’s): sent again after RFC 3261 §14.1’s wait (we own the Call-ID: 2.1–4 s), the agent told audio is reconnecting meanwhile', async (t) => {
  const { phone, id, media, server, timers, farEnd, callState } = await phoneInCall(t);
  media.peerConnection.iceConnectionState = 'failed';
  farEnd.reInvite = '491 Request Pending';
  phone.handleSystemTransition('network-changed');
  await until(() => server.requests('ACK').length === 2, 'the restart was answered 491 (and the 491 ACKed)');
  await settle();
  farEnd.reInvite = '200 OK';

  // random() is 0.5: 2100 + 0.5 × 1900 ms.
  await timers.advance(3040);
  assert.equal(server.requests('INVITE').length, 2, 'not sent again before the wait is over');
  assert.match(callState(id)?.message ?? '', /reconnecting audio/);
  media.peerConnection.iceConnectionState = 'connected'; // what the answered retry will bring
  await timers.advance(10);
  await until(() => callState(id)?.message === null, 'the retry answered, ICE connected: the notice cleared');
  assert.equal(server.requests('INVITE').length, 3, 'sent again, once');
  assert.equal((media.describedWith.at(-1) as { offerOptions?: { iceRestart?: boolean } }).offerOptions?.iceRestart, true);
});

test('the relay recovery’s re-INVITE answered 491 and the audio still down after the wait: a fresh relay peer connection offered again (the refused one undone; rtpengine kept the refused offer’s ICE credentials)', async (t) => {
  const { media, server, timers, farEnd, old } = await relayRecoveryAnsweredWith(t, '491 Request Pending');
  await until(() => server.requests('ACK').length === 2, 'the recovery re-INVITE was answered 491 (and the 491 ACKed)');
  await settle();
  farEnd.reInvite = '200 OK';
  const first = media.peerConnection;
  assert.notEqual(first, old, 'the new peer connection stays the call’s through the wait');
  assert.equal(media.swaps.length, 1);
  await run(t, timers, () => media.peerConnection, 2000, false);
  assert.equal(server.requests('INVITE').length, 2, 'nothing sent again before the wait (3050 ms) is over');
  await run(t, timers, () => media.peerConnection, 1400, false);
  await until(() => server.requests('INVITE').length === 3, 'sent again');
  assert.deepEqual(
    media.swaps.map((s) => s.fate),
    ['aborted', 'pending'],
    'the first new peer connection undone, a second one offered',
  );
  assert.equal(first.closed, true);
  assert.equal(media.swaps[1]!.replaced, old, 'the second replaces the call’s original peer connection');
  assert.equal((media.describedWith.at(-1) as { offerOptions?: { iceRestart?: boolean } }).offerOptions?.iceRestart, undefined);
});

test('the relay recovery’s re-INVITE answered 491, then the far end’s own re-INVITE answered on the new peer connection brings audio back: no retry, the new one kept, the old one closed', async (t) => {
  const { media, server, timers, id, callState, speakers, old } = await relayRecoveryAnsweredWith(t, '491 Request Pending');
  await until(() => server.requests('ACK').length === 2, 'the recovery re-INVITE was answered 491 (and the 491 ACKed)');
  await settle();

  const invite = server.requests('INVITE')[0]!;
  server.push(farEndReInvite(invite, 20));
  await until(() => responseFor(server, '20 INVITE') !== undefined, 'the far end’s re-INVITE is answered');
  assert.equal(startLine(responseFor(server, '20 INVITE')!), 'SIP/2.0 200 OK');
  server.push(inDialogRequest(invite, 'ACK', 20));
  const fresh = media.peerConnection;
  assert.notEqual(fresh, old, 'answered on the new peer connection');
  assert.equal(speakers.length, 2, 'the far end’s audio on the new peer connection plays at once');
  fresh.audioDirection = 'sendrecv';
  const tcpRelay = { candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' };
  await run(t, timers, () => fresh, 4000, true, tcpRelay);
  assert.equal(server.requests('INVITE').length, 2, 'no retry: the audio came back meanwhile');
  assert.equal(media.swaps[0]!.fate, 'committed');
  assert.equal(old.closed, true, 'the old peer connection is closed');
  assert.equal(callState(id)?.message, null, 'the notice is gone');
  assert.equal(speakers.length, 2, 'played once');
});

test('media back before the media timeout: the call goes on past it', async (t) => {
  const { phone, id, server, timers, callState } = await phoneInCall(t);
  phone.handleSystemTransition('network-changed'); // ICE stays connected: the restart heals at once
  await until(() => server.requests('INVITE').length >= 2, 'an ICE restart went out');
  await until(() => callState(id)?.message === null, 'the notice cleared');
  await timers.advance(DEFAULT_MEDIA_TIMEOUT_SECONDS * 1000 + 1000);
  assert.equal(callState(id)?.state, 'active');
  assert.equal(server.requests('BYE').length, 0);
});

const TCP_RELAY: Candidate = { candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' };

/** A call recovered onto a relay-only peer connection (UDP stalled), audio flowing on it: the swap committed. */
async function recoveredOnRelay(t: TestContext) {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const fixture = await phoneInCall(t);
  const { media, server, timers } = fixture;
  media.peerConnection.configuration = TURN_ALL;
  media.peerConnection.audioDirection = 'sendrecv';
  await run(t, timers, () => media.peerConnection, 600, true);
  await run(t, timers, () => media.peerConnection, 1000, false);
  await until(() => server.requests('INVITE').length === 2, 'the recovery re-INVITE went out');
  const relay = media.peerConnection;
  relay.audioDirection = 'sendrecv';
  await run(t, timers, () => relay, 200, true, TCP_RELAY);
  assert.equal(media.swaps[0]!.fate, 'committed');
  return { ...fixture, relay };
}

const lastOfferRestartsIce = (media: SessionDescriptionHandlerFake) =>
  (media.describedWith.at(-1) as { offerOptions?: { iceRestart?: boolean } }).offerOptions?.iceRestart === true;

test('after a relay recovery, UDP still blocked: return attempts 5 s, 15 s and 45 s apart (every candidate type, full ICE servers, an ICE restart), then the call stays on the relay', async (t) => {
  const { media, server, timers, relay } = await recoveredOnRelay(t);
  await run(t, timers, () => relay, 4800, true, TCP_RELAY);
  assert.equal(server.requests('INVITE').length, 2, 'nothing before 5 s');
  await run(t, timers, () => relay, 200, true, TCP_RELAY);
  await until(() => server.requests('INVITE').length === 3, 'the first return attempt went out');
  assert.ok(lastOfferRestartsIce(media));
  assert.deepEqual(relay.configuration, { ...TURN_ALL, iceTransportPolicy: 'all' }, 'the account’s full ICE servers, every candidate type');
  assert.equal(media.swaps.length, 1, 'on the same peer connection');

  // The pair read 2 s after the answer is still the TCP relay: the next attempt 15 s later, then 45 s.
  const attemptsAfter = async (ms: number) => {
    await run(t, timers, () => relay, ms - 200, true, TCP_RELAY);
    const before = server.requests('INVITE').length;
    await run(t, timers, () => relay, 200, true, TCP_RELAY);
    return [before, server.requests('INVITE').length];
  };
  assert.deepEqual(await attemptsAfter(2000 + 15_000), [3, 4], 'the second attempt 15 s after the first was found on the relay');
  assert.deepEqual(await attemptsAfter(2000 + 45_000), [4, 5], 'the third 45 s after the second');
  await run(t, timers, () => relay, 120_000, true, TCP_RELAY);
  assert.equal(server.requests('INVITE').length, 5, 'three attempts in all: the call stays on the relay');
  assert.equal(server.requests('BYE').length, 0);
});

test('after a relay recovery, UDP working: the first return attempt puts the media on a UDP pair and no other follows', async (t) => {
  const { server, timers, relay, callState, id } = await recoveredOnRelay(t);
  await run(t, timers, () => relay, 5000, true, TCP_RELAY);
  await until(() => server.requests('INVITE').length === 3, 'the return attempt went out');
  await run(t, timers, () => relay, 120_000, true, HOST_UDP);
  assert.equal(server.requests('INVITE').length, 3, 'back on UDP: no further attempt');
  assert.equal(callState(id)?.message, null);
});

test('a return attempt refused by the far end: the next one follows on the back-off, the call goes on', async (t) => {
  const { server, timers, relay, farEnd, callState, id } = await recoveredOnRelay(t);
  farEnd.reInvite = '488 Not Acceptable Here';
  await run(t, timers, () => relay, 5000, true, TCP_RELAY);
  await until(() => server.requests('INVITE').length === 3, 'the return attempt went out, refused');
  farEnd.reInvite = '200 OK';
  await run(t, timers, () => relay, 14_800, true, TCP_RELAY);
  assert.equal(server.requests('INVITE').length, 3);
  await run(t, timers, () => relay, 200, true, TCP_RELAY);
  await until(() => server.requests('INVITE').length === 4, 'the second attempt 15 s later');
  assert.equal(callState(id)?.state, 'active');
});

test('the media back on UDP by itself between attempts (ICE found a UDP pair valid again): no further ICE restart', async (t) => {
  const { server, timers, relay } = await recoveredOnRelay(t);
  await run(t, timers, () => relay, 5000, true, TCP_RELAY);
  await until(() => server.requests('INVITE').length === 3, 'the first attempt went out');
  await run(t, timers, () => relay, 2000, true, TCP_RELAY); // read after it settled: still on the relay
  await run(t, timers, () => relay, 120_000, true, HOST_UDP);
  assert.equal(server.requests('INVITE').length, 3, 'the second attempt found the media on UDP and made none');
});

test('Hold pressed while a return attempt’s re-INVITE is in flight: it waits for the attempt’s answer, then holds — no "Hold failed"', async (t) => {
  const { phone, id, media, server, timers, relay, farEnd, callState } = await recoveredOnRelay(t);
  farEnd.unanswered = [];
  await run(t, timers, () => relay, 5000, true, TCP_RELAY);
  await until(() => farEnd.unanswered?.length === 1, 'the return attempt is out, not answered yet');
  const attempt = farEnd.unanswered[0]!;
  assert.ok(lastOfferRestartsIce(media));

  const hold = phone.setHeld(id, true);
  await settle();
  assert.equal(server.requests('INVITE').length, 3, 'no hold offer while the attempt is in flight');
  farEnd.unanswered = null;
  server.push(responseTo(attempt, '200 OK', { headers: [FAR_END_CONTACT], body: sdpAnswer }));
  await hold;
  assert.equal(server.requests('INVITE').length, 4, 'the hold re-INVITE went out after the attempt’s answer');
  assert.equal((media.describedWith.at(-1) as { hold?: boolean }).hold, true, 'a hold offer');
  assert.equal(callState(id)?.held, true);
  assert.deepEqual([media.sendersEnabled, media.receiversEnabled], [false, false], 'held: silent both ways');
  assert.equal(callState(id)?.state, 'active');
});

test('a return attempt falling due while the hold’s re-INVITE is in flight: sent once the hold is answered, keeping the call held', async (t) => {
  const { phone, id, media, server, timers, relay, farEnd, callState } = await recoveredOnRelay(t);
  await run(t, timers, () => relay, 4600, true, TCP_RELAY);
  farEnd.unanswered = [];
  const hold = phone.setHeld(id, true);
  await until(() => farEnd.unanswered?.length === 1, 'the hold re-INVITE is out, not answered yet');
  const holdInvite = farEnd.unanswered[0]!;
  await run(t, timers, () => relay, 1000, true, TCP_RELAY);
  assert.equal(server.requests('INVITE').length, 3, 'the attempt, due at 5 s, waits for the hold');

  farEnd.unanswered = null;
  server.push(responseTo(holdInvite, '200 OK', { headers: [FAR_END_CONTACT], body: sdpAnswer }));
  await hold;
  assert.equal(callState(id)?.held, true);
  await run(t, timers, () => relay, 200, true, TCP_RELAY); // the attempt's look at the selected pair: the sampler's next reading
  await until(() => server.requests('INVITE').length === 4, 'then the return attempt went out');
  assert.ok(lastOfferRestartsIce(media));
  assert.equal((media.describedWith.at(-1) as { hold?: boolean }).hold, true, 'the attempt keeps the call held');
});
