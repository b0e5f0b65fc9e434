import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '../support/agent.js';
import { approxHz, inboundPacketsReceived, measureHeardAudio, playedMedia, receivingCodec } from '../support/audio-probe.js';
import { startTestBackend, type TestBackend } from '../support/backend-fixture.js';
import { CarrierApi, isLive } from '../support/carrier-api.js';
import { carrierApiUrl } from '../../backend/endpoints.js';
import { TEST_PORT_BASES, spareTestPorts } from '../support/port-registry.js';

/**
 * Two agents in Debian Chromium against the real backend, with real audio: A's microphone is a
 * 440 Hz tone, B's 880 Hz, the carrier's tone number plays 1000 Hz. What each side hears is
 * measured (dominant frequency + level of the received track, and the UI's own meters); the
 * PSTN side is read from the carrier's API.
 */
const PORT_BASE = TEST_PORT_BASES.e2eCalls;
const A_HZ = 440;
const B_HZ = 880;
const CARRIER_TONE_HZ = 1000;

let backend: TestBackend;
let carrier: CarrierApi;
let a: Agent;
let b: Agent;
let alice: { username: string; password: string };
let bob: { username: string; password: string };
/** When set, the host's provisioning answer points the SIP WebSocket here instead (fault injection). */
let sipWsOverride: string | null = null;
/**
 * When set, provisioning authenticates with these (right) credentials whatever the user typed:
 * simulates a SIP password out of sync with the directory, so the wrong password reaches Kamailio.
 */
let provisioningAuthOverride: { username: string; password: string } | null = null;

