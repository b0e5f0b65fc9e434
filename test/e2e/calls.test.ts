import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from '../support/agent.js';
import { approxHz, inboundPacketsReceived, measureHeardAudio } from '../support/audio-probe.js';
import { startTestBackend, type TestBackend } from '../support/backend-fixture.js';
import { CarrierApi } from '../support/carrier-api.js';

/**
 * Two agents in Debian Chromium against the real backend, with real audio: A's microphone is a
 * 440 Hz tone, B's 880 Hz, the carrier's tone number plays 1000 Hz. What each side hears is
 * measured (dominant frequency + level of the received track, and the UI's own meters); the
 * PSTN side is read from the carrier's API.
 */
const PORT_BASE = 40000;
const A_HZ = 440;
const B_HZ = 880;
const CARRIER_TONE_HZ = 1000;

let backend: TestBackend;
let carrier: CarrierApi;
let a: Agent;
let b: Agent;
let alice: { username: string; password: string };
let bob: { username: string; password: string };

before(async () => {
  backend = await startTestBackend(PORT_BASE);
  carrier = new CarrierApi(backend.endpoints.carrier.apiUrl);
  [alice, bob] = backend.endpoints.agents as [typeof alice, typeof bob];
  const controlPlaneUrl = backend.endpoints.controlPlane.url;
  [a, b] = await Promise.all([
    Agent.launch({ name: 'a', scratch: backend.scratch, controlPlaneUrl, toneHz: A_HZ, udpPorts: [45000, 45099] }),
    Agent.launch({ name: 'b', scratch: backend.scratch, controlPlaneUrl, toneHz: B_HZ, udpPorts: [45100, 45199] }),
  ]);
}, { timeout: 90_000 });

after(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await backend?.stop();
}, { timeout: 30_000 });

test('sign-in against a dead provisioning server and with a wrong password shows clear errors, then registers', { timeout: 60_000 }, async () => {
  const cp = backend.endpoints.controlPlane.url;
  // Nothing listens on this port (inside our block, unused by the stack).
  await a.phone.signIn(`http://127.0.0.1:${PORT_BASE + 999}`, alice.username, alice.password);
  await a.page.waitForFunction(
    () => /reach|connect|unavailable|refused/i.test([...document.querySelectorAll('[role=status],[role=alert]')].map((e) => e.textContent).join(' ')),
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
  assert.match(await a.phone.shownMessages(), /password|credential/i);

  await a.phone.signIn(cp, alice.username, alice.password);
  await b.phone.signIn(cp, bob.username, bob.password);
  await Promise.all([a.phone.waitRegistered(), b.phone.waitRegistered()]);
  assert.deepEqual(a.pageErrors, [], 'no uncaught page errors');
});

test('A calls B, B answers: each hears the other’s tone; hang-up on either side ends both', { timeout: 90_000 }, async () => {
  for (const hangingUp of [a, b]) {
    const t0 = Date.now();
    await a.phone.dial(bob.username);
    await b.phone.answer();
    await Promise.all([a.phone.waitActive(), b.phone.waitActive()]);
    const setupMs = Date.now() - t0;
    const [heardByA, heardByB] = await Promise.all([measureHeardAudio(a.page, 1500), measureHeardAudio(b.page, 1500)]);
    const [metersA, metersB] = await Promise.all([a.phone.peakMeters(1200), b.phone.peakMeters(1200)]);
    console.log(`# A↔B setup ${setupMs} ms; A hears ${JSON.stringify(heardByA)} meters ${JSON.stringify(metersA)}; B hears ${JSON.stringify(heardByB)} meters ${JSON.stringify(metersB)}`);
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
