import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Agent } from '../support/agent.js';
import { approxHz, measureHeardAudio } from '../support/audio-probe.js';
import { startTestBackend, type TestBackend } from '../support/backend-fixture.js';
import { CarrierApi, isLive } from '../support/carrier-api.js';
import { withoutTelephoneEvent } from '../support/sdp-rewrite.js';
import { carrierApiUrl } from '../../backend/endpoints.js';
import { TEST_PORT_BASES, spareTestPorts } from '../support/port-registry.js';

/**
 * The calling core against a hostile or failing server, in Chromium against the real stack:
 * garbage pushed down its SIP WebSocket (RFC 4475 torture messages, a 1 MiB frame, binary
 * frames) through a tap on the page's socket, and Kamailio killed under it. The core must not
 * crash, must stay (or get back to) "Registered", and the next call must carry audio.
 */
const PORT_BASE = TEST_PORT_BASES.e2eResilience;
const A_HZ = 440;
const TORTURE_DIR = '/work/shared/test-vectors/sip-torture-rfc4475';

let backend: TestBackend;
let a: Agent;

before(
  async () => {
    backend = await startTestBackend(PORT_BASE);
    const sipPort = Number(new URL(backend.endpoints.sip.wsUrl).port);
    a = await Agent.launch({
      name: 'a',
      scratch: backend.scratch,
      controlPlaneUrl: backend.endpoints.controlPlane.url,
      toneHz: A_HZ,
      udpPorts: spareTestPorts('e2eResilience', 1500, 1599),
      tapSipPort: sipPort,
    });
    const alice = backend.endpoints.agents[0]!;
    await a.phone.signIn(backend.endpoints.controlPlane.url, alice.username, alice.password);
    await a.phone.waitRegistered();
  },
  { timeout: 90_000 },
);

after(
  async () => {
    await a?.close();
    await backend?.stop();
  },
  { timeout: 30_000 },
);

async function echoCallCarriesAudio(): Promise<void> {
  await a.phone.dial(backend.endpoints.numbers.echo);
  await a.phone.waitActive();
  const heard = await measureHeardAudio(a.page, 1200);
  assert.ok(approxHz(heard.dominantHz, A_HZ), `the echo call carries A's ${A_HZ} Hz back: ${JSON.stringify(heard)}`);
  await a.phone.hangUp();
  await a.phone.waitCallStatus(/Call ended/);
}

test(
  'garbage on the SIP WebSocket (RFC 4475 torture, 1 MiB frame, binary frames): no crash, still registered, next call works',
  { timeout: 90_000 },
  async () => {
    const socket = a.sipSocket;
    assert.ok(socket, 'the page’s SIP WebSocket runs through the test’s tap');
    const files = readdirSync(TORTURE_DIR)
      .filter((f) => f.endsWith('.dat'))
      .sort();
    assert.ok(files.length >= 49, `torture messages present (${files.length})`);
    for (const file of files) {
      const bytes = readFileSync(join(TORTURE_DIR, file));
      socket.send(bytes.toString('latin1')); // text frame, every byte preserved as a code point
      socket.send(bytes); // the same message as a binary frame
    }
    socket.send(`INVITE sip:x@y SIP/2.0\r\nX-Huge: ${'A'.repeat(1 << 20)}\r\n\r\n`); // 1 MiB text frame
    socket.send(randomBytes(64 * 1024)); // binary noise
    socket.send('\u0000\uFFFF\uD7FF not SIP at all');
    // Give the page time to chew through ~100 frames and answer what it answers.
    await a.page.waitForTimeout(2000);

    assert.deepEqual(a.pageErrors, [], 'no uncaught errors in the page');
    assert.equal(a.sipSocket, socket, 'the same WebSocket is still up (no reconnect was needed)');
    assert.match(await a.phone.registration.innerText(), /Registered/);
    assert.equal(await a.phone.incomingCall.count(), 0, 'torture INVITEs not addressed to this phone do not ring');
    await echoCallCarriesAudio();
  },
);

test('DTMF falls back to SIP INFO when the far end’s answer has no telephone-event', { timeout: 40_000 }, async () => {
  const carrier = new CarrierApi(carrierApiUrl(backend.endpoints));
  a.rewriteFromServer = withoutTelephoneEvent;
  try {
    await a.phone.dial(backend.endpoints.numbers.record);
    await a.phone.waitActive();
    const far = (await carrier.calls()).find((c) => c.number === backend.endpoints.numbers.record && isLive(c));
    assert.ok(far, 'the carrier has the call');
    await a.phone.sendDigits('42#');
    const got = await carrier.waitFor(far.id, 'digits 42#', (c) => c.dtmf.length >= 3);
    console.log(`# DTMF over SIP INFO: carrier received “${got.dtmf}”`);
    assert.equal(got.dtmf, '42#');
    const log = readFileSync(join(backend.scratch, 'host-a', 'logs', 'main.log'), 'latin1');
    assert.match(log, /sending DTMF as SIP INFO/, 'the core took the INFO path');
    assert.match(log, /INFO sip:[^\n]*SIP\/2\.0[\s\S]*application\/dtmf-relay/, 'INFO requests with dtmf-relay bodies went out');
    await a.phone.hangUp();
  } finally {
    a.rewriteFromServer = null;
  }
});

test(
  'Kamailio killed under a registered agent: the UI says the connection was lost, then re-registers and calls work',
  { timeout: 90_000 },
  async () => {
    const errorsBefore = a.pageErrors.length;
    const pid = backend.stack.pids().kamailio;
    assert.ok(pid, `kamailio pid known (${JSON.stringify(backend.stack.pids())})`);
    process.kill(-pid, 'SIGKILL'); // its whole process group; the stack's supervisor restarts it
    const lost = await a.phone.waitRegistration(/lost|reconnect|Cannot reach/i, 15_000);
    console.log(`# after killing Kamailio: “${lost}”`);
    const t0 = Date.now();
    await a.phone.waitRegistered(45_000);
    console.log(`# registered again ${Date.now() - t0} ms after the loss was shown`);
    assert.deepEqual(a.pageErrors.slice(errorsBefore), [], 'no uncaught errors in the page');
    await echoCallCarriesAudio();
  },
);