/** The host's real provisioning fetch, with the faults above applied while they are set. */
const provisioningFetch = async (url: string, init: RequestInit): Promise<Response> => {
  if (provisioningAuthOverride) {
    const { username, password } = provisioningAuthOverride;
    const headers = new Headers(init.headers);
    headers.set('authorization', `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
    init = { ...init, headers };
  }
  const response = await fetch(url, init);
  if (!sipWsOverride || !new URL(url).pathname.endsWith('/api/client-config') || !response.ok) return response;
  const config = (await response.json()) as { sip: { wsUrl: string } };
  config.sip.wsUrl = sipWsOverride;
  return new Response(JSON.stringify(config), { status: 200, headers: { 'content-type': 'application/json' } });
};

before(
  async () => {
    backend = await startTestBackend(PORT_BASE);
    carrier = new CarrierApi(carrierApiUrl(backend.endpoints));
    [alice, bob] = backend.endpoints.agents as [typeof alice, typeof bob];
    const controlPlaneUrl = backend.endpoints.controlPlane.url;
    [a, b] = await Promise.all([
      Agent.launch({
        name: 'a',
        scratch: backend.scratch,
        controlPlaneUrl,
        toneHz: A_HZ,
        udpPorts: spareTestPorts('e2eCalls', 1500, 1599),
        fetch: provisioningFetch,
      }),
      Agent.launch({
        name: 'b',
        scratch: backend.scratch,
        controlPlaneUrl,
        toneHz: B_HZ,
        udpPorts: spareTestPorts('e2eCalls', 1600, 1699),
      }),
    ]);
  },
  { timeout: 90_000 },
);

// A failed test must not leave a call up that confuses the next one.
afterEach(async () => {
  await Promise.all([a?.phone.endAllCalls(), b?.phone.endAllCalls()]);
  for (const c of (await carrier?.calls().catch(() => [])) ?? []) if (isLive(c)) await carrier.hangup(c.id);
});

after(
  async () => {
    await Promise.all([a?.close(), b?.close()]);
    await backend?.stop();
  },
  { timeout: 30_000 },
);

test(
  'dead provisioning server, wrong password, unreachable or blocked SIP WebSocket: clear errors, no crash; then A and B register',
  { timeout: 60_000 },
  async () => {
    const cp = backend.endpoints.controlPlane.url;
    // Nothing listens on this port (inside our block, unused by the stack).
    await a.phone.signIn(`http://127.0.0.1:${PORT_BASE + 999}`, alice.username, alice.password);
    await a.page.waitForFunction(
      () =>
        /reach|connect|unavailable|refused/i.test(
          [...document.querySelectorAll('[role=status],[role=alert]')].map((e) => e.textContent).join(' '),
        ),
      null,
      { timeout: 15_000 },
    );
    const deadMessage = await a.phone.shownMessages();
    assert.match(deadMessage, /127\.0\.0\.1:40999|reach|connect/i, `dead backend message: ${deadMessage}`);

    await a.phone.signIn(cp, alice.username, `${alice.password}-wrong`);
    await a.page.waitForFunction(
      () => /password|credential/i.test([...document.querySelectorAll('[role=status],[role=alert]')].map((e) => e.textContent).join(' ')),
      null,
      { timeout: 15_000 },
    );
    const wrongPassword = await a.phone.shownMessages();
    assert.match(wrongPassword, /password|credential/i);
    console.log(`# dead provisioning server → “${deadMessage}”; wrong password → “${wrongPassword}”`);

    // Provisioning works but the SIP WebSocket has nothing behind it: the calling core says so.
    sipWsOverride = `ws://127.0.0.1:${PORT_BASE + 998}`;
    await a.phone.signIn(cp, alice.username, alice.password);
    const unreachable = await a.phone.waitRegistration(/Cannot reach the phone server/);
    assert.match(unreachable, /ws:\/\/127\.0\.0\.1:40998/);
    await a.phone.signOut();

    // Something answers HTTP there but refuses the WebSocket upgrade (as a blocking proxy would).
    sipWsOverride = cp.replace(/^http/, 'ws');
    await a.phone.signIn(cp, alice.username, alice.password);
    const blocked = await a.phone.waitRegistration(/refused the WebSocket/);
    console.log(`# SIP server unreachable → “${unreachable}”; WebSocket refused → “${blocked}”`);
    await a.phone.signOut();
    sipWsOverride = null;

    // Provisioning accepts, Kamailio's digest check does not: the core reports it, and stops retrying.
    provisioningAuthOverride = alice;
    await a.phone.signIn(cp, alice.username, `${alice.password}-stale`);
    const sipRejected = await a.phone.waitRegistration(/username or password is wrong/);
    assert.match(sipRejected, /40[13]/);
    assert.doesNotMatch(sipRejected, /Retrying/, 'a wrong password is not retried (it would lock the account)');
    console.log(`# SIP digest rejected → “${sipRejected}”`);
    await a.phone.signOut();
    provisioningAuthOverride = null;

    await a.phone.signIn(cp, alice.username, alice.password);
    await b.phone.signIn(cp, bob.username, bob.password);
    await Promise.all([a.phone.waitRegistered(), b.phone.waitRegistered()]);
    assert.deepEqual(a.pageErrors, [], 'no uncaught page errors');
  },
);

test('A calls B, B answers: each hears the other’s tone; hang-up on either side ends both', { timeout: 90_000 }, async () => {
  for (const hangingUp of [a, b]) {
    const t0 = Date.now();
    await a.phone.dial(bob.username);
    await b.phone.answer();
    await Promise.all([a.phone.waitActive(), b.phone.waitActive()]);
    const setupMs = Date.now() - t0;
    const [heardByA, heardByB] = await Promise.all([measureHeardAudio(a.page, 1500), measureHeardAudio(b.page, 1500)]);
    const [metersA, metersB] = await Promise.all([a.phone.peakMeters(1200), b.phone.peakMeters(1200)]);
    const codecs = await Promise.all([receivingCodec(a.page), receivingCodec(b.page)]);
    assert.deepEqual(
      codecs.map((c) => c?.toLowerCase()),
      ['audio/opus', 'audio/opus'],
      'browser to browser, Opus is preferred',
    );
    console.log(
      `# A↔B setup ${setupMs} ms; A hears ${JSON.stringify(heardByA)} meters ${JSON.stringify(metersA)}; B hears ${JSON.stringify(heardByB)} meters ${JSON.stringify(metersB)}`,
    );
    assert.ok(approxHz(heardByA.dominantHz, B_HZ), `A should hear B's ${B_HZ} Hz, heard ${JSON.stringify(heardByA)}`);
    assert.ok(approxHz(heardByB.dominantHz, A_HZ), `B should hear A's ${A_HZ} Hz, heard ${JSON.stringify(heardByB)}`);
    assert.ok(heardByA.rmsDbfs > -30 && heardByB.rmsDbfs > -30, 'both tones arrive at a healthy level');
    assert.ok(metersA.incoming > 0.05 && metersB.incoming > 0.05, 'the UI meters show incoming audio on both sides');
    assert.ok(metersA.outgoing > 0.05 && metersB.outgoing > 0.05, 'the UI meters show outgoing audio on both sides');

    await hangingUp.phone.hangUp();
    const other = hangingUp === a ? b : a;
    await Promise.all([a.phone.waitCallStatus(/Call ended/), b.phone.waitCallStatus(/Call ended/)]);
    await other.phone.activeCall.waitFor({ state: 'detached', timeout: 10_000 });
  }
});

test('A calls the echo number and hears its own tone; the carrier hears it too', { timeout: 40_000 }, async () => {
  await a.phone.dial(backend.endpoints.numbers.echo);
  await a.phone.waitActive();
  const heard = await measureHeardAudio(a.page, 1500);
  const far = (await carrier.calls()).find((c) => c.number === backend.endpoints.numbers.echo && isLive(c));
  assert.ok(far, 'the carrier has the echo call');
  console.log(`# echo: A hears ${JSON.stringify(heard)}; carrier hears ${JSON.stringify(far.received)}`);
  assert.ok(approxHz(heard.dominantHz, A_HZ), `A should hear its own ${A_HZ} Hz back, heard ${JSON.stringify(heard)}`);
  assert.ok(approxHz(far.received.dominantHz, A_HZ), `carrier should hear ${A_HZ} Hz`);
  assert.equal((await receivingCodec(a.page))?.toUpperCase(), 'AUDIO/PCMU', 'the G.711-only trunk is accepted');
  await a.phone.hangUp();
  await a.phone.waitCallStatus(/Call ended/);
});

test('the tone number is heard at 1000 Hz', { timeout: 40_000 }, async () => {
  await a.phone.dial(backend.endpoints.numbers.tone);
  await a.phone.waitActive();
  const heard = await measureHeardAudio(a.page, 1500);
  console.log(`# tone: A hears ${JSON.stringify(heard)}`);
  assert.ok(approxHz(heard.dominantHz, CARRIER_TONE_HZ), `A should hear ${CARRIER_TONE_HZ} Hz, heard ${JSON.stringify(heard)}`);
  assert.ok(heard.rmsDbfs > -40);
  await a.phone.hangUp();
  await a.phone.waitCallStatus(/Call ended/);
});

test(
  'malformed target: a clear error, no call; busy number: the UI says Busy; ringing number: Ringing…, Cancel ends it as cancelled',
  { timeout: 40_000 },
  async () => {
    const callsBefore = (await carrier.calls()).length;
    await a.phone.dial('bob smith');
    await a.page
      .getByRole('alert')
      .filter({ hasText: /neither a phone number/ })
      .waitFor({ timeout: 5000 });
    assert.equal((await carrier.calls()).length, callsBefore, 'nothing was dialled');
    await a.page.getByLabel('Number or colleague').fill('');

    await a.phone.dial(backend.endpoints.numbers.busy);
    assert.match(await a.phone.waitCallStatus(/Busy/), /Busy/);

    await a.phone.page.getByLabel('Number or colleague').waitFor({ timeout: 10_000 });
    await a.phone.dial(backend.endpoints.numbers.noAnswer);
    await a.page.getByText('Ringing…').waitFor({ timeout: 10_000 });
    const ringing = (await carrier.calls()).find((c) => c.number === backend.endpoints.numbers.noAnswer && isLive(c));
    assert.ok(ringing, 'the carrier sees the ringing call');
    await a.phone.cancel();
    assert.match(await a.phone.waitCallStatus(/cancel/i), /cancel/i);
    const ended = await carrier.waitFor(ringing.id, 'the call to end', (c) => !isLive(c));
    assert.equal(ended.finalStatus, 487, 'the carrier saw our CANCEL (487 Request Terminated)');
  },
);

test('the carrier calls A: A rings, answers, audio both ways', { timeout: 40_000 }, async () => {
  const id = await carrier.placeCall(alice.username, 'tone');
  await a.phone.incomingCall.waitFor({ timeout: 10_000 });
  // The generated ringtone loops while it rings, and stops once answered.
  const ringing = await a.page
    .waitForFunction(
      () =>
        ((window as unknown as { __e2eMediaPlayed?: HTMLMediaElement[] }).__e2eMediaPlayed ?? []).some(
          (m) => !m.srcObject && m.loop && !m.paused,
        ),
      null,
      { timeout: 5000 },
    )
    .then(
      () => true,
      () => false,
    );
  assert.ok(ringing, `a looping ringtone plays while the call rings: ${JSON.stringify(await playedMedia(a.page))}`);
  await a.phone.answer();
  await a.phone.waitActive();
  const media = await playedMedia(a.page);
  assert.ok(
    media.filter((m) => m.kind === 'file').every((m) => m.paused),
    `ringtone stopped after answering: ${JSON.stringify(media)}`,
  );
  assert.ok(
    media.some((m) => m.kind === 'stream' && !m.paused && !m.muted),
    'the far end plays in an unmuted element',
  );
  const heard = await measureHeardAudio(a.page, 1500);
  const far = await carrier.waitFor(id, `${A_HZ} Hz from A`, (c) => approxHz(c.received.dominantHz, A_HZ));
  console.log(`# inbound PSTN: A hears ${JSON.stringify(heard)}; carrier hears ${JSON.stringify(far.received)}`);
  assert.ok(approxHz(heard.dominantHz, CARRIER_TONE_HZ), `A should hear ${CARRIER_TONE_HZ} Hz`);
  await a.phone.hangUp();
  await carrier.waitFor(id, 'the call to end', (c) => !isLive(c));
});

test('an incoming call declined by A, and one the caller gives up on, end as the user expects', { timeout: 40_000 }, async () => {
  const declined = await carrier.placeCall(alice.username, 'tone');
  await a.phone.incomingCall.waitFor({ timeout: 10_000 });
  await a.phone.decline();
  const view = await carrier.waitFor(declined, 'the call to end', (c) => !isLive(c));
  assert.equal(view.finalStatus, 603, 'Decline is sent as 603 Decline');
  await a.phone.incomingCall.waitFor({ state: 'detached', timeout: 5000 });

  const missed = await carrier.placeCall(alice.username, 'tone');
  await a.phone.incomingCall.waitFor({ timeout: 10_000 });
  await carrier.hangup(missed);
  await a.phone.incomingCall.waitFor({ state: 'detached', timeout: 10_000 });
  assert.match(await a.page.getByRole('list', { name: 'Call history' }).innerText(), /miss/i, 'the history shows a missed call');
});

test('hold stops media both ways and resume restores it; mute silences A at the far end', { timeout: 60_000 }, async () => {
  await a.phone.dial(backend.endpoints.numbers.echo);
  await a.phone.waitActive();
  const far = (await carrier.calls()).find((c) => c.number === backend.endpoints.numbers.echo && isLive(c));
  assert.ok(far);
  await carrier.waitFor(far.id, 'A’s tone', (c) => approxHz(c.received.dominantHz, A_HZ));

  await a.phone.press('Hold');
  await a.activeCallButton('Resume');
  const held = await carrier.waitFor(far.id, 'hold', (c) => c.held);
  // Let the carrier's 1 s window drain, then both directions must be silent/stopped.
  await a.page.waitForTimeout(1200);
  const before = await inboundPacketsReceived(a.page);
  const heardOnHold = await measureHeardAudio(a.page, 1200);
  const farOnHold = await carrier.call(far.id);
  const afterPackets = await inboundPacketsReceived(a.page);
  console.log(
    `# hold: A inbound packets +${afterPackets - before}, A hears ${JSON.stringify(heardOnHold)}; carrier held=${held.held} hears ${JSON.stringify(farOnHold.received)}`,
  );
  assert.ok(afterPackets - before < 5, `A receives (almost) no packets on hold (got ${afterPackets - before})`);
  assert.equal(heardOnHold.dominantHz, null, 'A hears nothing on hold');
  assert.ok(
    farOnHold.received.rmsDbfs === null || farOnHold.received.rmsDbfs < -50,
    `carrier hears silence on hold: ${JSON.stringify(farOnHold.received)}`,
  );

  await a.phone.press('Resume');
  await a.activeCallButton('Hold');
  await carrier.waitFor(far.id, 'resume', (c) => !c.held);
  await carrier.waitFor(far.id, 'A’s tone again', (c) => approxHz(c.received.dominantHz, A_HZ));
  const heardResumed = await measureHeardAudio(a.page, 1200);
  assert.ok(approxHz(heardResumed.dominantHz, A_HZ), `after resume A hears its echo again: ${JSON.stringify(heardResumed)}`);

  await a.phone.press('Mute');
  await a.activeCallButton('Unmute');
  const muted = await carrier.waitFor(far.id, 'silence from A', (c) => c.received.rmsDbfs === null || c.received.rmsDbfs < -50);
  console.log(`# mute: carrier hears ${JSON.stringify(muted.received)}`);
  await a.phone.press('Unmute');
  await carrier.waitFor(far.id, 'A’s tone after unmute', (c) => approxHz(c.received.dominantHz, A_HZ));
  await a.phone.hangUp();
  await a.phone.waitCallStatus(/Call ended/);
});

test('DTMF digits pressed by A are the digits the record number received', { timeout: 40_000 }, async () => {
  await a.phone.dial(backend.endpoints.numbers.record);
  await a.phone.waitActive();
  const far = (await carrier.calls()).find((c) => c.number === backend.endpoints.numbers.record && isLive(c));
  assert.ok(far);
  await a.phone.sendDigits('159#*0');
  const got = await carrier.waitFor(far.id, 'digits 159#*0', (c) => c.dtmf.length >= 6);
  console.log(`# DTMF: carrier received “${got.dtmf}”`);
  assert.equal(got.dtmf, '159#*0');
  const log = readFileSync(join(backend.scratch, 'host-a', 'logs', 'main.log'), 'latin1');
  assert.doesNotMatch(log, /as SIP INFO/, 'telephone-event was negotiated, so the digits went as RFC 4733 events');
  await a.phone.hangUp();
});

test('blind transfer moves the far end to B', { timeout: 60_000 }, async () => {
  const id = await carrier.placeCall(alice.username, 'tone');
  await a.phone.answer();
  await a.phone.waitActive();
  await a.phone.transferTo(bob.username);
  await b.phone.incomingCall.waitFor({ timeout: 15_000 });
  assert.match(await a.phone.waitCallStatus(/Transferred/), new RegExp(`Transferred to ${bob.username}`));
  await b.phone.answer();
  await b.phone.waitActive();
  const heardByB = await measureHeardAudio(b.page, 1500);
  const view = await carrier.call(id);
  console.log(`# transfer: carrier transferredTo=${view.transferredTo} status=${view.transferStatus}; B hears ${JSON.stringify(heardByB)}`);
  assert.match(String(view.transferredTo), new RegExp(bob.username));
  assert.ok(approxHz(heardByB.dominantHz, CARRIER_TONE_HZ), `B hears the carrier's ${CARRIER_TONE_HZ} Hz`);
  await b.phone.hangUp();
});

test('logs: SIP.js traffic reaches the host log, and no password or digest response is in it', { timeout: 10_000 }, async () => {
  const log = readFileSync(join(backend.scratch, 'host-a', 'logs', 'main.log'), 'latin1');
  assert.match(log, /sip\.Transport/, 'SIP.js logs are routed to the host logger');
  assert.match(log, /REGISTER sip:/, 'SIP traces are there');
  assert.ok(!log.includes(alice.password), 'the SIP password never appears');
  assert.doesNotMatch(log, /response="[0-9a-f]{32}"/, 'no digest response appears');
});
